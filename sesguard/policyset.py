"""The policy pack on disk: Rego modules and the rule catalog read from their METADATA blocks.

The catalog (ids, slugs, titles, severities, default enforcement, remediation) is read from the
same `# METADATA` comments OPA attaches to each rule, so the Pulumi policy names, the docs and
the reports can never disagree with the Rego.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from sesguard.document import LANGUAGES
from sesguard.errors import SesguardError

if TYPE_CHECKING:
    from sesguard.engine.embedded import EmbeddedEngine


def _installed_pack() -> Path:
    """The pack installed with sesguard: the package ``sesguard_policies`` (policies/ in the repository).

    Located through the import system, so a wheel reads its own copy and an editable install the
    repository's policies/; never a path relative to this file.
    """
    spec = importlib.util.find_spec("sesguard_policies")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]) if locations else Path("sesguard_policies (not installed)")


POLICY_DIR = _installed_pack()
ENV_POLICIES = "SESGUARD_POLICIES"
# The pack's own ids; an organisation's rules use any other prefix (ORG-001, ACME-MAIL-2).
PACK_PREFIX = "SES-"
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
DOCS_URL = "https://github.com/sesguard/sesguard/blob/main/docs/rules.md"

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
    # False for an organisation's rule from --extra-policies (``file`` then starts with its folder).
    builtin: bool = True
    # An organisation rule's own documentation: METADATA `related_resources[0]` (OPA's annotation).
    link: str = ""

    @property
    def policy_name(self) -> str:
        """The Pulumi policy name, e.g. ``ses-005-dmarc-reject``."""
        return f"{self.id.lower()}-{self.slug}"

    def snippet(self, language: str | None) -> str | None:
        """The remediation snippet for ``language``, if the rule has one."""
        return next((code for lang, code in self.remediation_code if lang == language), None)

    @property
    def url(self) -> str:
        """Where the rule is documented: the pack's catalog, or an organisation rule's own link
        (empty without one: sesguard's catalog does not document it)."""
        return f"{DOCS_URL}#{self.id.lower()}" if self.builtin else self.link


@dataclass(frozen=True)
class PolicySet:
    root: Path
    modules: tuple[tuple[str, str], ...]  # (path relative to root, source)
    tests: tuple[tuple[str, str], ...]
    rules: Sequence[Rule]  # sorted by id; the installed pack's is read on first use (_LazyRules)

    # --extra-policies folders: the prefix of their modules' paths -> the folder on disk.
    extras: tuple[tuple[str, Path], ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def path_of(self, rel: str) -> Path:
        """Where a module (path as in ``modules``) lies on disk, for messages that name the file."""
        for prefix, folder in self.extras:
            if rel.startswith(prefix + "/"):
                return folder / rel[len(prefix) + 1 :]
        return self.root / rel


def package_of(text: str) -> str:
    """The package a Rego module declares (empty when it declares none)."""
    pkg = _PACKAGE.search(text)
    return pkg.group(1) if pkg else ""


class _LazyRules(Sequence[Rule]):
    """The installed pack's catalog, read from METADATA the first time a command looks at it.

    A check hands OPA the modules first and reads the catalog (PyYAML and 55 METADATA blocks,
    about 35 ms) while OPA compiles on its own thread; the installed pack's METADATA is held
    valid by its tests, so nothing is lost by reading it late.
    """

    def __init__(self, read: Callable[[], tuple[Rule, ...]]) -> None:
        self._read: Callable[[], tuple[Rule, ...]] | None = read
        self._rules: tuple[Rule, ...] = ()

    def _all(self) -> tuple[Rule, ...]:
        if self._read is not None:
            self._rules, self._read = self._read(), None
        return self._rules

    @overload
    def __getitem__(self, index: int) -> Rule: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Rule]: ...
    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._all())


def _metadata_blocks(path: str, text: str) -> list[dict]:
    # libyaml's loader (same safe constructors and resolvers) when PyYAML was built with it: the
    # pure Python one spends ~0.1 s on the 53 METADATA blocks. Imported here, off a check's
    # start-up path (see _LazyRules).
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    blocks = []
    for m in _METADATA.finditer(text):
        body = "\n".join(line[2:] if line.startswith("# ") else line[1:] for line in m.group(1).splitlines())
        try:
            data = yaml.load(body, Loader=loader)  # a safe loader
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
                link=_link(meta),
            )
        )
    return rules


