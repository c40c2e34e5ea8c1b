"""YAML as Pulumi config and waiver files mean it: a date stays the text the user wrote.

PyYAML turns an unquoted `2027-03-31` into a `datetime.date`, which is not JSON and would reach
the Rego as something else than the `YYYY-MM-DD` string the waiver rules compare.

Two more differences from PyYAML's safe loader, both refusals:
- a key given twice in one mapping is an error (PyYAML keeps the last one silently; Pulumi's own
  YAML reader rejects the file);
- aliases may not expand a document beyond ``MAX_NODES`` nodes. A few hundred bytes of nested
  aliases (a "billion laughs") otherwise expand to gigabytes when the value is copied to JSON.
Anything the limits in ``sesguard.limits`` refuse (too deep, numbers out of range, NaN) is refused
here too, as a ``yaml.YAMLError`` so callers report it like any other YAML problem.

Depth is bounded *before* anything is composed (``check_depth``): libyaml's composer (PyYAML's
``CSafeLoader``, which cfn-lint and the METADATA reader use) recurses in C once per nesting level
and a template 30,000 levels deep killed the process with SIGSEGV; Python's own recursion limit
never sees it. The event parser underneath is an explicit state machine, so walking its events
costs no stack whatever the input (about 0.2 s per MB, a few per cent of cfn-lint's decode).
"""

from __future__ import annotations

from typing import Any

import yaml

from sesguard import limits

# Real stack configs and waiver files have tens to hundreds of nodes.
MAX_NODES = 100_000


class LimitError(yaml.YAMLError):
    """The YAML is well formed but refused: its ``problem`` is the whole explanation."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicate:
                shown = str(key)[:60]
                raise LimitError(f"the key {shown!r} appears twice in one mapping", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document holds once every alias is expanded, without expanding it.

    Aliases share node objects, so each node's size is computed once (iteratively: the point is
    to survive hostile input). A node that contains itself is refused outright.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_NODES:
                raise LimitError(f"aliases expand the document beyond {MAX_NODES:,} values", node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise LimitError("an alias refers to a value that contains it", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    return size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check_depth(text: str, limit: int = limits.MAX_DEPTH) -> None:
    """A LimitError when a collection of ``text`` nests more than ``limit`` deep, aliases expanded.

    Read from the parser's events, never from composed nodes. Each open collection keeps the
    height of its tallest child; an anchored collection's height is remembered, so an alias nests
    as deep as what it names (nested aliases cannot multiply the depth past the check). A text that
    does not parse is left to the real parser, which reports it at the same place.
    """
    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    heights: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []  # (anchor, tallest child so far) per open collection
    try:
        while (event := parser.get_event()) is not None:
            anchor = getattr(event, "anchor", None)
            if isinstance(event, _STARTS):
                open_.append((anchor, 0))
                height = 0
            elif isinstance(event, _ENDS):
                anchor, below = open_.pop()
                height = below + 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, height = None, heights.get(event.anchor or "", 0)
            else:
                continue
            if len(open_) + height > limit:
                raise LimitError(f"nested more than {limit} levels deep", event.start_mark)
            if isinstance(event, _ENDS):
                if anchor:
                    heights[anchor] = height
                if open_:
                    name, tallest = open_[-1]
                    open_[-1] = (name, max(tallest, height))
            elif isinstance(event, yaml.AliasEvent) and open_:
                name, tallest = open_[-1]
                open_[-1] = (name, max(tallest, height))
    except LimitError:
        raise
    except yaml.YAMLError:
        return  # not YAML: the real parser says where
    finally:
        parser.dispose()


def load(text: str) -> Any:
    """The value of a YAML (or JSON) text; any problem, refusals included, is a yaml.YAMLError."""
    check_depth(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        data = loader.construct_document(node)
    except RecursionError:
        raise LimitError(f"nested more than {limits.MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # e.g. an integer beyond sys.int_max_str_digits
        raise LimitError(f"a value cannot be read: {str(exc).splitlines()[0][:80]}") from None
    finally:
        loader.dispose()
    wrong = limits.problem(data)
    if wrong is not None:
        raise LimitError(wrong)
    return data
