"""JUnit XML for CI test tabs: one testsuite per stack, one testcase per catalog rule per stack.

A rule with an unwaived mandatory finding fails; a rule whose only findings are waived is skipped
with the waiver's reason; a rule that cannot judge the stack's source at all (the request, live and
published-DNS rules on a stack) is skipped with that reason, never shown as passed; advisory
findings pass and are listed in ``system-out``. A stack the run could not judge is a testsuite
with one errored testcase saying why.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from sesguard.applicability import not_applicable
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet, Rule
from sesguard.report import NO_SES, NO_SES_DETAIL, fix, rules_for, short_name, waiver_reason

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them raw.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _lines(findings: list[Finding]) -> str:
    return "\n".join(f"{short_name(f.resource) or '-'}: {f.message}" for f in findings)


def _testcase(suite: ET.Element, r: StackResult, rule: Rule, findings: list[Finding]) -> dict[str, int]:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"sesguard.{r.project}.{r.stack}",
        name=f"{rule.id} {rule.slug}: {rule.title}",
    )
    reason = not_applicable(rule, r.source)
    if reason is not None and not findings:
        ET.SubElement(case, "skipped", message=f"not applicable: {reason}")
        return {"failures": 0, "skipped": 1}
    blocking = [f for f in findings if f.blocking]
    advisory = [f for f in findings if f.enforcement == "advisory" and not f.waived]
    waived = [f for f in findings if f.waived]
    if blocking:
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{len(blocking)} mandatory finding{'s'[: len(blocking) - 1]}: {blocking[0].message}",
            type="mandatory",
        )
        remediation, snippet = fix(rule, r.language, r.thresholds)
        failure.text = (
            _lines(blocking)
            + (f"\n\nRemediation:\n{remediation}" if remediation else "")
            + (f"\n\n{snippet}" if snippet else "")
        )
    elif waived and not advisory:
        ET.SubElement(
            case, "skipped", message="waived: " + "; ".join(sorted({waiver_reason(f) for f in waived}))
        )
    out = [f"advisory: {line}" for line in _lines(advisory).splitlines()]
    out += [f"waived ({waiver_reason(f)}): {short_name(f.resource) or '-'}: {f.message}" for f in waived]
    if out:
        ET.SubElement(case, "system-out").text = "\n".join(out)
    return {
        "failures": 1 if blocking else 0,
        "skipped": 1 if (waived and not blocking and not advisory) else 0,
    }


def _not_judged_suite(root: ET.Element, n: NotJudged) -> None:
    suite = ET.SubElement(root, "testsuite", name=n.stack, tests="1", failures="0", errors="1", skipped="0")
    case = ET.SubElement(suite, "testcase", classname=f"sesguard.{n.stack}", name="stack judged")
    ET.SubElement(case, "error", message=f"not judged: {n.reason}", type="not-judged")


def render(results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()) -> str:
    rules = rules_for(results, policies)
    root = ET.Element("testsuites", name="sesguard")
    total = {"tests": 0, "failures": 0, "skipped": 0}
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=f"{r.project}/{r.stack}")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="source", value=r.source)
        if r.file:
            ET.SubElement(props, "property", name="file", value=r.file)
        if r.no_ses_resources:
            ET.SubElement(props, "property", name="note", value=NO_SES)
        for rule in rules:
            c = _testcase(suite, r, rule, [f for f in r.findings if f.rule == rule.id])
            counts["tests"] += 1
            counts["failures"] += c["failures"]
            counts["skipped"] += c["skipped"]
        if r.no_ses_resources:
            ET.SubElement(suite, "system-out").text = f"{NO_SES}: {NO_SES_DETAIL}"
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        for k in total:
            total[k] += counts[k]
    for n in not_judged:
        _not_judged_suite(root, n)
    total["tests"] += len(not_judged)
    for key, count in total.items():
        root.set(key, str(count))
    root.set("errors", str(len(not_judged)))
    ET.indent(root)
    for el in root.iter():
        if el.text:
            el.text = _x(el.text)
        for name, value in el.attrib.items():
            el.set(name, _x(value))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