def _link(meta: dict) -> str:
    related = meta.get("related_resources") or []
    first = related[0] if isinstance(related, list) and related else None
    ref = first.get("ref") if isinstance(first, dict) else first
    return ref if isinstance(ref, str) and ref.startswith(("https://", "http://")) else ""


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


def _read(root: Path, prefix: str = "") -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    modules: list[tuple[str, str]] = []
    tests: list[tuple[str, str]] = []
    for p in sorted(root.rglob("*.rego")):
        rel = (prefix + "/" if prefix else "") + p.relative_to(root).as_posix()
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SesguardError(f"{p}: cannot read policy: {exc}") from None
        (tests if p.name.endswith("_test.rego") else modules).append((rel, text))
    return modules, tests


_DENY = re.compile(r"^deny\b", re.MULTILINE)
_RULE_PACKAGE = re.compile(r"^ses\.[A-Za-z_][A-Za-z0-9_]*$")


def _extra_rules(
    folder: Path, prefix: str, modules: list[tuple[str, str]], pack_packages: set[str]
) -> list[Rule]:
    """An organisation's rules: same METADATA contract, their own ids and packages under ``ses.``."""
    rules: list[Rule] = []
    for rel, text in modules:
        path = folder / rel[len(prefix) + 1 :]
        pkg = _PACKAGE.search(text)
        name = pkg.group(1) if pkg else ""
        if not (name.startswith("ses.") or name.startswith("lib.")):
            raise SesguardError(
                f"{path}: package {name or '(none)'}: an organisation rule's package must be under "
                "`ses.` (its `deny` set is gathered from data.ses.<name>.deny) or `lib.` for helpers"
            )
        if name in pack_packages:
            raise SesguardError(f"{path}: package {name} is the pack's own: use a package of your own")
        found = [replace(r, file=rel, builtin=False) for r in _rules_of(str(path), text)]
        if (found or _DENY.search(text)) and not _RULE_PACKAGE.match(name):
            raise SesguardError(
                f"{path}: package {name}: a rule's package must be ses.<name> (one level: the entry "
                "point gathers data.ses[_].deny)"
            )
        if _DENY.search(text) and not found:
            raise SesguardError(
                f"{path}: `deny` without a # METADATA block with custom id, slug, severity, "
                "enforcement and remediation"
            )
        rules.extend(found)
    return rules


def _check_ids(policyset: PolicySet) -> None:
    seen: dict[str, str] = {}
    for rule in policyset.rules:
        where = policyset.path_of(rule.file)
        if not RULE_ID.match(rule.id):
            raise SesguardError(f"{where}: rule id {rule.id!r} is not of the form ABC-123")
        if not rule.builtin and rule.id.startswith(PACK_PREFIX):
            raise SesguardError(f"{where}: rule id {rule.id} collides with the pack's {PACK_PREFIX}* ids")
        if rule.id in seen:
            raise SesguardError(f"{where}: rule id {rule.id} is already defined in {seen[rule.id]}")
        seen[rule.id] = str(where)
        if rule.enforcement not in ENFORCEMENTS or rule.severity not in SEVERITIES:
            raise SesguardError(
                f"{where}: rule {rule.id}: severity must be one of {', '.join(SEVERITIES)} and "
                f"enforcement one of {', '.join(ENFORCEMENTS)}"
            )


ENFORCEMENTS = ("mandatory", "advisory", "disabled")
SEVERITIES = ("low", "medium", "high", "critical")


