"""Reports: render judged stacks in one of six formats. A report never decides pass or fail.

Every format reads the same ``StackResult`` list (findings already marked waived by the Rego) and
the rule catalog for titles, help and links. Findings never carry a secret value by construction
(sources replace secrets with ``"[secret]"`` before a document exists); ``render`` also accepts the
secret values a source saw and blanks them out of every field, so a rule that someday echoes a
value still cannot leak one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

from sesguard.document import SECRET
from sesguard.errors import SesguardError
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.outputline import inert, inert_lines, json_safe
from sesguard.policyset import PolicySet, Rule
from sesguard.report import escape

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")

# A secret shorter than this is too likely to be an ordinary substring ("no", "1") to blank out.
_MIN_SECRET_LEN = 4


SEVERITY_ORDER = ("critical", "high", "medium", "low")

# What every format says beside the verdict of a stack that declares no SES resource: a pass
# there means no SES rule had anything to judge, never that a sender was found compliant.
NO_SES = "no SES resources"
NO_SES_DETAIL = "the stack declares no aws:ses or aws:sesv2 resource, so no SES rule had anything to judge"


def totals(results: list[StackResult], not_judged: Sequence[NotJudged] = ()) -> dict[str, Any]:
    """DESIGN's summary block: stacks judged and unwaived mandatory / advisory, and waived findings.

    A run that could not judge every stack says so: ``complete`` and each stack ``not_judged``.
    """
    out: dict[str, Any] = {"stacks": len(results), "mandatory": 0, "advisory": 0, "waived": 0}
    for r in results:
        for k, v in r.counts().items():
            out[k] += v
    out["complete"] = not not_judged
    out["not_judged"] = [{"stack": n.stack, "reason": n.reason} for n in not_judged]
    return out


def passed(results: list[StackResult], not_judged: Sequence[NotJudged] = ()) -> bool:
    """The verdict a report shows: never "passed" while a stack went unjudged."""
    return not not_judged and all(r.passed for r in results)


def verdict(results: list[StackResult], not_judged: Sequence[NotJudged] = ()) -> str:
    if not_judged:
        return "incomplete"
    return "passed" if passed(results) else "failed"


def stack_verdict(r: StackResult) -> str:
    """One stack's verdict as reports print it: ``passed (no SES resources)`` where nothing SES was judged."""
    base = "passed" if r.passed else "failed"
    return f"{base} ({NO_SES})" if r.no_ses_resources else base


def summary_line(results: list[StackResult], not_judged: Sequence[NotJudged] = ()) -> str:
    """One line for stdout, stderr and CI logs.

    e.g. ``sesguard: 4 stacks, 0 mandatory, 2 advisory, 1 waived — passed``; a run that could not
    judge a stack ends ``— incomplete: 1 stack not judged (prod)``; stacks that declare no SES
    resource are named at the end (``; no SES resources in dev``).
    """
    t = totals(results, not_judged)
    stacks = f"{t['stacks']} stack{'' if t['stacks'] == 1 else 's'}"
    line = (
        f"sesguard: {stacks}, {t['mandatory']} mandatory, {t['advisory']} advisory, "
        f"{t['waived']} waived — {verdict(results, not_judged)}"
    )
    if not_judged:
        n = len(not_judged)
        names = ", ".join(escape.plain(x.stack) for x in not_judged)
        line += f": {n} stack{'' if n == 1 else 's'} not judged ({names})"
    empty = [r.stack for r in results if r.no_ses_resources]
    if empty:
        line += f"; {NO_SES} in {', '.join(empty)}"
    return inert(line)


def finding_order(f: Finding) -> tuple[Any, ...]:
    """What a reviewer reads first: blocking before advisory before waived, then severity, rule."""
    rank = SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
    return (f.waived, f.enforcement != "mandatory", rank, f.rule, f.resource, f.message)


def ordered(results: list[StackResult]) -> list[StackResult]:
    return [replace(r, findings=sorted(r.findings, key=finding_order)) for r in results]


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
            replace(
                r,
                project=clean(r.project) or "",
                stack=clean(r.stack) or "",
                findings=findings,
                file=clean(r.file),
            )
        )
    return out


_HUMAN_FORMATS = ("text", "markdown", "github")


