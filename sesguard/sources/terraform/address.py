"""Terraform addresses and references, tokenized rather than split on dots.

``for_each`` keys are JSON-quoted strings and may hold ``.``, ``[`` and ``]`` (a domain name is the
usual key: ``module.domain["example.com"].aws_sesv2_email_identity.this``), so every address and
reference goes through one tokenizer that reads quoted keys with a JSON decoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

Key = int | str | None

_DECODER = json.JSONDecoder()


class AddressError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    """One name, with the instance key that follows it (``None`` when there is none)."""

    name: str
    key: Key = None


def tokenize(text: str) -> list[Step]:
    """``module.a["x.y"].aws_t.n[0].attr`` -> module, a["x.y"], aws_t, n[0], attr (as Steps)."""
    steps: list[Step] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == ".":
            i += 1
            continue
        if c == "[":
            if not steps or steps[-1].key is not None:
                raise AddressError(f"an index without a name at offset {i}")
            key, i = _key(text, i + 1)
            steps[-1] = Step(steps[-1].name, key)
            continue
        j = i
        while j < n and text[j] not in ".[":
            if text[j] in ']"':
                raise AddressError(f"unexpected {text[j]!r} at offset {j}")
            j += 1
        steps.append(Step(text[i:j]))
        i = j
    return steps


def _key(text: str, i: int) -> tuple[Key, int]:
    if i < len(text) and text[i] == '"':
        try:
            value, end = _DECODER.raw_decode(text, i)
        except ValueError:
            raise AddressError(f"an unterminated quoted key at offset {i}") from None
        key: Key = value
    else:
        end = text.find("]", i)
        if end < 0:
            raise AddressError(f"an unterminated index at offset {i}")
        raw = text[i:end]
        if raw == "*":
            key = "*"
        elif raw.isdigit():
            key = int(raw)
        else:
            raise AddressError(f"the index at offset {i} is neither a number nor a quoted key")
    if end >= len(text) or text[end] != "]":
        raise AddressError(f"a key not closed by ']' at offset {end}")
    return key, end + 1


ModulePath = tuple[Step, ...]


@dataclass(frozen=True)
class Address:
    """A resource instance address: its module instances, mode, type, name and instance key."""

    modules: ModulePath
    mode: str
    type: str
    name: str
    key: Key

    @property
    def config_modules(self) -> tuple[str, ...]:
        """The module calls, without instance keys: how the configuration is keyed."""
        return tuple(m.name for m in self.modules)

    @property
    def resource(self) -> str:
        """``type.name`` or ``data.type.name``: the address inside its module, without the key."""
        return f"data.{self.type}.{self.name}" if self.mode == "data" else f"{self.type}.{self.name}"


def parse_modules(steps: list[Step]) -> tuple[ModulePath, list[Step]]:
    """Leading ``module.<name>[key]`` pairs, and what follows them."""
    modules: list[Step] = []
    i = 0
    while i + 1 < len(steps) and steps[i].name == "module" and steps[i].key is None:
        modules.append(steps[i + 1])
        i += 2
    return tuple(modules), steps[i:]


def parse(text: str) -> Address:
    """A resource instance address (``resource_changes[].address``, state ``address``)."""
    modules, rest = parse_modules(tokenize(text))
    mode = "managed"
    if rest and rest[0].name == "data" and rest[0].key is None:
        mode, rest = "data", rest[1:]
    if len(rest) != 2 or rest[0].key is not None:
        raise AddressError("not a resource address")
    return Address(modules, mode, rest[0].name, rest[1].name, rest[1].key)


def module_path(text: str | None) -> ModulePath:
    """``module_address`` (absent in the root module) as module steps."""
    if not text:
        return ()
    modules, rest = parse_modules(tokenize(text))
    if rest:
        raise AddressError("not a module address")
    return modules
