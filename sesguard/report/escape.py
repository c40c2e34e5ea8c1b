"""Text from a stack made safe for the formats people read: terminals, PR comments, CI logs.

Resource names, messages and waiver reasons come from the user's stack (or whoever wrote it), so
they must not be able to move a terminal's cursor or recolour it (ANSI escapes), reorder what a
reviewer sees (bidirectional overrides), or turn a PR comment into links, images, HTML or
``@mentions``. Control characters are shown as visible ``\\xNN`` escapes instead of being dropped,
so the text still says that something odd was there.

Nor may it start a line of output. A CI runner reads a step's output line by line and acts on
workflow commands: GitHub's runner takes a line for a command when it starts with ``::`` after
leading whitespace (``ActionCommand.TryParseV2``: ``message.TrimStart()``), and its legacy parser
takes ``##[`` anywhere in a line. So a name keeps no line break of any kind (``\\n``, ``\\r``,
``\\v``, ``\\f``, U+001C-U+001E, U+0085, U+2028, U+2029: every separator ``str.splitlines``
knows), and ``inert`` (sesguard/outputline.py) is the last step of every line sesguard prints.
"""

from __future__ import annotations

import re

# Bidirectional controls (Unicode "Cf") that reorder the text around them; the other Cf characters
# (zero-width joiners in emoji, soft hyphens) are harmless.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start links,
# images, emphasis, code, headings, strikethrough or table cells.
_MD_PUNCT = re.compile(r"([\\`*_\[\]()!|~#{}])")
# GitHub turns these into links after Markdown is parsed, so escaping cannot stop them; a word
# joiner (U+2060, invisible) breaks the pattern: mentions, team mentions, issue references,
# bare URLs and e-mail addresses.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(@)(?=[\w-])|(#)(?=\d)|(:)(?=//)|(www)(?=\.)", re.IGNORECASE)


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Every control character (Unicode "Cc": C0, DEL, C1, which holds every line break but the two
# below) except the tab, the line and paragraph separators, and the bidirectional controls.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI)) + "]")


def plain(text: str) -> str:
    """``text`` on one line without control characters: each becomes a visible escape (tabs stay)."""
    return _UNSAFE.sub(lambda m: _visible(m.group()), text)


def lines(text: str) -> str:
    """Several lines (a code snippet): each line ``plain``; ``\\r\\n`` and ``\\r`` read as ``\\n``."""
    return "\n".join(plain(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def markdown(text: str) -> str:
    """``text`` as literal inline Markdown on one line: no markup, HTML, links or mentions survive."""
    text = lines(text)
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _AUTOLINK.sub(lambda m: m.group(0) + _WJ, text)
    return text.replace("\n", "<br>")


def code_block(code: str, lang: str = "") -> str:
    """A fenced code block that the code cannot close early (the fence outgrows any backtick run)."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{lines(code)}\n{fence}"
