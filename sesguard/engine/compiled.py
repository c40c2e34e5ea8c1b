"""Policies proven to compile: the check every command runs on a customised pack or an
organisation's rules before using them, and the compiled engine `sesguard test` runs on.

Here, not in policyset.py: the policy set is read without the engine, and the engine reads the
policy set, so the one step that needs both sits above both (no import cycle).
"""

from __future__ import annotations

from pathlib import Path

from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import PolicyError, SesguardError
from sesguard.policyset import POLICY_DIR, PolicySet, compile_message, default_root, load


def checked(root: Path | None, extras: tuple[Path, ...], *, allow_network: bool = False) -> PolicySet:
    """``load``, with a customised pack or organisation rules compiled (exit 2 naming the file
    when they do not) and held off the network and the environment (builtins_guard) unless the run
    allows it; the installed pack is compiled and held to both by its own tests."""
    policyset = load(root, extras)
    if extras or root is not None or default_root() != POLICY_DIR:
        if not allow_network:
            from sesguard import builtins_guard

            found = builtins_guard.problem(policyset.modules + policyset.tests, policyset.path_of)
            if found is not None:
                raise SesguardError(found)
        with_tests(policyset).close()
    return policyset


def with_tests(policyset: PolicySet) -> EmbeddedEngine:
    """An engine holding the modules and their tests, compiled; Rego that OPA refuses is exit 2
    with one line naming the file (every query would fail alike on it)."""
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
