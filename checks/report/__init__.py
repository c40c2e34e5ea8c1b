"""Reports: render judged stacks in one of six formats. A report never decides pass or fail.

Every format reads the same ``StackResult`` list (findings already marked waived by the Rego) and
the rule catalog for titles, help and links. Findings never carry a secret value by construction
(sources replace secrets with ``"[secret]"`` before a document exists); ``render`` also accepts the
secret values a source saw and blanks them out of every field, so a rule that someday echoes a
value still cannot leak one.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Collection
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from checks.document import SECRET
from checks.errors import SesguardError
from checks.findings import Finding, StackResult
from checks.policyset import PolicySet, Rule

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")

# A secret shorter than this is too likely to be an ordinary substring ("no", "1") to blank out.
_MIN_SECRET_LEN = 4


def totals(results: list[StackResult]) -> dict[str, int]:
    """DESIGN's summary block: stacks judged and unwaived mandatory / advisory, and waived findings."""
    out = {"stacks": len(results), "mandatory": 0, "advisory": 0, "waived": 0}
    for r in results:
        for k, v in r.counts().items():
            out[k] += v
    return out


def passed(results: list[StackResult]) -> bool:
    return all(r.passed for r in results)


def summary_line(results: list[StackResult]) -> str:
    """One line for stderr and CI logs.

    e.g. ``sesguard: 4 stacks, 0 mandatory, 2 advisory, 1 waived — passed``
    """
    t = totals(results)
    stacks = f"{t['stacks']} stack{'' if t['stacks'] == 1 else 's'}"
    verdict = "passed" if passed(results) else "failed"
    return (
        f"sesguard: {stacks}, {t['mandatory']} mandatory, {t['advisory']} advisory, "
        f"{t['waived']} waived — {verdict}"
    )


def redact(results: list[StackResult], secrets: Collection[str]) -> list[StackResult]:
    """Copies of ``results`` with every known secret value replaced by ``[secret]`` in every field."""
    values = sorted(
        {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True
    )
    if not values:
        return results

    def clean(text: str | None) -> str | None:
        if text is None:
            return None
        for v in values:
            text = text.replace(v, SECRET)
        return text

    out = []
    for r in results:
        findings = [
            replace(
                f,
                rule=clean(f.rule) or "",
                resource=clean(f.resource) or "",
                message=clean(f.message) or "",
                title=clean(f.title) or "",
                remediation=clean(f.remediation) or "",
                waiver=clean(f.waiver),
            )
            for f in r.findings
        ]
        out.append(
            StackResult(
                project=clean(r.project) or "",
                stack=clean(r.stack) or "",
                source=r.source,
                findings=findings,
                file=clean(r.file),
            )
        )
    return out


def render(
    fmt: str,
    results: list[StackResult],
    policies: PolicySet,
    *,
    color: bool = False,
    secrets: Collection[str] = (),
) -> str:
    """The whole report as text; ``color`` only matters to ``text`` (pass True on a terminal)."""
    if fmt not in FORMATS:
        raise SesguardError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"checks.report.{fmt}")
    results = redact(results, secrets)
    if fmt == "text":
        return str(module.render(results, policies, color=color))
    return str(module.render(results, policies))


# -- helpers shared by the formats -------------------------------------------------------------

DEFAULT_ARTIFACT = "Pulumi.yaml"
_MAX_SCAN_BYTES = 2_000_000
_TOKEN = re.compile(r"[\w.-]+:[\w.-]+|[a-z0-9][\w-]*(?:\.[\w-]+)+", re.IGNORECASE)


def level(f: Finding) -> str:
    """How a finding reads in every format: ``waived``, else its enforcement."""
    return "waived" if f.waived else f.enforcement


def short_name(urn: str) -> str:
    """The logical name at the end of a URN, or the whole string when it is not a URN."""
    return urn.rsplit("::", 1)[-1] if urn else ""


def waiver_reason(f: Finding) -> str:
    return (f.waiver or "").strip() or "waived"


def artifact_uri(result: StackResult) -> str:
    """The file a finding points at: the stack's config file, repo-relative, else Pulumi.yaml."""
    if not result.file:
        return DEFAULT_ARTIFACT
    p = Path(result.file)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return p.as_uri()
    return p.as_posix()


@lru_cache(maxsize=64)
def _lines(path: str, mtime: float) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return tuple(line.lower() for line in fh.read(_MAX_SCAN_BYTES).splitlines())
    except OSError:
        return ()


def start_line(result: StackResult, f: Finding) -> int:
    """The first line of the stack file naming the resource, or a key/domain the message names; else 1.

    Cheap on purpose: one read per file, substring search, nothing parsed. A wrong guess only moves
    an annotation; it never changes a result.
    """
    if not result.file:
        return 1
    try:
        st = os.stat(result.file)
    except OSError:
        return 1
    lines = _lines(result.file, st.st_mtime)
    if not lines:
        return 1
    candidates = [short_name(f.resource), *_TOKEN.findall(f.message)]
    for c in candidates:
        needle = c.lower().strip(".")
        if len(needle) < 3:
            continue
        for n, line in enumerate(lines, 1):
            if needle in line:
                return n
    return 1


def rules_for(results: list[StackResult], policies: PolicySet) -> list[Rule]:
    """The catalog, plus a stub for any rule id an engine returned that the catalog lacks."""
    rules = list(policies.rules)
    known = {r.id for r in rules}
    for res in results:
        for f in res.findings:
            if f.rule not in known:
                known.add(f.rule)
                rules.append(
                    Rule(
                        id=f.rule,
                        slug=f.rule.lower(),
                        title=f.title or f.rule,
                        description="",
                        severity=f.severity,
                        enforcement=f.enforcement,
                        remediation=f.remediation,
                        package="",
                        file="",
                    )
                )
    return rules
