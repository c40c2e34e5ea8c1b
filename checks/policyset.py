"""The policy pack on disk: Rego modules and the rule catalog read from their METADATA blocks.

The catalog (ids, slugs, titles, severities, default enforcement, remediation) is read from the
same `# METADATA` comments OPA attaches to each rule, so the Pulumi policy names, the docs and
the reports can never disagree with the Rego.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from checks.document import LANGUAGES
from checks.errors import SesguardError

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
DOCS_URL = "https://github.com/sesguard/sesguard/blob/main/docs/rules.md"

# libyaml's loader (same safe constructors and resolvers) when PyYAML was built with it: the pure
# Python one spends ~0.1 s of every command's start-up on the 53 METADATA blocks (issue 14).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_METADATA = re.compile(r"^# METADATA\n((?:#.*\n)+)", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    title: str
    description: str
    severity: str
    enforcement: str
    remediation: str
    package: str
    file: str
    # METADATA `custom.remediation_code`: (language, snippet) pairs, language one of
    # document.LANGUAGES; `remediation` stays the language-neutral text.
    remediation_code: tuple[tuple[str, str], ...] = ()

    @property
    def policy_name(self) -> str:
        """The Pulumi policy name, e.g. ``ses-005-dmarc-reject``."""
        return f"{self.id.lower()}-{self.slug}"

    def snippet(self, language: str | None) -> str | None:
        """The remediation snippet for ``language``, if the rule has one."""
        return next((code for lang, code in self.remediation_code if lang == language), None)

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}"


@dataclass(frozen=True)
class PolicySet:
    root: Path
    modules: tuple[tuple[str, str], ...]  # (path relative to root, source)
    tests: tuple[tuple[str, str], ...]
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _metadata_blocks(path: str, text: str) -> list[dict]:
    blocks = []
    for m in _METADATA.finditer(text):
        body = "\n".join(line[2:] if line.startswith("# ") else line[1:] for line in m.group(1).splitlines())
        try:
            data = yaml.load(body, Loader=_YAML_LOADER)  # a safe loader
        except yaml.YAMLError as exc:
            raise SesguardError(f"{path}: METADATA block is not valid YAML: {exc}") from None
        if isinstance(data, dict):
            blocks.append(data)
    return blocks


def _rules_of(path: str, text: str) -> list[Rule]:
    pkg = _PACKAGE.search(text)
    rules = []
    for meta in _metadata_blocks(path, text):
        custom = meta.get("custom") or {}
        if "id" not in custom:
            continue
        missing = [k for k in ("slug", "severity", "enforcement", "remediation") if k not in custom]
        if missing or "title" not in meta:
            raise SesguardError(
                f"{path}: rule {custom['id']} METADATA lacks {', '.join(missing or ['title'])}"
            )
        rules.append(
            Rule(
                id=str(custom["id"]),
                slug=str(custom["slug"]),
                title=str(meta["title"]),
                description=str(meta.get("description") or "").strip(),
                severity=str(custom["severity"]),
                enforcement=str(custom["enforcement"]),
                remediation=str(custom["remediation"]).strip(),
                package=pkg.group(1) if pkg else "",
                file=path,
                remediation_code=_remediation_code(path, custom),
            )
        )
    return rules


def _remediation_code(path: str, custom: dict) -> tuple[tuple[str, str], ...]:
    code = custom.get("remediation_code") or {}
    if not isinstance(code, dict) or not all(
        lang in LANGUAGES and isinstance(text, str) for lang, text in code.items()
    ):
        raise SesguardError(
            f"{path}: rule {custom['id']} remediation_code must map languages "
            f"({', '.join(LANGUAGES)}) to snippets"
        )
    return tuple((str(lang), text.strip("\n")) for lang, text in code.items())


@cache
def load(root: Path = POLICY_DIR) -> PolicySet:
    """Read every .rego module under root once per process."""
    if not root.is_dir():
        raise SesguardError(f"{root}: policy directory not found")
    modules, tests, rules = [], [], []
    for p in sorted(root.rglob("*.rego")):
        rel = p.relative_to(root).as_posix()
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SesguardError(f"{p}: cannot read policy: {exc}") from None
        if p.name.endswith("_test.rego"):
            tests.append((rel, text))
        else:
            modules.append((rel, text))
            rules.extend(_rules_of(rel, text))
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SesguardError(f"{root}: rule ids defined twice: {', '.join(dupes)}")
    return PolicySet(root, tuple(modules), tuple(tests), tuple(sorted(rules, key=lambda r: r.id)))
