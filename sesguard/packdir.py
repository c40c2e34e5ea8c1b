"""`sesguard pack init DIR`: a policy pack directory that travels.

Self-contained, as `pulumi preview --policy-pack DIR` and `pulumi policy publish` need it:
PulumiPolicy.yaml with a virtualenv of its own (inside the pack), a __main__.py that imports the
installed sesguard (no sys.path edits), a requirements.txt pinning this sesguard, and the
organisation's --extra-policies copied into extra-policies/<folder>/ so the pack carries them.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from sesguard import __version__
from sesguard.engine import compiled
from sesguard.errors import SesguardError

TEMPLATES = {
    "PulumiPolicy.yaml": "PulumiPolicy.yaml.tmpl",
    "__main__.py": "__main__.py.tmpl",
    "requirements.txt": "requirements.txt.tmpl",
    ".gitignore": "gitignore.tmpl",
}
EXTRA_DIR = "extra-policies"


def requirement(version: str = __version__) -> str:
    return f"sesguard=={version}"


def write(target: Path, extras: Sequence[Path] = (), spec: str | None = None, force: bool = False) -> Path:
    """Write the pack into ``target`` (created; must be empty unless ``force``)."""
    # The organisation's rules are judged by the same contract here as in every command.
    compiled.checked(None, tuple(Path(p) for p in extras))
    if target.exists() and not target.is_dir():
        raise SesguardError(f"{target}: not a directory")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise SesguardError(f"{target}: not empty (use --force to overwrite the pack files)")
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
    except OSError as exc:
        raise SesguardError(f"{target}: cannot write the pack: {exc.strerror or exc}") from None
    return target
