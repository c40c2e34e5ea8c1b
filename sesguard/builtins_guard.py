"""Organisation Rego may not reach the network or the process: checked when the policies load.

`sesguard check`, `policies` and `bundle` compile and evaluate an organisation's rules
(--extra-policies, --policies) in this process. OPA's `http.send` and `net.lookup_ip_addr` would let
them reach the network while a stack is judged, and `opa.runtime()` hands them the environment
(credentials, tokens). OPA would leave them out with capabilities, but the embedded engine
(opa-golib-python-bindings) takes none: so the modules' text is read for calls to them, outside
comments and string literals, and a module that calls one is refused naming its file and line,
unless the run allows it (--allow-network-builtins). Rego has no way to call a builtin but by its
name, so the name is enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

FORBIDDEN = {
    "http.send": "reaches the network",
    "net.lookup_ip_addr": "resolves names over the network",
    "opa.runtime": "reads the process's environment (credentials, tokens)",
}
# A string ("..." with escapes, or `raw`) or a comment; what is left is code.
_NOT_CODE = re.compile(r'"(?:\\.|[^"\\\n])*"|`[^`]*`|#[^\n]*')
_CALL = re.compile(r"\b(http\s*\.\s*send|net\s*\.\s*lookup_ip_addr|opa\s*\.\s*runtime)\b")


def _blanked(text: str) -> str:
    """``text`` with strings and comments replaced by spaces (newlines kept: lines stay lines)."""
    return _NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def problem(modules: Iterable[tuple[str, str]], locate: Callable[[str], Path]) -> str | None:
    """The first call to a forbidden builtin, as ``<file>:<line>: ...``, or None."""
    for path, text in modules:
        code = _blanked(text)
        m = _CALL.search(code)
        if m:
            name = re.sub(r"\s+", "", m.group(1))
            line = code.count("\n", 0, m.start()) + 1
            return (
                f"{locate(path)}:{line}: calls {name}, which {FORBIDDEN[name]}: rules judge offline "
                "(give --allow-network-builtins to allow it)"
            )
    return None
