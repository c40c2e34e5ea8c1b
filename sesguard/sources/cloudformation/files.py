"""Files a CloudFormation input names (a cloud assembly's templates, a nested stack's template
beside its parent): read only when each is a regular file inside its directory, size-limited.

A manifest or a TemplateURL is input like any other: it may name /dev/zero, a FIFO, a symlink to
/proc/self/environ, `../..` or another stack's template. Both the cloud assembly reader and the
template reader go through here, so neither can be led outside its directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sesguard.errors import InputError
from sesguard.sources.common.reading import kind

# A cloud assembly file larger than this is refused before it is read: CloudFormation takes
# templates of at most 1 MB, and the largest manifests and metadata files of real apps are a few MB.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_file(directory: Path, name: Any, where: str, seen: set[str]) -> bytes:
    """The bytes of ``name`` (as a manifest spells it) in the assembly ``directory``.

    ``where`` names the manifest entry in messages; ``seen`` holds the real paths already read, so a
    template named twice (another stack's, or a stack's as a nested one) is refused.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise InputError(where, f"expected a file name, found {kind(name)}")
    if os.path.isabs(name):
        raise InputError(where, f"{name!r} is an absolute path: a cloud assembly names files inside it")
    root = os.path.realpath(directory)
    real = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([root, real]) != root:
        raise InputError(where, f"{name!r} resolves outside the assembly directory")
    if real in seen:
        raise InputError(where, f"{name!r} is already read as another stack's template")
    try:
        # Non-blocking: a FIFO swapped in after any check must not hang the run.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(where, f"{name!r}: no such file in the assembly") from None
    except OSError as exc:
        raise InputError(where, f"{name!r}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(where, f"{name!r} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(where, f"{name!r} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise InputError(where, f"{name!r} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    except OSError as exc:
        raise InputError(where, f"{name!r}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    seen.add(real)
    return b"".join(chunks)
