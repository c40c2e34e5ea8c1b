"""Generated inputs for the benchmarks: big stack documents and many stacks, all compliant.

Documents are grown from a real program run (``run_stack("prod")`` under mocks), not written by
hand: one sending domain's resources (about 15 cloud resources plus the components that group them)
are copied N times with the domain, URNs, names and dependencies renamed, and the stack-wide
resources (account suppression, encryption key, reputation alarms) are kept once. So a document of
N domains is exactly what the program would declare for N senders, and it stays compliant.

Stacks are ``Pulumi.<name>.yaml`` files written into a throw-away project folder (the program's
``Pulumi.yaml`` and ``__main__.py`` copied, ``infra`` linked) for ``sesguard check --root DIR``.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_STACK = "prod"
TEMPLATE_DOMAIN = "acmetickets.com"
TEMPLATE_SLUG = TEMPLATE_DOMAIN.replace(".", "-")
TEMPLATE_ZONE = "Z1P3Q8RZ7ACMETIX0001"


@cache
def _template_json() -> str:
    from sesguard.sources.pulumi.program import run_stack

    return json.dumps(run_stack(TEMPLATE_STACK, root=ROOT))


def template() -> dict[str, Any]:
    """The compliant prod stack document as the program source produces it (a fresh copy)."""
    doc: dict[str, Any] = json.loads(_template_json())
    return doc


def domain(i: int) -> str:
    return f"sender{i:05d}.example.com"


def _is_per_domain(resource: dict[str, Any], slugs: list[str]) -> bool:
    # The program names every resource of a sender after the sender's domain (infra/sender.py).
    return any(resource["name"].startswith(slug) for slug in slugs)


def _sender_slugs(doc: dict[str, Any]) -> list[str]:
    senders = doc["config"].get("ses-sender:senders") or []
    return [str(s["domain"]).replace(".", "-") for s in senders]


def document(domains: int) -> dict[str, Any]:
    """A compliant prod-like stack document with ``domains`` sending domains."""
    if domains < 1:
        raise ValueError("at least one domain")
    base = template()
    slugs = _sender_slugs(base)
    one = [r for r in base["resources"] if r["name"].startswith(TEMPLATE_SLUG)]
    shared = [r for r in base["resources"] if not _is_per_domain(r, slugs)]
    one_text = json.dumps(one)
    resources = list(shared)
    senders: list[dict[str, Any]] = []
    sender_template = next(s for s in base["config"]["ses-sender:senders"] if s["domain"] == TEMPLATE_DOMAIN)
    configuration_sets: dict[str, str] = {}
    for i in range(domains):
        name, slug, zone = domain(i), domain(i).replace(".", "-"), f"ZBENCH{i:014d}"
        # Plain text replacement renames URNs, names, parents, dependencies and every prop at once.
        text = (
            one_text.replace(TEMPLATE_SLUG, slug).replace(TEMPLATE_DOMAIN, name).replace(TEMPLATE_ZONE, zone)
        )
        resources.extend(json.loads(text))
        senders.append(
            {
                **copy.deepcopy(sender_template),
                "domain": name,
                "zoneId": zone,
                "dmarcReportEmail": f"dmarc-reports@{name}",
            }
        )
        configuration_sets[name] = f"ses-sender-{base['stack']}-{slug}"
    for r in resources:
        if r["type"] == "pulumi:pulumi:Stack":
            r["props"] = {**r["props"], "configurationSets": configuration_sets}
    base["resources"] = resources
    base["config"]["ses-sender:senders"] = senders
    base.pop("file", None)
    return base


def per_domain_resources() -> int:
    """How many resources one sending domain adds (cloud resources and their components)."""
    return len(document(2)["resources"]) - len(document(1)["resources"])


# --- many stacks ---------------------------------------------------------------------------------


def stack_config(i: int) -> dict[str, Any]:
    """The prod stack's config with its own sending domain, as a Pulumi.<name>.yaml would hold it."""
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{TEMPLATE_STACK}.yaml").read_text("utf-8"))["config"]
    sender = dict(config["ses-sender:senders"][0])
    name = domain(i)
    sender.update(domain=name, zoneId=f"ZBENCH{i:014d}", dmarcReportEmail=f"dmarc-reports@{name}")
    config["ses-sender:senders"] = [sender]
    return {"config": config}


def project(root: Path, stacks: int) -> Path:
    """A project folder holding ``stacks`` generated stacks for ``sesguard check --root``.

    ``check --root`` runs ``<root>/__main__.py`` with ``<root>`` on sys.path and reads
    ``<root>/stacks/``; the program imports ``infra``, so it is linked rather than copied.
    """
    root = Path(root)
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "__main__.py", root / "__main__.py")
    # This repo's project without its virtualenv option: the program runs in sesguard's own Python.
    (root / "Pulumi.yaml").write_text("name: ses-sender\nruntime: python\nstackConfigDir: stacks\n", "utf-8")
    if not (root / "infra").exists():
        os.symlink(ROOT / "infra", root / "infra", target_is_directory=True)
    for old in (root / "stacks").glob("Pulumi.*.yaml"):
        old.unlink()
    for i in range(stacks):
        text = yaml.safe_dump(stack_config(i), sort_keys=False)
        (root / "stacks" / f"Pulumi.gen{i:05d}.yaml").write_text(text, "utf-8")
    return root


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    doc = document(n)
    print(f"{n} domains: {len(doc['resources'])} resources ({per_domain_resources()} per domain)")
