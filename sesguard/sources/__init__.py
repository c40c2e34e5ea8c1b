"""Sources: each turns one kind of input into the stack document (DESIGN: source -> document).

File sources are read by ``load(kind, path)``; the program source (``program.run_stack``) and its
parallel runner (``parallel``) run the Pulumi program under mocks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sesguard.document import Document

FILE_SOURCES = ("preview", "state", "document", "terraform", "cloudformation")


def loader(kind: str) -> Callable[[str | Path], Document]:
    if kind == "preview":
        from sesguard.sources.pulumi import preview

        return preview.load
    if kind == "state":
        from sesguard.sources.pulumi import state

        return state.load
    if kind == "document":
        from sesguard.sources import document

        return document.load
    if kind == "terraform":
        from sesguard.sources.terraform import plan as terraform

        return terraform.load
    if kind == "cloudformation":
        from sesguard.sources.cloudformation import inputs as cloudformation

        return cloudformation.load
    raise ValueError(f"unknown file source {kind!r}")


# Sources whose input may not say which region it deploys to: `--region` gives it (the
# CloudFormation `AWS::Region` pseudo-parameter; a Terraform provider configured outside the plan).
REGIONAL_SOURCES = ("terraform", "cloudformation")


def load(
    kind: str,
    path: str | Path,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
) -> Document:
    """The stack document of a file source; InputError (exit 2) names the file and the problem.

    ``config`` is stack config (``sesguard:<key>`` settings such as ``sesguard:externalDns``) for
    sources whose input cannot carry Pulumi config: Terraform plans and CloudFormation templates.
    """
    if kind == "terraform" and str(path) != "-" and Path(path).is_dir():
        # A directory is the configuration itself, judged without a plan.
        from sesguard.sources.terraform import hcl

        return hcl.load(path, region=region, config=config, var_files=var_files)
    if kind == "terraform":
        from sesguard.sources.terraform import plan as terraform

        return terraform.load(path, region=region, config=config)
    if kind == "cloudformation":
        from sesguard.sources.cloudformation import inputs as cloudformation

        return cloudformation.load(path, region=region, config=config, parameters=parameters)
    return loader(kind)(path)


def load_all(
    kind: str,
    path: str | Path,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
) -> list[Callable[[], Document]]:
    """One loader per stack the input holds: every stack of a `cdk synth` cloud assembly (an app
    is judged whole, each stack with its own result), the one stack of any other file."""
    if kind == "cloudformation":
        from sesguard.sources.cloudformation import inputs as cloudformation

        found = cloudformation.load_all(path, region=region, config=config, parameters=parameters)
        return [load for _, load in found]
    return [lambda: load(kind, path, region, config, parameters, var_files)]
