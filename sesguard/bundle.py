"""An OPA bundle of the policy pack, for ``opa run --server --bundle`` or a bundle service.

Layout (OPA's bundle format): ``/.manifest`` with the revision, the roots the bundle owns and
``rego_version: 1``. The revision always ends with the pack's digest (``pack-sha256=<hex>``,
``pack_digest``): a client started with ``--opa-bundle-loaded`` reads the manifest the server
activated (``GET /v1/data/system/bundles``) and judges nothing unless it names the digest of the
policies the client itself would run, so a server still holding an older pack is exit 2.
Then every non-test module at its path under policies/; and, only when settings
are given, ``/sesguard_settings/data.json`` (the root list then claims ``sesguard_settings`` too,
which stops clients from pushing their own settings to that server).

The archive is reproducible: members sorted, fixed owner and mtime, gzip without a timestamp, so
the same policies and revision always give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import subprocess
import tarfile
from pathlib import Path

from sesguard.engine import Settings
from sesguard.errors import SesguardError
from sesguard.policyset import PolicySet

ROOTS = ("ses", "lib", "sesguard")
SETTINGS_ROOT = "sesguard_settings"
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
# 2000-01-01: tar readers warn on a zero mtime; any fixed instant keeps the bytes reproducible.
_MTIME = 946_684_800


DIGEST_MARK = "pack-sha256="
_DIGEST = re.compile(r"(?:^|[;+ ])pack-sha256=([0-9a-f]{64})$")


def content_hash(policies: PolicySet, settings: Settings | None = None) -> str:
    h = hashlib.sha256()
    for path, text in policies.modules:
        h.update(path.encode() + b"\0" + text.encode() + b"\0")
    if settings is not None:
        h.update(json.dumps(settings.as_data(), sort_keys=True).encode())
    return h.hexdigest()


def pack_digest(policies: PolicySet) -> str:
    """The digest of the modules a bundle carries (paths and texts, settings left out: the bundle's
    owner may bake their own, and the decoys check what they do)."""
    return content_hash(policies)


def with_digest(revision: str, policies: PolicySet) -> str:
    """``revision`` ending with the pack's digest, as every bundle's manifest carries it."""
    mark = DIGEST_MARK + pack_digest(policies)
    return f"{revision};{mark}" if revision else mark


def digest_of(revision: object) -> str | None:
    """The pack digest a manifest revision names, or None when it names none."""
    if not isinstance(revision, str):
        return None
    m = _DIGEST.search(revision)
    return m.group(1) if m else None


def git_revision(root: Path) -> str | None:
    """HEAD's commit when the policies are in a git work tree, marked ``-dirty`` if they changed."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not re.fullmatch(r"[0-9a-f]{40,64}", head):
        return None
    return f"{head}-dirty" if status else head


def default_revision(policies: PolicySet, settings: Settings | None = None) -> str:
    """The git commit of the policies; with uncommitted changes, or outside git, a content hash too."""
    digest = f"sha256:{content_hash(policies, settings)[:16]}"
    git = git_revision(policies.root)
    if git is None:
        return digest
    return f"{git}+{digest}" if git.endswith("-dirty") else git


def _check_roots(policies: PolicySet, roots: tuple[str, ...]) -> None:
    """OPA refuses a bundle whose module's package lies outside its roots: say which, here."""
    for path, text in policies.modules:
        m = _PACKAGE.search(text)
        if not m:
            raise SesguardError(f"{policies.root / path}: no package declaration")
        top = m.group(1).split(".")[0]
        if top not in roots:
            raise SesguardError(
                f"{policies.root / path}: package {m.group(1)} is outside the bundle roots {', '.join(roots)}"
            )


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = _MTIME
    info.mode = 0o644
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def build_bundle(
    policies: PolicySet,
    out: Path,
    revision: str | None = None,
    settings: Settings | None = None,
) -> Path:
    """Write the bundle to ``out`` (a .tar.gz) and return its path."""
    if not policies.modules:
        raise SesguardError(f"{policies.root}: no policy modules to bundle")
    roots = ROOTS + ((SETTINGS_ROOT,) if settings is not None else ())
    _check_roots(policies, roots)
    if revision is None:
        revision = default_revision(policies, settings)
    manifest = {"revision": with_digest(revision, policies), "roots": list(roots), "rego_version": 1}

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "/.manifest", json.dumps(manifest, indent=2).encode())
        for path, text in sorted(policies.modules):
            _add(tar, f"/{path}", text.encode("utf-8"))
        if settings is not None:
            data = settings.as_data()[SETTINGS_ROOT]
            _add(tar, f"/{SETTINGS_ROOT}/data.json", json.dumps(data, indent=2, sort_keys=True).encode())
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(compressed.getvalue())
    except OSError as exc:
        raise SesguardError(f"{out}: cannot write the bundle: {exc.strerror}") from None
    return out
