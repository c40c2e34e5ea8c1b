"""Decoys: broken senders mixed into every stack an OPA server judges, so it cannot lie unseen.

An OPA server can answer well-formed JSON without evaluating sesguard's policies honestly. A
separate canary request does not catch that: a server can recognise it, answer it truthfully and
answer real work with ``[]``. So the server engine never sends a request of its own: it adds
decoys to the stack document it judges (one request), requires exactly the decoys' known findings
back, and strips them before the verdict.

The decoys (package data ``schema/decoys-v1.json``, built by tests/fixtures/decoys/generate.py)
are copies of a compliant sender (identity, MAIL FROM, configuration set, event destination, feedback
topic, queue, DNS records), each with one part broken, together breaking every rule a sender's own
resources can break. On every request they get fresh random names shaped like the judged stack's
own (its URN prefix, its naming style, its top-level domain, its region and account), so nothing
tells a decoy from the stack's resources.

What keeps the stack's own verdict unchanged (tests/test_decoys.py checks it over the corpus):
- Decoys name only each other (their own random domains, configuration sets, topics, zones), so no
  rule joins a decoy with a resource of the stack.
- Decoys carry no account-wide resource: no account suppression list, no CloudWatch alarm, no
  contact list. Those could satisfy (or break) the stack-level rules SES-016, SES-021, SES-022 and
  SES-025 for the stack itself. Those rules are judged from the stack's own resources; their
  stack-level finding (no resource) is *expected* whenever its answer is known without the server:
  a stack with no suppression list and no setting saying another stack owns it draws SES-016, a
  stack with no CloudWatch alarm draws SES-021 and SES-022.
- Decoys make the document an SES stack. A stack declaring no ``aws:ses`` resource is judged only
  by the rules that do not need one (``UNGATED``); what the others find there is the decoys' doing.

Limits (README, docs/ci.md): an organisation's own rules (--extra-policies) have no decoys; a server
that recognises the stack's own alarms or suppression list (decoys have none) could misjudge them.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from sesguard.document import UNKNOWN, Document
from sesguard.engine import Settings
from sesguard.findings import Finding

DESCRIPTION = (
    "Decoy senders the server engine mixes into every stack document it sends an OPA server, under "
    "fresh random names; the server must return exactly the findings under `expected` for them "
    "(less the rules a run disables). Built by tests/fixtures/decoys/generate.py: regenerate when "
    "a rule changes."
)
# What changes the findings a decoy draws: DNS published outside the stack (dns.external_all in
# policies/lib/dns.rego), and a stack whose region is not known (a MAIL FROM MX cannot be verified).
VARIANTS: dict[str, tuple[dict[str, Any], str | None]] = {
    "dns-declared": ({}, "us-east-1"),
    "dns-external": ({"sesguard:externalDns": True}, "us-east-1"),
    "dns-declared, region unknown": ({}, None),
    "dns-external, region unknown": ({"sesguard:externalDns": True}, None),
}
# Built-in rules that judge a stack declaring no aws:ses resource (the others need one).
UNGATED = frozenset({"SES-023", "SES-025", "SES-026"})
_SUPPRESSION = "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"
_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
_CONTACT_LIST = "aws:sesv2/contactList:ContactList"
_PLACEHOLDER = re.compile(r"@(URN|REGION|ACCOUNT|[NDZ]\d+[ctk]?)@(-[a-z0-9-]+)?")
_WORDS = ("mail", "notify", "send", "relay", "post", "alert", "news", "info", "msg", "mx", "app")


@cache
def template() -> dict[str, Any]:
    text = importlib_resources.files("sesguard").joinpath("schema/decoys-v1.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def bare_document(config: dict[str, Any], region: str | None) -> Document:
    """An SES stack of nothing but decoys, as the generator records their findings."""
    return {
        "schema": "sesguard/stack/v1",
        "source": "program",
        "project": "decoys",
        "stack": "generate",
        "region": region,
        "config": {**({"aws:region": region} if region else {}), **config},
        "resources": [],
        "facts": {},
    }


def variant(document: Document) -> str:
    """Which recorded findings the decoys draw under this document's config."""
    config = document.get("config")
    config = config if isinstance(config, dict) else {}
    project = document.get("project") if isinstance(document.get("project"), str) else "ses-sender"
    dns = "dns-declared"
    for key in ("ses-sender:dns", f"{project}:dns"):
        if _show(_config(config.get(key))).lower() == "external":
            dns = "dns-external"
    if _show(_config(config.get("sesguard:externalDns"))).lower() == "true":
        dns = "dns-external"
    return dns if _region(document) else f"{dns}, region unknown"


