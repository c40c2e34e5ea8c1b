"""Peer comparison on Terraform: Checkov and sesguard on the same `terraform show -json` plan.

The plan is tests/fixtures/terraform/plan-first.json (a first plan of a for_each module over two
sending domains: SES v2 identity, DKIM/DMARC/MAIL FROM records, configuration set, SNS feedback with
an SQS consumer, account suppression and the two reputation alarms). Checkov reads plans with
``--framework terraform_plan`` (``terraform show -json tfplan.binary > tfplan.json; checkov -f
tfplan.json``, bridgecrewio/checkov docs "Terraform Plan Scanning"); sesguard with ``check
--terraform``. Both run as new processes, interleaved, median wall time of ``--runs`` and the peak
RSS of the largest process. Then every broken variant of tests/iac_mutations.py: a sesguard rule
counts as caught by Checkov when some Checkov check fails on the variant that does not fail on the
compliant plan; sesguard's verdict is its own exit code and rule ids on the same file.

    .venv/bin/python -m bench.peer_checkov_terraform [--runs 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, Section, cores, fmt_s, table
from bench.peer_checkov import CHECKOV, CHECKOV_VERSION, SESGUARD, ensure_checkov, interleaved, measure

PLAN = ROOT / "tests" / "fixtures" / "terraform" / "plan-first.json"


def _mutations() -> list[Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    import iac_mutations

    return list(iac_mutations.TERRAFORM)


def checkov_cmd(path: Path) -> list[str]:
    return [str(CHECKOV), "-f", str(path), "--framework", "terraform_plan", "-o", "json", "--compact"]


def sesguard_cmd(path: Path) -> list[str]:
    return [str(SESGUARD), "check", "--terraform", str(path), "--format", "json"]


def checkov_failures(path: Path) -> set[tuple[str, str]]:
    _, _, _, out = measure(checkov_cmd(path))
    data = json.loads(out) if out.strip() else {}
    failed = set()
    for report in data if isinstance(data, list) else [data]:
        for check in (report.get("results") or {}).get("failed_checks", []):
            failed.add((check["check_id"], check.get("resource", "")))
    return failed


def sesguard_rules(path: Path) -> set[str]:
    _, _, _, out = measure(sesguard_cmd(path))
    results = json.loads(out)["results"] if out.strip() else []
    return {f["rule"] for r in results for f in r["findings"] if f["enforcement"] == "mandatory"}


def run(runs: int) -> Section:
    command = f".venv/bin/python -m bench.peer_checkov_terraform --runs {runs}"
    section = Section("Peer: Checkov and sesguard on the same Terraform plan", command)
    section.say(f"$ {command}")
    section.say(f"(machine: {cores()} cores)")
    if not ensure_checkov(section):
        return section
    tools = {
        f"checkov {CHECKOV_VERSION} --framework terraform_plan": checkov_cmd(PLAN),
        "sesguard check --terraform": sesguard_cmd(PLAN),
    }
    timing = interleaved(section, tools, runs)
    baseline = checkov_failures(PLAN)
    base_ids = sorted({c for c, _ in baseline})
    section.say(
        f"  checkov on the compliant plan: {len(baseline)} failed checks ({', '.join(base_ids) or 'none'})"
    )
    rows = []
    caught_checkov: set[str] = set()
    caught_sesguard: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="sesguard-tf-") as tmp:
        for i, m in enumerate(_mutations()):
            plan = json.loads(PLAN.read_text("utf-8"))
            variant = copy.deepcopy(plan)
            m.apply(variant)
            path = Path(tmp) / f"variant-{i}.json"
            path.write_text(json.dumps(variant), "utf-8")
            new = checkov_failures(path) - baseline
            rule = m.rule
            if new:
                caught_checkov.add(rule)
            if rule in sesguard_rules(path):
                caught_sesguard.add(rule)
            rows.append([rule, m.what, ", ".join(sorted({c for c, _ in new})) or "nothing new"])
            section.say(f"  {rule} {m.what:55s} checkov: {rows[-1][2]}")
    rules = sorted({r[0] for r in rows})
    section.markdown = [
        f"Command: `{command}`. Plan: `tests/fixtures/terraform/plan-first.json`. Median of {runs} "
        "interleaved runs, each a new process; peak RSS is that of the largest process.",
        "",
        *table(
            ["tool", "wall time", "peak RSS"], [[k, fmt_s(t), f"{m:.0f} MiB"] for k, (t, m) in timing.items()]
        ),
        "",
        f"Checkov fails {len(baseline)} check(s) on the compliant plan ({', '.join(base_ids) or 'none'}).",
        "",
        *table(["sesguard rule", "variant (tests/iac_mutations.py)", "new Checkov failures"], rows),
        "",
        f"On the same plan, sesguard blocks {len(caught_sesguard)} of the {len(rules)} variants' rules; "
        f"Checkov catches {len(caught_checkov)}"
        + (f" ({', '.join(sorted(caught_checkov))})." if caught_checkov else "."),
    ]
    names = list(timing)
    section.headline.append(
        f"peer (Terraform plan): Checkov catches {len(caught_checkov)}/{len(rules)}, sesguard "
        f"{len(caught_sesguard)}/{len(rules)}; sesguard {fmt_s(timing[names[1]][0])} vs Checkov "
        f"{fmt_s(timing[names[0]][0])}"
    )
    return section


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    run(args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
