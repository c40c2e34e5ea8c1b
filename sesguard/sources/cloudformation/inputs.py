"""What a --cloudformation path is: a template (JSON or YAML), a template inside a cdk.out, or a
whole cdk.out cloud assembly; one stack document loader for each stack it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sesguard.document import Document
from sesguard.errors import InputError
from sesguard.sources.cloudformation import assembly
from sesguard.sources.cloudformation import template as cfn
from sesguard.sources.common import positions
from sesguard.sources.common.reading import STDIN, label, read_bytes


def load(
    path: str | Path,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
) -> Document:
    """The one stack of a template, or of a cloud assembly that has one stack.

    ``config``: stack settings given outside the template (``--config``), over its Metadata;
    ``parameters``: the deploy's parameter values (``--parameter``/``--parameters``).
    """
    documents = load_all(path, region, config, parameters)
    if len(documents) > 1:
        names = ", ".join(sorted(name for name, _ in documents))
        raise InputError(
            label(path), f"the cloud assembly has {len(documents)} stacks ({names}): judge each with load_all"
        )
    return documents[0][1]()


def load_all(
    path: str | Path,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
) -> list[tuple[str, Callable[[], Document]]]:
    """(stack name, its document's loader) for each stack: one for a template, every stack of a cdk.out."""

    def guarded(load: Callable[[], Document]) -> Callable[[], Document]:
        def run() -> Document:
            try:
                return load()
            except RecursionError:
                raise InputError(label(path), "nested too deeply to be a CloudFormation template") from None

        return run

    where = label(path)
    if str(path) != STDIN and Path(path).is_dir():
        found = assembly.stacks(Path(path), where, region, config, parameters)
        return [(s.name, guarded(s.load)) for s in found]
    if str(path) != STDIN and (Path(path).parent / assembly.MANIFEST).is_file():
        # A template inside cdk.out: its manifest entry gives the environment and construct paths.
        parent = Path(path).parent
        found = assembly.stacks(parent, str(parent), region, config, parameters, Path(path).name)
        return [(s.name, guarded(s.load)) for s in found]

    def single() -> Document:
        template, nodes = cfn.decode(read_bytes(path), where)
        cfn.check_parameters(template, where, parameters)
        stack = "stdin" if str(path) == STDIN else Path(path).name.split(".")[0]
        file = None if str(path) == STDIN else positions.input_file(path)
        nested = cfn.no_nested if str(path) == STDIN else cfn.local_nested(Path(path).parent)
        env = cfn.Environment(region=region, stack=stack)
        return cfn.from_template(template, nodes, where, env, file, config, parameters, nested)

    return [(where, guarded(single))]