def default_root(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    """``SESGUARD_POLICIES`` when set (a customised copy of the pack), else the installed pack."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_POLICIES, "").strip()
    return Path(value) if value else POLICY_DIR


@cache
def load(root: Path | None = None, extras: tuple[Path, ...] = ()) -> PolicySet:
    """Read every .rego module under root (and each --extra-policies folder) once per process."""
    root = default_root() if root is None else root
    if not root.is_dir():
        raise SesguardError(f"{root}: policy directory not found")
    modules, tests = _read(root)
    pack_modules = tuple(modules)

    def pack_rules() -> tuple[Rule, ...]:
        rules = [rule for rel, text in pack_modules for rule in _rules_of(rel, text)]
        dupes = sorted({r.id for r in rules if [x.id for x in rules].count(r.id) > 1})
        if dupes:
            raise SesguardError(f"{root}: rule ids defined twice: {', '.join(dupes)}")
        return tuple(sorted(rules, key=lambda r: r.id))

    if not extras and root == POLICY_DIR:
        return PolicySet(root, pack_modules, tuple(tests), _LazyRules(pack_rules))
    rules = list(pack_rules())
    pack_packages = {package_of(t) for _, t in modules} - {""}
    prefixes: list[tuple[str, Path]] = []
    for folder in extras:
        folder = folder.resolve()
        if not folder.is_dir():
            raise SesguardError(f"{folder}: --extra-policies directory not found")
        prefix = f"extra/{folder.name}"
        if any(p == prefix for p, _ in prefixes):
            raise SesguardError(f"{folder}: another --extra-policies folder is also named {folder.name!r}")
        prefixes.append((prefix, folder))
        extra_modules, extra_tests = _read(folder, prefix)
        if not extra_modules:
            raise SesguardError(f"{folder}: no .rego modules in this --extra-policies folder")
        rules.extend(_extra_rules(folder, prefix, extra_modules, pack_packages))
        modules += extra_modules
        tests += extra_tests
    policyset = PolicySet(
        root, tuple(modules), tuple(tests), tuple(sorted(rules, key=lambda r: r.id)), tuple(prefixes)
    )
    if extras:
        _check_ids(policyset)
    return policyset


def from_args(args: object) -> PolicySet:
    """The policies a command runs: ``--policies``/SESGUARD_POLICIES and each ``--extra-policies``.

    Organisation rules are compiled once here, so Rego that does not compile is exit 2 naming its
    file in every command, even one (``policies``, ``bundle``) that never evaluates.
    """
    chosen = getattr(args, "policies", None)
    extras = tuple(Path(p) for p in getattr(args, "extra_policies", None) or ())
    allow_network = bool(getattr(args, "allow_network_builtins", False))
    return checked(Path(chosen) if chosen else None, extras, allow_network=allow_network)


def checked(root: Path | None, extras: tuple[Path, ...], *, allow_network: bool = False) -> PolicySet:
    """``load``, with a customised pack or organisation rules compiled (exit 2 naming the file
    when they do not) and held off the network and the environment (builtins_guard); the
    installed pack is compiled and held to both by its own tests."""
    policyset = load(root, extras)
    if extras or root is not None or default_root() != POLICY_DIR:
        if not allow_network:
            from sesguard import builtins_guard

            found = builtins_guard.problem(policyset.modules + policyset.tests, policyset.path_of)
            if found is not None:
                raise SesguardError(found)
        _compile(policyset)
    return policyset


def _compile(policyset: PolicySet) -> None:
    compiled_with_tests(policyset).close()


def compiled_with_tests(policyset: PolicySet) -> EmbeddedEngine:
    """An engine holding the modules and their tests, compiled; Rego that OPA refuses is exit 2
    with one line naming the file (every query would fail alike on it)."""
    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.errors import PolicyError

    try:
        engine = EmbeddedEngine(policyset, with_tests=True)
        try:
            engine.check_compiles()
        except PolicyError:
            engine.close()
            raise
    except PolicyError as exc:
        raise SesguardError(f"Rego does not compile: {compile_message(policyset, str(exc))}") from None
    return engine


_ERRORS_OCCURRED = re.compile(r"^(\d+) errors occurred:$")


def compile_message(policyset: PolicySet, message: str) -> str:
    """OPA's compilation error as one line naming the file: the first error, and how many more."""
    message = message.removeprefix(f"policies in {policyset.root}: ")
    message = message.removeprefix("bundle activation failed: ").removeprefix("1 error occurred: ")
    lines = message.splitlines()
    first = lines[0] if lines else message
    more = ""
    if (many := _ERRORS_OCCURRED.match(first)) and len(lines) > 1:
        # OPA lists each error on a line of its own, below the count.
        first, more = lines[1].strip(), f" (and {int(many.group(1)) - 1} more)"
    for prefix, folder in policyset.extras:
        first = first.replace(prefix + "/", f"{folder}/")
    for rel, _ in policyset.modules + policyset.tests:
        if first.startswith(rel + ":"):
            first = f"{policyset.root / rel}{first[len(rel) :]}"
            break
    return first + more
