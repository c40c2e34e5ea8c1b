"""Which rules can judge which kind of stack document.

Most rules judge every document. A few packages read what only one source provides (their Rego
guards on ``input.source``): the production-access request, the live account's facts, the DNS
answers a name server gave. On any other source they cannot fire, so a report must not present
them as passed (JUnit shows them as skipped, with the reason).
"""

from __future__ import annotations

from sesguard.policyset import Rule

# Rego package -> (the one source its rules judge, the command that produces that source).
ONLY_FOR: dict[str, tuple[str, str]] = {
    "ses.request": ("request", "sesguard request"),
    "ses.live": ("live", "sesguard audit"),
    "ses.dns": ("dns", "sesguard dns"),
}


def not_applicable(rule: Rule, source: str) -> str | None:
    """Why ``rule`` cannot judge a document from ``source``, or None when it can."""
    scope = ONLY_FOR.get(rule.package)
    if scope is None or scope[0] == source:
        return None
    return f"judges only {scope[0]} documents ({scope[1]}); this stack came from {source}"