def render(
    fmt: str,
    results: list[StackResult],
    policies: PolicySet,
    *,
    color: bool = False,
    secrets: Collection[str] = (),
    not_judged: Sequence[NotJudged] = (),
) -> str:
    """The whole report as text; ``color`` only matters to ``text`` (pass True on a terminal).

    ``not_judged`` names the stacks the run could not judge: every format then says the run is
    incomplete instead of passed.
    """
    if fmt not in FORMATS:
        raise SesguardError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"sesguard.report.{fmt}")
    results = ordered(redact(results, secrets))
    not_judged = [NotJudged(n.stack, _clean_reason(n.reason, secrets)) for n in not_judged]
    if fmt in _HUMAN_FORMATS:
        # The text report keeps every name on one line; markdown turns a line break into <br>
        # and the github format into %0A, so they keep the line breaks a message has.
        clean = escape.plain if fmt == "text" else escape.lines
        results = [_plain(r, clean) for r in results]
        not_judged = [NotJudged(escape.plain(n.stack), clean(n.reason)) for n in not_judged]
    if fmt == "text":
        return inert_lines(str(module.render(results, policies, not_judged, color=color)))
    text = str(module.render(results, policies, not_judged))
    if fmt in ("json", "sarif"):
        return json_safe(text)
    # markdown and junit on stdout: a message's line break (markdown keeps code snippets, XML
    # keeps text) must not start a line a CI runner takes for a command. The github format is
    # commands already, each escaped by its own rules.
    return text if fmt == "github" else inert_lines(text)


def _clean_reason(reason: str, secrets: Collection[str]) -> str:
    values = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LEN}
    for v in sorted(values, key=len, reverse=True):
        reason = reason.replace(v, SECRET)
    return reason


def _plain(r: StackResult, clean: Callable[[str], str]) -> StackResult:
    """A result whose text has no control characters, for the formats people read.

    Names (project, stack, file, rule, severity, resource) are always one line; messages and
    waiver reasons are cleaned by ``clean``.
    """
    one = escape.plain
    findings = [
        replace(
            f,
            rule=one(f.rule),
            title=one(f.title),
            severity=one(f.severity),
            resource=one(f.resource),
            message=clean(f.message),
            waiver=clean(f.waiver) if f.waiver is not None else None,
        )
        for f in r.findings
    ]
    return replace(
        r,
        project=one(r.project),
        stack=one(r.stack),
        file=one(r.file) if r.file else r.file,
        config_file=one(r.config_file) if r.config_file else r.config_file,
        findings=findings,
    )


# -- helpers shared by the formats -------------------------------------------------------------


def level(f: Finding) -> str:
    """How a finding reads in every format: ``waived``, else its enforcement."""
    return "waived" if f.waived else f.enforcement


def short_name(urn: str) -> str:
    """The logical name at the end of a URN, or the whole string when it is not a URN."""
    return urn.rsplit("::", 1)[-1] if urn else ""


def waiver_reason(f: Finding) -> str:
    return (f.waiver or "").strip() or "waived"


def fix(
    rule: Rule, language: str | None, thresholds: dict[str, float] | None = None
) -> tuple[str, str | None]:
    """How to fix a rule's findings: its neutral remediation, and its snippet in ``language`` if any.

    A rule judged against a tightened threshold (its description names `thresholds.<name>`) gets
    the value in force in both, in place of the default it is written with.
    """
    remediation, snippet = rule.remediation, rule.snippet(language)
    from sesguard.settings import DEFAULT_THRESHOLDS

    for name, value in (thresholds or {}).items():
        default = DEFAULT_THRESHOLDS.get(name)
        if default is None or value == default or f"thresholds.{name}" not in rule.description:
            continue
        number = re.compile(rf"(?<![\d.]){re.escape(f'{default:g}')}(?![\d])")
        remediation = number.sub(f"{value:g}", remediation)
        snippet = number.sub(f"{value:g}", snippet) if snippet else snippet
    return remediation, snippet


def answered(rule: Rule) -> bool:
    """A stub ``rules_for`` built from an engine's answer (no package of the catalog): its title and
    remediation are what a server sent, data to escape like any finding's text, never Markdown."""
    return not rule.package


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
