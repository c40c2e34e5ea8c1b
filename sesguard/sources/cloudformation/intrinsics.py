"""CloudFormation intrinsic functions and Conditions, evaluated where the template decides them.

``Ref`` to a parameter (its ``--parameter`` value, its value passed by a parent stack, else its
default) or a pseudo-parameter given by ``--region``/the CDK manifest,
``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``, ``Fn::If`` and
``Fn::Equals``/``And``/``Or``/``Not`` are computed; everything CloudFormation only knows at deploy
time (a generated name, ``Fn::GetAtt`` of most attributes, ``Fn::ImportValue``) becomes the
unknown sentinel at the leaf, so a policy document keeps its structure around an unknown ARN.
Every logical id a value refers to is recorded, since that is how the rules follow an unknown
reference (the same way Pulumi records dependencies).

Conditions are decided only by what the deploy cannot change: a parameter's default can be
overridden at deploy (`aws cloudformation deploy --parameter-overrides`), so a condition that reads
a parameter nobody fixed is undecidable, and the resource under it is judged as present, an
``Fn::If`` on it as the worse of its branches (unknown unless both agree).

An ``AWS::Region`` no one gave is the symbol ``${aws::region}``, not the unknown sentinel: it is the
same value wherever the template uses it, so a MAIL FROM MX built from it (CDK's ``mailFromDomain``
writes ``10 feedback-smtp.${AWS::Region}.amazonses.com``) is compared symbolically with the
identity's own region. A condition never decides on the symbol.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sesguard.document import SECRET, UNKNOWN


class _NoValue:
    """``AWS::NoValue``: the property is removed."""


NO_VALUE = _NoValue()

# The stack's region when no one said it: a symbol the rules compare as text (see above). Lower
# case, since DNS names and values compare lower-cased.
REGION_SYMBOL = "${aws::region}"

# (logical id, attribute or None for Ref) -> the value, UNKNOWN when only the deploy knows it.
Resolver = Callable[[str, str | None], Any]

_SUB = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Context:
    parameters: dict[str, Any]
    pseudo: dict[str, Any]
    mappings: dict[str, Any]
    conditions: dict[str, Any]
    resources: set[str]
    resolve: Resolver
    # Parameters whose value the deploy cannot change: given with --parameter/--parameters, or
    # passed by a parent stack. Conditions read only these (and pseudo-parameters, mappings).
    fixed: frozenset[str] = frozenset()
    _decided: dict[str, bool | None] = field(default_factory=dict)
    _deciding: set[str] = field(default_factory=set)

    def condition(self, name: Any) -> bool | None:
        """True, False, or None when the condition's inputs are not known."""
        if not isinstance(name, str) or name not in self.conditions:
            return None
        if name in self._decided:
            return self._decided[name]
        if name in self._deciding:
            return None  # a cycle: CloudFormation rejects it; judge the resource as present
        self._deciding.add(name)
        result = self._boolean(self.conditions[name])
        self._deciding.discard(name)
        self._decided[name] = result
        return result

    def _deciding_view(self) -> Context:
        """This context with every parameter the deploy may still change read as unknown."""
        return Context(
            parameters={k: v if k in self.fixed else UNKNOWN for k, v in self.parameters.items()},
            pseudo=self.pseudo,
            mappings=self.mappings,
            conditions=self.conditions,
            resources=self.resources,
            resolve=self.resolve,
            fixed=self.fixed,
        )

    def _boolean(self, expr: Any) -> bool | None:
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        ((fn, args),) = expr.items()
        if fn == "Condition":
            return self.condition(args)
        if not isinstance(args, list):
            return None
        if fn == "Fn::Equals" and len(args) == 2:
            a, b = (evaluate(x, self._deciding_view(), set()) for x in args)
            if _undecidable(a) or _undecidable(b):
                return None
            return _text(a) == _text(b)
        values = [self._boolean(a) for a in args]
        if fn == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if fn == "Fn::And":
            return False if False in values else (None if None in values else True)
        if fn == "Fn::Or":
            return True if True in values else (None if None in values else False)
        return None


def _text(v: Any) -> Any:
    # Fn::Equals compares strings; a number written unquoted in YAML equals its text.
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _unknown(v: Any) -> bool:
    if isinstance(v, str) and v in (UNKNOWN, SECRET):
        return True
    if isinstance(v, list):
        return any(_unknown(x) for x in v)
    return False


def _undecidable(v: Any) -> bool:
    """Unknown, or built from the region symbol: equal to a literal only in some regions."""
    if isinstance(v, str) and REGION_SYMBOL in v:
        return True
    if isinstance(v, list):
        return any(_undecidable(x) for x in v)
    return _unknown(v)


