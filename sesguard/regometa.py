"""Which statement each ``# METADATA`` block of a Rego module annotates, as OPA attaches it.

OPA attaches a METADATA block to the next top-level statement after it, however many blank lines
lie between: above ``package`` it annotates the package, above ``deny`` that rule. A ``deny`` whose
findings come from ``result.finding(rego.metadata.rule(), ...)`` reads its own rule-scoped block;
without one, ``custom.id`` is undefined and the rule silently never reports, while the catalog
(which reads every block) still lists it. ``deny_problem`` finds such a rule before anything runs.

The scanner tracks braces, brackets and parentheses outside strings and comments, so only
top-level statements count: a ``deny`` inside a rule body or a string is not a rule head.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sesguard.errors import SesguardError

_HEAD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Statement:
    """A top-level statement: its first line (1-based), its first word and the block on it."""

    line: int
    head: str
    text: str
    metadata: dict[str, Any] | None = None
    metadata_line: int | None = None


def _parse_block(path: str, line: int, comment_lines: list[str]) -> dict[str, Any]:
    import yaml  # as policyset reads METADATA: off a check's start-up path

    body = "\n".join(c[2:] if c.startswith("# ") else c[1:] for c in comment_lines)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(body, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        raise SesguardError(f"{path}:{line}: METADATA block is not valid YAML: {exc}") from None
    return data if isinstance(data, dict) else {}


def _depth_after(line: str, depth: int, in_raw: bool) -> tuple[int, bool]:
    """Nesting depth and raw-string state at the end of ``line`` (strings and comments skipped)."""
    in_str = escaped = False
    for ch in line:
        if in_raw:
            in_raw = ch != "`"
        elif in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == "#":
            break
        elif ch == '"':
            in_str = True
        elif ch == "`":
            in_raw = True
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth = max(depth - 1, 0)
    return depth, in_raw


def statements(path: str, text: str) -> list[Statement]:
    """The module's top-level statements, each with the METADATA block OPA attaches to it."""
    lines = text.splitlines()
    out: list[Statement] = []
    depth, in_raw = 0, False
    pending: tuple[int, dict[str, Any]] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        at_top = depth == 0 and not in_raw
        # As OPA's parser: a comment at column 1 whose text starts with METADATA opens a block,
        # which runs over the comment lines right below it.
        if at_top and line.startswith("#") and line[1:].strip().startswith("METADATA"):
            j = i + 1
            while j < len(lines) and lines[j].startswith("#"):
                j += 1
            pending = (i + 1, _parse_block(path, i + 1, lines[i + 1 : j]))
            i = j
            continue
        if at_top and line.strip() and not line.lstrip().startswith("#"):
            word = _HEAD.match(line.lstrip())
            block, where = (pending[1], pending[0]) if pending else (None, None)
            out.append(Statement(i + 1, word.group(0) if word else "", line.strip(), block, where))
            pending = None
        depth, in_raw = _depth_after(line, depth, in_raw)
        i += 1
    return out


def _rule_scoped_id(meta: dict[str, Any] | None) -> bool:
    if meta is None or meta.get("scope", "rule") != "rule":
        return False
    custom = meta.get("custom")
    return isinstance(custom, dict) and custom.get("id") is not None


def deny_problem(path: str, text: str) -> str | None:
    """One line naming the first ``deny`` rule that would never report, with the fix; None if none.

    A ``deny`` needs a rule-scoped METADATA block carrying ``custom.id`` directly above it. A block
    with ``custom.id`` that annotates the package (or anything but a ``deny``) is named too.
    """
    found = statements(path, text)
    package = next((s for s in found if s.head == "package"), None)
    stray = next(
        (
            s
            for s in found
            if s.metadata is not None
            and isinstance(s.metadata.get("custom"), dict)
            and s.metadata["custom"].get("id") is not None
            and (s.head != "deny" or not _rule_scoped_id(s.metadata))
        ),
        None,
    )
    below = f"below `{package.text}`" if package is not None else "below the `package` line"
    for s in found:
        if s.head != "deny" or _rule_scoped_id(s.metadata):
            continue
        why = f" (the block at line {stray.metadata_line} {_stray_target(stray)})" if stray else ""
        return (
            f"{path}:{s.line}: `deny` without a # METADATA block of its own carrying custom.id, so it "
            f"would never report{why}: put `# METADATA` with title and custom id, slug, severity, "
            f"enforcement and remediation directly above this `deny`, {below}"
        )
    if stray is not None and stray.metadata is not None:
        rule_id = stray.metadata["custom"]["id"]
        return (
            f"{path}:{stray.metadata_line}: the # METADATA block {_stray_target(stray)}, so {rule_id} "
            f"would be listed but never report: put it directly above the `deny` it describes, "
            f"{below}, with no `scope` (or `scope: rule`)"
        )
    return None


def _stray_target(s: Statement) -> str:
    """What a block carrying custom.id annotates instead of one `deny` rule, in words."""
    meta = s.metadata or {}
    rule_id = meta["custom"]["id"]
    if s.head == "package":
        return f"with custom.id {rule_id} annotates the package"
    if s.head == "deny":
        return f"with custom.id {rule_id} has scope {meta.get('scope')!s}, not rule"
    return f"with custom.id {rule_id} annotates `{s.text}`, not a `deny`"
