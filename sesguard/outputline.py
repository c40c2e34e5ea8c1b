"""The last step of every line sesguard prints: no CI runner may take it for a workflow command.

A CI runner reads a step's output (stdout and stderr) line by line. GitHub's runner takes a line
for a command when it starts with ``::`` after leading whitespace (``ActionCommand.TryParseV2``
trims it), and its legacy parser takes ``##[`` anywhere in a line (``ActionCommand.TryParse``);
Azure Pipelines takes ``##vso[`` anywhere. Names from an input may hold any of these, so each
becomes a visible escape: the reader still sees what the text said.
"""

from __future__ import annotations

import re
import unicodedata

# What a line may start with that a reader (and a parser that trims) does not see: whitespace,
# format characters and the Hangul and Braille fillers.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")


def _hidden(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Mn", "Me", "Cc")


def inert(line: str) -> str:
    """One line of output that no CI runner can take for a workflow command.

    ``::`` after leading blanks or invisible characters becomes ``\\x3a:``, and ``##[`` (or Azure
    Pipelines' ``##vso[``) anywhere becomes ``##\\x5b``: visible, and the reader still sees what
    the text said.
    """
    line = line.replace("##[", "##\\x5b").replace("##vso[", "##vso\\x5b")
    start = next((i for i, ch in enumerate(line) if not _hidden(ch)), len(line))
    if line.startswith("::", start):
        line = line[:start] + "\\x3a" + line[start + 1 :]
    return line


def inert_lines(text: str) -> str:
    """``inert`` applied to every line of ``text`` (line ends kept)."""
    return "".join(inert(line) for line in text.splitlines(keepends=True))


# What json.dumps(ensure_ascii=False) writes raw that some readers take for a line break.
_JSON_RAW_BREAKS = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_safe(text: str) -> str:
    """A JSON document whose lines no runner takes for a command, and the same data to a reader.

    No line of JSON starts with a name (strings are quoted, ``\\n`` escaped); the line breaks
    json.dumps leaves raw (C1 controls, U+2028, U+2029) become ``\\uXXXX`` and ``##[`` inside a
    string ``##\\u005b``: all the same text once parsed.
    """
    text = _JSON_RAW_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace("##[", "##\\u005b").replace("##vso[", "##vso\\u005b")


def inert_report(text: str) -> str:
    """A whole report for stdout: ``json_safe`` for JSON, else every line ``inert``."""
    return json_safe(text) if text.lstrip().startswith(("{", "[")) else inert_lines(text)
