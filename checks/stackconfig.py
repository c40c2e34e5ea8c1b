"""Stack config for the file sources (`--state`, `--preview`): what program mode reads from
Pulumi.<stack>.yaml, so waivers, external DNS, mail type and thresholds apply the same way.

Which config a file's stack document gets, first found wins:
1. ``--config FILE`` (a Pulumi.<stack>.yaml);
2. the preview's own ``config`` block (the CLI already blinded its secrets);
3. inside a Pulumi project (the current directory or ``--root``), the stack file named by the
   document's stack, in the project's stack folder.
Otherwise the document keeps the (empty) config it came with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks import project
from checks.document import Document, parse_config_value, scrub
from checks.errors import InputError
from checks.sources.program import redact


def apply(document: Document, config_file: str | None, root: str | None) -> Document:
    proj = project.find_optional(root)
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise InputError(config_file, "no such stack config file")
    elif document.get("config"):
        return document
    elif proj is not None and proj.stack_file(document["stack"]).is_file():
        path = proj.stack_file(document["stack"])
    else:
        return document
    name = proj.name if proj is not None else document["project"]
    raw = project.stack_config(path, name)
    config: dict[str, Any] = {k: redact(v)[0] for k, v in raw.items()}
    out = dict(document)
    out["config"] = scrub({k: parse_config_value(v) for k, v in config.items()})
    region = out["config"].get("aws:region")
    if out.get("region") is None and isinstance(region, str):
        out["region"] = region
    return out
