"""Peer comparison on Terraform configuration without a plan: `checkov -d DIR` and
`sesguard check --terraform DIR` on the same module-sized directory.

The directory is tests/fixtures/terraform/hcl/ses-domain (a for_each module over two sending domains,
modelled on trussworks/terraform-aws-ses-domain: identity, DKIM/DMARC/MAIL FROM records,
configuration set, SNS feedback with an SQS consumer, account suppression and the two alarms).
Both run as new processes, interleaved so both see the same load; median wall time of ``--runs``
and the peak RSS of the largest process. Target: sesguard at least 10x faster than Checkov.

    .venv/bin/python -m bench.peer_checkov_terraform_hcl [--runs 3]
"""

from __future__ import annotations

import argparse

from bench.common import ROOT, Section, cores, fmt_s, table
from bench.peer_checkov import CHECKOV, CHECKOV_VERSION, SESGUARD, ensure_checkov, interleaved

DIRECTORY = ROOT / "tests" / "fixtures" / "terraform" / "hcl" / "ses-domain"


def run(runs: int) -> Section:
    command = f".venv/bin/python -m bench.peer_checkov_terraform_hcl --runs {runs}"
    section = Section("Peer: Checkov and sesguard on the same Terraform directory (no plan)", command)
    section.say(f"$ {command}")
    section.say(f"(machine: {cores()} cores)")
    if not ensure_checkov(section):
        return section
    tools = {
        f"checkov {CHECKOV_VERSION} -d DIR --framework terraform": [
            str(CHECKOV),
            "-d",
            str(DIRECTORY),
            "--framework",
            "terraform",
            "-o",
            "json",
            "--compact",
        ],
        "sesguard check --terraform DIR": [
            str(SESGUARD),
            "check",
            "--terraform",
            str(DIRECTORY),
            "--format",
            "json",
        ],
    }
    timing = interleaved(section, tools, runs)
    names = list(timing)
    ratio = timing[names[0]][0] / timing[names[1]][0]
    section.say(f"  sesguard is {ratio:.1f}x faster (target: at least 10x)")
    section.markdown = [
        f"Command: `{command}`. Directory: `tests/fixtures/terraform/hcl/ses-domain`. Median of {runs} "
        "interleaved runs, each a new process; peak RSS is that of the largest process.",
        "",
        *table(
            ["tool", "wall time", "peak RSS"], [[k, fmt_s(t), f"{m:.0f} MiB"] for k, (t, m) in timing.items()]
        ),
        "",
        f"sesguard is {ratio:.1f}x faster than Checkov on the same directory (target: at least 10x).",
    ]
    section.headline.append(
        f"peer (Terraform directory): sesguard {fmt_s(timing[names[1]][0])} vs Checkov "
        f"{fmt_s(timing[names[0]][0])}: {ratio:.1f}x"
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
