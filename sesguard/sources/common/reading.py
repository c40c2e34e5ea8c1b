"""Reading a source file as JSON, with one-line errors that name the file, the place and the problem.

Every file source (preview, state, document) goes through here so a user sees the same kind of
message whatever they fed sesguard: an empty file, bytes that are not UTF-8, JSON cut off part way,
or a top-level value of the wrong type — never a traceback, never a pass.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sesguard import limits
from sesguard.errors import InputError

STDIN = "-"


def label(path: str | Path) -> str:
    """How a file is named in messages: as the user gave it; standard input as ``<stdin>``."""
    return "<stdin>" if str(path) == STDIN else str(path)


def _read_bytes(path: str | Path) -> bytes:
    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(label(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(label(path), "is a directory, not a file") from None
    except PermissionError:
        raise InputError(label(path), "permission denied") from None
    except OSError as exc:
        raise InputError(label(path), f"cannot read: {exc.strerror or exc}") from None


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; no Pulumi tool writes them, and a rule cannot compare them.
    raise ValueError(f"{name} is not valid JSON")


# Byte-order marks of the encodings Windows editors and PowerShell's `>` write instead of UTF-8.
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode_text(raw: bytes, where: str) -> str:
    """The file's text (a UTF-8 byte-order mark dropped), or an InputError naming the first bad byte."""
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            raise InputError(where, f"the file is {encoding} text; save it as UTF-8")
    # ASCII text in UTF-16 without a mark: every other byte is NUL.
    if len(raw) >= 2 and (raw[0] == 0) != (raw[1] == 0):
        raise InputError(where, "the file looks like UTF-16 text; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            where, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a parsed file's objects are built and walked.

    Parsing and rebuilding a document makes millions of objects and no reference cycles; with the
    collector on, each collection of the oldest generation re-walks everything made so far (about
    a second of a 10,000-domain document's load). Memory is still freed by reference counting,
    and the collector resumes (if it was on) however the block ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def parse_json(raw: bytes, where: str) -> Any:
    if not raw.strip():
        raise InputError(where, "file is empty")
    text = decode_text(raw, where)
    # The bytes are not needed once decoded: free them before the parse builds its objects (a
    # 10,000-domain document is 190 MB of each).
    del raw
    with collector_paused():
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            # The scanner only says "Unterminated string" when it ran out of input.
            if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
                end = text.rstrip()
                line = end.count("\n") + 1
                column = len(end) - (end.rfind("\n") + 1) + 1
                problem = f"truncated JSON: the file ends at line {line}, column {column} inside a value"
            else:
                problem = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            raise InputError(where, problem) from None
        except ValueError as exc:
            raise InputError(where, f"invalid JSON: {exc}") from None
        except RecursionError:
            deep = f"nested more than {limits.MAX_DEPTH} levels deep"
            raise InputError(where, f"invalid JSON: {deep}") from None
        wrong = limits.problem(data)
        if wrong is not None:
            raise InputError(where, f"invalid JSON: {wrong}")
        return data


def read_json(path: str | Path) -> Any:
    """The parsed JSON of ``path`` (``-`` reads standard input)."""
    return parse_json(_read_bytes(path), label(path))


def kind(value: Any) -> str:
    """A JSON type name for messages: object, array, string, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def place(where: str, at: str) -> str:
    """``file: at`` when there is a place, else the file: the prefix of every problem."""
    return f"{where}: {at}" if at else where


def expect_object(value: Any, where: str, at: str, what: str = "an object") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(place(where, at or "top level"), f"expected {what}, found {kind(value)}")
    return value


def expect_array(value: Any, where: str, at: str, what: str = "an array") -> list[Any]:
    if not isinstance(value, list):
        raise InputError(place(where, at or "top level"), f"expected {what}, found {kind(value)}")
    return value


def optional_object(value: Any, where: str, at: str) -> dict[str, Any]:
    """An object that may be absent (``null`` or missing reads as empty)."""
    return {} if value is None else expect_object(value, where, at)


def optional_strings(value: Any, where: str, at: str) -> list[str]:
    items = [] if value is None else expect_array(value, where, at)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(place(where, f"{at}[{i}]"), f"expected a URN string, found {kind(item)}")
    return items


def optional_string(value: Any, where: str, at: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(place(where, at), f"expected a string, found {kind(value)}")
    return value


def read_bytes(path: str | Path) -> bytes:
    """The raw bytes of ``path`` (``-`` reads standard input), for sources that look before parsing."""
    return _read_bytes(path)
