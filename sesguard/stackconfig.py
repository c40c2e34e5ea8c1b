"""Stack config for the file sources (`--state`, `--preview`): what program mode reads from
Pulumi.<stack>.yaml, so waivers, external DNS, mail type and thresholds apply the same way.

Which config a file's stack document gets, first found wins:
1. ``--config FILE`` (a Pulumi.<stack>.yaml);
2. the preview's own ``config`` block (the CLI already blinded its secrets);
3. inside the document's Pulumi project (the current directory or ``--root``, same project
   name), the stack file named by the document's stack, in the project's stack folder.
Inside its project the document also gets the project's language (from its runtime).
Otherwise the document keeps the (empty) config it came with.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sesguard import project
from sesguard.document import Document, parse_config_value, scrub
from sesguard.errors import InputError
from sesguard.sources.common import positions


def read(config_file: str, project_name: str = "sesguard") -> dict[str, Any]:
    """A Pulumi.<stack>.yaml given with --config, as a document's config: `secure:` values blinded.

    For sources whose input names no Pulumi project (a Terraform plan, a template), a key without a
    namespace is qualified with ``project_name``; the rules also read the generic `sesguard:` keys.
    """
    path = Path(config_file)
    if not path.is_file():
        raise InputError(config_file, "no such stack config file")
    raw = project.stack_config(path, project_name)
    return {k: project.redact_secure(v)[0] for k, v in raw.items()}


def locate(document: Document, config_file: str) -> Document:
    """Findings without a source position point at the stack's config file (repository-relative)."""
    path = Path(config_file)
    prefix = positions.repo_prefix(path.resolve().parent)
    return {**document, "config_file": f"{prefix}/{path.name}" if prefix else path.name}


def apply(document: Document, config_file: str | None, root: str | None) -> Document:
    # A project named with --root must be there; without it, the current directory may be one.
    proj = project.find(root) if root is not None else project.find_optional()
    if proj is not None and proj.name != document["project"]:
        proj = None  # another project's stack: its stack files say nothing about this one
    out = dict(document)
    if proj is not None and out.get("language") is None and proj.language is not None:
        out["language"] = proj.language
    if proj is not None:
        # Source positions are relative to the project root; reports want the repository's.
        positions.rebase(out["resources"], positions.repo_prefix(proj.root))
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise InputError(config_file, "no such stack config file")
    elif document.get("config"):
        return out
    elif proj is not None and proj.stack_file(document["stack"]).is_file():
        path = proj.stack_file(document["stack"])
    else:
        return out
    config = read(str(path), document["project"])
    out["config"] = scrub({k: parse_config_value(v) for k, v in config.items()})
    out = locate(out, str(path))
    region = out["config"].get("aws:region")
    if out.get("region") is None and isinstance(region, str):
        out["region"] = region
    return out


def setting(config: Mapping[str, Any], project_name: str, key: str) -> Any:
    """A sender setting of the stack config, read as the rules read it (lib.sending.setting):
    ``<project>:<key>``, then ``ses-sender:<key>`` (this repository's example program), then the
    generic ``sesguard:<key>`` that any project may use; None when none of them is set."""
    for prefix in dict.fromkeys((project_name, "ses-sender", "sesguard")):
        value = config.get(f"{prefix}:{key}")
        if value is not None:
            return value
    return None
