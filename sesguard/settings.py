"""Rule settings for one run: levels, thresholds and file waivers, parsed from their command-line text.

What a run may change without touching the Rego; a malformed setting is exit 2, never ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sesguard.engine import Settings
from sesguard.errors import InputError, SesguardError, warn
from sesguard.policyset import RULE_ID, PolicySet
from sesguard.sources.common.reading import decode_text

LEVELS = ("mandatory", "advisory", "disabled")

# The Rego's defaults (policies/lib/result.rego `default_thresholds`; a test keeps the two equal).
# Overrides only tighten: a value above its default changes nothing, and the user is told so.
DEFAULT_THRESHOLDS = {"bounce_rate": 0.05, "complaint_rate": 0.001, "spf_lookups": 10.0}

_THRESHOLD = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_levels(items: Iterable[str], policies: PolicySet | None = None) -> dict[str, str]:
    levels: dict[str, str] = {}
    for item in items:
        rule, sep, level = item.partition("=")
        rule, level = rule.strip().upper(), level.strip().lower()
        if not sep or not RULE_ID.match(rule) or level not in LEVELS:
            raise SesguardError(f"--level {item!r}: expected ID=LEVEL with LEVEL one of {', '.join(LEVELS)}")
        if policies is not None and policies.rule(rule) is None:
            raise SesguardError(f"--level {item!r}: no rule {rule} in {policies.root}")
        levels[rule] = level
    return levels


def parse_thresholds(items: Iterable[str]) -> dict[str, float]:
    thresholds: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not sep or not _THRESHOLD.match(name) or not value >= 0 or value == float("inf"):
            raise SesguardError(
                f"--threshold {item!r}: expected NAME=VALUE with a number, e.g. bounce_rate=0.02"
            )
        thresholds[name] = value
        for problem in threshold_problems({name: value}):
            warn(f"--threshold {item}: {problem}")
    return thresholds


def threshold_problems(values: Any) -> list[str]:
    """Why threshold overrides will change nothing: unknown, not a number, or looser than the default."""
    if not isinstance(values, dict):
        return ["expected a mapping of threshold names to numbers; ignored"]
    problems = []
    for name, value in values.items():
        default = DEFAULT_THRESHOLDS.get(name)
        if default is None:
            problems.append(f"{name}: no such threshold ({', '.join(DEFAULT_THRESHOLDS)}); ignored")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{name}: not a number; ignored (the default {default:g} applies)")
        elif value > default:
            problems.append(
                f"{name}={value:g} is looser than the default {default:g}; ignored (thresholds only tighten)"
            )
    return problems


def config_threshold_warnings(config: Any) -> list[str]:
    """Problems with a stack's `sesguard:thresholds` config, for stderr before it is judged."""
    if not isinstance(config, dict) or "sesguard:thresholds" not in config:
        return []
    return [f"sesguard:thresholds {p}" for p in threshold_problems(config["sesguard:thresholds"])]


def _jsonable(value: Any) -> Any:
    # YAML reads `expires: 2026-01-31` as a date; the engines and the Rego compare ISO strings.
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def load_waivers(path: str) -> list[Any]:
    """A waiver file: a YAML/JSON list, or a mapping with a ``waivers`` list (bad file -> exit 2).

    The waivers themselves are judged by the Rego (SES-026), so one without a reason or expiry is a
    finding, not an input error.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read waiver file: {exc.strerror or exc}") from None
    text = decode_text(raw, path)
    if not text.strip():
        raise InputError(path, "waiver file is empty")
    # Imported here: PyYAML is paid for only by a run that reads a waiver file; a cold check hands
    # OPA its policies before it (the engine is built from these settings).
    import yaml

    from sesguard import yamlio

    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"not valid YAML or JSON{at}: {problem}") from None
    if isinstance(data, dict) and "waivers" in data:
        data = data["waivers"]
    if not isinstance(data, list):
        raise InputError(path, "expected a list of waivers (or a mapping with a `waivers` list)")
    return [_jsonable(w) for w in data]


def parse(
    levels: Sequence[str] = (),
    thresholds: Sequence[str] = (),
    waivers: str | None = None,
    policies: PolicySet | None = None,
) -> Settings:
    """The settings of ``--level ID=LEVEL``, ``--threshold NAME=VALUE`` and a ``--waivers`` file."""
    return Settings(
        levels=parse_levels(levels, policies),
        thresholds=parse_thresholds(thresholds),
        waivers=load_waivers(waivers) if waivers else [],
    )