def _region(document: Document) -> str:
    """The stack's region as the rules read it (lib.regions.stack: the document's, else its
    aws:region config), or "" when not known. A value the rules would take but that is not a
    region's shape is not used either: the decoys then disagree with the answer, and the run stops."""
    config = document.get("config")
    for region in (document.get("region"), config.get("aws:region") if isinstance(config, dict) else None):
        if isinstance(region, str) and region and region != UNKNOWN:
            return region if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region) else ""
    return ""


def _config(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _show(value: Any) -> str:
    """Rego's sprintf("%v") of the values that matter here."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else ""


# -- names shaped like the stack's own ---------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    urn_prefix: str
    words: tuple[str, ...]  # the stack's own name parts, the decoys' names are made of
    style: str  # "kebab", "camel" (CloudFormation logical ids) or "dotted" (Terraform addresses)
    tld: str
    region: str
    account: str


def _shape(document: Document) -> _Shape:
    resources = [r for r in document.get("resources") or () if isinstance(r, dict)]
    urns = [r["urn"] for r in resources if isinstance(r.get("urn"), str) and r["urn"].count("::") >= 3]
    if urns:
        prefix = "::".join(urns[0].split("::")[:2]) + "::"
    else:
        prefix = f"urn:pulumi:{document.get('stack') or 'stack'}::{document.get('project') or 'project'}::"
    names = [r["name"] for r in resources if isinstance(r.get("name"), str)]
    parts = {w.lower() for n in names for w in re.findall(r"[A-Za-z]{3,12}", n)}
    words = tuple(sorted(parts - {"aws", "module", "data"})) or _WORDS
    if names and sum("." in n for n in names) * 2 > len(names):
        style = "dotted"
    elif names and sum(bool(re.fullmatch(r"[A-Z][A-Za-z0-9]*", n)) for n in names) * 2 > len(names):
        style = "camel"
    else:
        style = "kebab"
    tlds = [
        r["props"]["emailIdentity"].rsplit(".", 1)[1]
        for r in resources
        if isinstance(r.get("props"), dict)
        and isinstance(r["props"].get("emailIdentity"), str)
        and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", r["props"]["emailIdentity"])
    ]
    # Not known: the decoys' MAIL FROM MX records are unknown too, as a region-agnostic stack's are.
    region = _region(document)
    accounts = re.findall(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", json.dumps(resources))
    account = (
        Counter(accounts).most_common(1)[0][0]
        if accounts
        else "".join(secrets.choice("0123456789") for _ in range(12))
    )
    return _Shape(prefix, words, style, tlds[0] if tlds else "com", region, account)


def _name(slug: str, role: str, style: str) -> str:
    parts = role.strip("-").split("-")
    if style == "camel":  # CloudFormation logical ids are letters and digits only
        return "".join(p.capitalize() for p in [*slug.split("-"), *parts])
    if style == "dotted":
        return f"{slug}.{'_'.join(parts)}"
    return f"{slug}-{'-'.join(parts)}"


class _Names:
    """Fresh random names for one request (``seed`` only for the generator's fixed output)."""

    def __init__(self, shape: _Shape, seed: str | None, text: str) -> None:
        self.shape = shape
        self.text = text.lower()  # the stack document's own text
        self.seed = seed
        self.given: dict[str, str] = {}

    def _slug(self, key: str) -> str:
        if key not in self.given:
            if self.seed is not None:
                self.given[key] = f"{self.seed}{len(self.given)}"
            else:
                self.given[key] = self._fresh()
        return self.given[key]

    def _fresh(self) -> str:
        """Two of the stack's own words and a number (no fixed pattern marks a decoy), never a slug
        given before nor text the stack holds: a decoy must not join anything but itself."""
        words = self.shape.words
        taken = set(self.given.values())
        for _ in range(200):  # bounded; a clash is rare
            slug = f"{secrets.choice(words)}-{secrets.choice(words)}{secrets.randbelow(1000)}"
            if slug not in taken and slug not in self.text:
                return slug
        return "n" + secrets.token_hex(8)

    def sub(self, m: re.Match[str]) -> str:
        key, role = m.group(1), m.group(2) or ""
        if key == "URN":
            return self.shape.urn_prefix + role
        if key == "REGION":
            return (self.shape.region or "us-east-1") + role
        if key == "ACCOUNT":
            return self.shape.account + role
        slug = self._slug(key)
        if key.startswith("D"):
            return f"{slug}.{self.shape.tld}{role}"
        if key.startswith("Z"):  # a Route 53 zone id: Z and upper-case letters and digits
            return "Z" + slug.upper().replace("-", "") + role
        if role:
            return _name(slug, role, self.shape.style)
        return slug


def _filled(value: Any, names: _Names) -> Any:
    return json.loads(_PLACEHOLDER.sub(names.sub, json.dumps(value)))


def fill(
    tpl: dict[str, Any], document: Document, *, seed: str | None = None
) -> tuple[Document, dict[str, str]]:
    """``document`` with every decoy added under fresh names; and each decoy URN of the template
    (placeholders and all) -> the URN it got."""
    names = _Names(_shape(document), seed, json.dumps(document.get("resources") or []))
    placed: dict[str, str] = {}
    added: list[dict[str, Any]] = []
    for decoy in tpl["decoys"]:
        for r in decoy["resources"]:
            real = _filled(r, names)
            if not names.shape.region and real["props"].get("type") == "MX":
                real["props"]["records"] = [UNKNOWN]
            placed[r["urn"]] = real["urn"]
            added.append(real)
    # Dependencies are rewritten with the same names: fill each resource once, in one pass above.
    resources = [*(document.get("resources") or []), *added]
    if seed is None:  # in random order: decoys neither trail the stack's resources nor sit together
        secrets.SystemRandom().shuffle(resources)
    mixed = {**document, "resources": resources}
    return mixed, placed


def expected_from(found: list[Finding], placed: dict[str, str]) -> list[dict[str, str]]:
    """What a decoy document drew, by template URN (the generator's record)."""
    back = {real: urn for urn, real in placed.items()}
    return sorted(
        ({"rule": f.rule, "resource": back[f.resource]} for f in found if f.resource in back),
        key=lambda e: (e["rule"], e["resource"]),
    )


# -- one judged document ----------------------------------------------------------------------

Key = tuple[str, str, bool]  # rule, resource, waived


@dataclass
class Mixed:
    """A document with its decoys, and what the server's answer must hold for them."""

    document: Document
    decoy_urns: frozenset[str]
    expected: Counter[Key]
    # Stack-level findings (no resource) whose presence is known without the server.
    stack_expected: frozenset[str]
    ses_stack: bool
    waivable: frozenset[str]
    disabled: frozenset[str]
    template_rules: int

    def verdict(self, found: list[Finding]) -> tuple[list[Finding] | None, str | None]:
        """The stack's own findings, or why the answer cannot be believed."""
        if len({rule for rule, _, _ in self.expected}) < self.template_rules // 2:
            # Settings that switch off most of what the decoys break would let an empty answer pass.
            return (
                None,
                f"nothing to compare: the settings disable {len(self.disabled)} rules the decoys break",
            )
        got: Counter[Key] = Counter()
        for f in found:
            # An organisation's rules may judge decoys too: what they find there is not checked.
            if f.resource in self.decoy_urns and f.rule.startswith("SES-"):
                got[(f.rule, f.resource, f.waived and f.rule not in self.waivable)] += 1
        problems = []
        if got != self.expected:
            missing, extra = self.expected - got, got - self.expected
            if missing:
                problems.append(f"{sum(missing.values())} expected finding(s) missing ({_rules(missing)})")
            if extra:
                problems.append(f"{sum(extra.values())} unexpected finding(s) ({_rules(extra)})")
        stack_level = {f.rule for f in found if f.resource == ""}
        absent = sorted(self.stack_expected - stack_level)
        if absent:
            problems.append(f"stack-level finding(s) missing ({', '.join(absent)})")
        if problems:
            return None, "; ".join(problems)
        own = [f for f in found if f.resource not in self.decoy_urns]
        if not self.ses_stack:
            # The decoys made it an SES stack: only rules that judge it without one are its own.
            own = [f for f in own if f.rule in UNGATED or not f.rule.startswith("SES-")]
        return own, None


def mix(document: Document, settings: Settings) -> Mixed:
    """``document`` with fresh decoys, and what the answer must hold under ``settings``."""
    tpl = template()
    mixed, placed = fill(tpl, document)
    disabled = frozenset(rule for rule, level in settings.levels.items() if level == "disabled")
    expected: Counter[Key] = Counter()
    recorded = tpl["expected"][variant(document)]
    for e in recorded:
        if e["rule"] not in disabled:
            expected[(e["rule"], placed[e["resource"]], False)] += 1
    own = [r for r in document.get("resources") or () if isinstance(r, dict)]
    types = {r.get("type") for r in own if isinstance(r.get("type"), str)}
    ses_stack = any(t.startswith("aws:ses") for t in types)  # type: ignore[union-attr]
    config = document.get("config") if isinstance(document.get("config"), dict) else {}
    stack_expected = set()
    if ses_stack:
        project = document.get("project") or ""
        owners = (
            f"{project}:accountSuppression",
            "ses-sender:accountSuppression",
            "sesguard:accountSuppression",
        )
        if _SUPPRESSION not in types and not any(k in config for k in owners):  # type: ignore[operator]
            stack_expected.add("SES-016")
        if _ALARM not in types:
            stack_expected |= {"SES-021", "SES-022"}
    if _CONTACT_LIST not in types and _marketing(config, document.get("project")):  # type: ignore[arg-type]
        stack_expected.add("SES-025")
    return Mixed(
        document=mixed,
        decoy_urns=frozenset(placed.values()),
        expected=expected,
        stack_expected=frozenset(stack_expected - disabled),
        ses_stack=ses_stack,
        waivable=_waivable(settings, config),  # type: ignore[arg-type]
        disabled=disabled,
        template_rules=len({e["rule"] for e in recorded}),
    )


def _marketing(config: dict[str, Any], project: Any) -> bool:
    """The stack says it sends MARKETING mail (sending.setting("mailType"), every prefix agreeing)."""
    values = [config.get(f"{p}:mailType") for p in (project or "", "ses-sender", "sesguard")]
    values = [v for v in values if v is not None]
    return bool(values) and all(isinstance(v, str) and v.strip().upper() == "MARKETING" for v in values)


def _waivable(settings: Settings, config: dict[str, Any]) -> frozenset[str]:
    """Rules a waiver names without a resource: it may waive a decoy's finding too."""
    waivers: Any = config.get("sesguard:waivers")
    if isinstance(waivers, str):
        try:
            waivers = json.loads(waivers)
        except ValueError:
            waivers = []
    listed = [*settings.waivers, *(waivers if isinstance(waivers, list) else [])]
    return frozenset(str(w.get("rule")) for w in listed if isinstance(w, dict) and not w.get("resource"))


def _rules(c: Counter[Key]) -> str:
    return ", ".join(sorted({rule for rule, _, _ in c}))
