"""`sesguard pack init DIR`: a policy pack directory that travels.

Self-contained, as `pulumi preview --policy-pack DIR` and `pulumi policy publish` need it:
PulumiPolicy.yaml with a virtualenv of its own (inside the pack), a __main__.py that imports the
installed sesguard (no sys.path edits), a requirements.txt pinning the sesguard that wrote it
(from where it was installed: PEP 610's direct_url.json), and the
organisation's --extra-policies copied into extra-policies/<folder>/ so the pack carries them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from sesguard import __version__
from sesguard.engine import compiled
from sesguard.errors import SesguardError, one_line

TEMPLATES = {
    "PulumiPolicy.yaml": "PulumiPolicy.yaml.tmpl",
    "__main__.py": "__main__.py.tmpl",
    "requirements.txt": "requirements.txt.tmpl",
    ".gitignore": "gitignore.tmpl",
}
EXTRA_DIR = "extra-policies"


def requirement() -> str:
    """The requirement that installs the sesguard running now, where it came from (PEP 610).

    pip records a direct install in the distribution's direct_url.json: a VCS checkout (pinned
    here to the commit it installed, not a branch or tag that can move), an archive (a wheel or
    sdist, local or remote: its URL, with its hash when pip recorded one) or a local directory.
    Without that file sesguard came from an index: that index's version. A release number alone
    is never assumed to exist on an index.
    """
    dist = _installed()
    if dist is None:  # run from a checkout that was never installed
        return f"sesguard=={__version__}"
    text = dist.read_text("direct_url.json")
    info: Any = None
    if text:
        try:
            info = json.loads(text)
        except ValueError:
            info = None
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return f"sesguard=={dist.version}"
    url: str = info["url"]
    fragment = f"#subdirectory={info['subdirectory']}" if isinstance(info.get("subdirectory"), str) else ""
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("commit_id"), str):
        return f"sesguard @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}{fragment}"
    archive = info.get("archive_info")
    if isinstance(archive, dict):
        digest = archive.get("hash")
        hashes = archive.get("hashes")
        if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
            digest = f"sha256={hashes['sha256']}"
        if isinstance(digest, str) and "=" in digest and not fragment:
            fragment = f"#{digest}"
    return f"sesguard @ {url}{fragment}"


def _installed() -> metadata.Distribution | None:
    """The installed sesguard: the first on sys.path, leaving out a build's sesguard.egg-info in
    the current directory (found through sys.path's '' entry, it records no installation)."""
    for dist in metadata.distributions(name="sesguard"):
        where = getattr(dist, "_path", None)
        if where is not None and not Path(str(where)).is_absolute():
            continue
        return dist
    return None


# Every file pack init writes says so in its first lines; --force replaces only such files, and
# deletes extra-policies/ only when this file in it says pack init made it.
MARK = "written by `sesguard pack init`"
EXTRA_MARK = ".sesguard-pack-init"
# A line break or control character in a name would start a line of its own in PulumiPolicy.yaml
# (a comment names the directory) or requirements.txt: YAML or a requirement nobody wrote.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _ours(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = "".join(fh.readline() for _ in range(3))
    except OSError:
        return False
    return MARK in head


def _refuse_foreign(target: Path) -> None:
    """--force in a directory holding files pack init did not write: exit 2 naming the first."""
    for name in TEMPLATES:
        path = target / name
        if path.exists() and not (path.is_file() and _ours(path)):
            raise SesguardError(
                f"{path}: not written by `sesguard pack init`: --force only replaces the pack's own files"
            )
    extra_root = target / EXTRA_DIR
    if extra_root.exists() and not (extra_root / EXTRA_MARK).is_file():
        raise SesguardError(
            f"{extra_root}: not written by `sesguard pack init`: --force only replaces the pack's own files"
        )


def write(target: Path, extras: Sequence[Path] = (), spec: str | None = None, force: bool = False) -> Path:
    """Write the pack into ``target`` (created; must be empty unless ``force``)."""
    for what, text in (("the pack directory", str(target)), ("--requirement", spec or "")):
        if _UNSAFE.search(text):
            raise SesguardError(
                f"{one_line(text)}: {what} holds a line break or control character: choose another name"
            )
    # The organisation's rules are judged by the same contract here as in every command.
    compiled.checked(None, tuple(Path(p) for p in extras))
    if target.exists() and not target.is_dir():
        raise SesguardError(f"{target}: not a directory")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise SesguardError(f"{target}: not empty (use --force to overwrite the pack files)")
        _refuse_foreign(target)
    values = {"version": __version__, "requirement": spec or requirement(), "dir_hint": str(target)}
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, template in TEMPLATES.items():
            text = resources.files("sesguard").joinpath(f"packfiles/{template}").read_text("utf-8")
            (target / name).write_text(text.format(**values), "utf-8")
        extra_root = target / EXTRA_DIR
        if extra_root.exists():
            shutil.rmtree(extra_root)
        for folder in extras:
            source = Path(folder).resolve()
            shutil.copytree(source, extra_root / source.name, ignore=shutil.ignore_patterns(".*"))
        if extras:
            (extra_root / EXTRA_MARK).write_text(
                f"# {MARK}: `sesguard pack init --force` replaces this folder.\n", "utf-8"
            )
    except OSError as exc:
        raise SesguardError(f"{target}: cannot write the pack: {exc.strerror or exc}") from None
    return target