def evaluate(value: Any, ctx: Context, deps: set[str]) -> Any:
    """The value with intrinsics computed or replaced by UNKNOWN; referenced logical ids go to deps."""
    if isinstance(value, list):
        items = [evaluate(v, ctx, deps) for v in value]
        return [v for v in items if v is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((fn, args),) = value.items()
        handler = _FUNCTIONS.get(fn)
        if handler is not None:
            return handler(args, ctx, deps)
        if fn.startswith("Fn::"):
            _collect(args, ctx, deps)  # an intrinsic sesguard does not compute: unknown
            return UNKNOWN
    out = {}
    for k, v in value.items():
        e = evaluate(v, ctx, deps)
        if e is not NO_VALUE:
            out[str(k)] = e
    return out


def _collect(args: Any, ctx: Context, deps: set[str]) -> None:
    evaluate(args, ctx, deps)


def _ref(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, str):
        return UNKNOWN
    if args == "AWS::NoValue":
        return NO_VALUE
    if args in ctx.pseudo:
        return ctx.pseudo[args]
    if args in ctx.parameters:
        return ctx.parameters[args]
    if args in ctx.resources:
        deps.add(args)
        return ctx.resolve(args, None)
    return UNKNOWN


def _get_att(args: Any, ctx: Context, deps: set[str]) -> Any:
    if isinstance(args, str) and "." in args:
        args = args.split(".", 1)
    if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str):
        return UNKNOWN
    lid = args[0]
    attr = evaluate(args[1], ctx, deps)
    if lid not in ctx.resources:
        return UNKNOWN
    deps.add(lid)
    return ctx.resolve(lid, attr) if isinstance(attr, str) and attr != UNKNOWN else UNKNOWN


def _sub(args: Any, ctx: Context, deps: set[str]) -> Any:
    if isinstance(args, list) and len(args) == 2 and isinstance(args[1], dict):
        text, local = args[0], {str(k): evaluate(v, ctx, deps) for k, v in args[1].items()}
    else:
        text, local = args, {}
    if not isinstance(text, str):
        return UNKNOWN
    unknown = False

    def one(m: re.Match[str]) -> str:
        nonlocal unknown
        name = m.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in local:
            v = local[name]
        elif "." in name and name.split(".", 1)[0] in ctx.resources:
            v = _get_att(name.split(".", 1), ctx, deps)
        else:
            v = _ref(name, ctx, deps)
        if not isinstance(v, str | int | float) or v in (UNKNOWN, SECRET) or isinstance(v, bool):
            unknown = True
            return ""
        return _number_text(v)

    result = _SUB.sub(one, text)
    return UNKNOWN if unknown else result


def _number_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _join(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, list) or len(args) != 2:
        return UNKNOWN
    sep = evaluate(args[0], ctx, deps)
    items = evaluate(args[1], ctx, deps)
    if not isinstance(sep, str) or not isinstance(items, list) or _unknown(items):
        return UNKNOWN
    if not all(isinstance(i, str | int | float) and not isinstance(i, bool) for i in items):
        return UNKNOWN
    return sep.join(_number_text(i) for i in items)


def _select(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, list) or len(args) != 2:
        return UNKNOWN
    index, items = evaluate(args[0], ctx, deps), evaluate(args[1], ctx, deps)
    try:
        i = int(index)
    except (TypeError, ValueError):
        return UNKNOWN
    if not isinstance(items, list) or not 0 <= i < len(items):
        return UNKNOWN
    return items[i]


def _split(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, list) or len(args) != 2:
        return UNKNOWN
    sep, text = evaluate(args[0], ctx, deps), evaluate(args[1], ctx, deps)
    if not isinstance(sep, str) or not sep or not isinstance(text, str) or text in (UNKNOWN, SECRET):
        return UNKNOWN
    return text.split(sep)


def _find_in_map(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, list) or len(args) not in (3, 4):
        return UNKNOWN
    keys = [evaluate(a, ctx, deps) for a in args[:3]]
    node: Any = ctx.mappings
    for k in keys:
        if not isinstance(k, str) or not isinstance(node, dict) or k not in node:
            return UNKNOWN
        node = node[k]
    return evaluate(node, ctx, deps)


def _if(args: Any, ctx: Context, deps: set[str]) -> Any:
    if not isinstance(args, list) or len(args) != 3:
        return UNKNOWN
    decided = ctx.condition(args[0])
    if decided is True:
        return evaluate(args[1], ctx, deps)
    if decided is False:
        return evaluate(args[2], ctx, deps)
    a, b = evaluate(args[1], ctx, deps), evaluate(args[2], ctx, deps)
    return a if a == b else UNKNOWN


def _to_json_string(args: Any, ctx: Context, deps: set[str]) -> Any:
    import json

    value = evaluate(args, ctx, deps)
    return UNKNOWN if value is NO_VALUE else json.dumps(value)


_FUNCTIONS: dict[str, Callable[[Any, Context, set[str]], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::If": _if,
    "Fn::ToJsonString": _to_json_string,
}
