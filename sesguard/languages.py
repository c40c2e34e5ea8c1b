"""Which language a stack was declared in: picks the remediation snippet a report shows.

Pulumi names runtimes (Pulumi.yaml `runtime`), sesguard names languages (METADATA
`custom.remediation_code` keys, the document's `language`, `--language`).
"""

from __future__ import annotations

from sesguard.document import LANGUAGES

# Pulumi.yaml `runtime.name` -> the language its programs are written in. nodejs programs are
# TypeScript far more often than JavaScript, and TypeScript snippets read as JavaScript too.
RUNTIME_LANGUAGE = {
    "python": "python",
    "nodejs": "typescript",
    "go": "go",
    "dotnet": "csharp",
    "java": "java",
    "yaml": "yaml",
}


# How a catalog or report names each language, and the info string of its fenced code block.
LABELS = {
    "python": ("Python", "python"),
    "typescript": ("TypeScript", "typescript"),
    "go": ("Go", "go"),
    "csharp": ("C#", "csharp"),
    "java": ("Java", "java"),
    "yaml": ("Pulumi YAML", "yaml"),
    "terraform": ("Terraform", "hcl"),
    "cloudformation": ("CloudFormation", "yaml"),
    "cdk-typescript": ("AWS CDK (TypeScript)", "typescript"),
    "cdk-python": ("AWS CDK (Python)", "python"),
}

# A CloudFormation input was written as a template or as a CDK app, never as a Pulumi program:
# `--language typescript` there asks for CDK TypeScript, and a Pulumi-only language for the
# template's own fix.
_CLOUDFORMATION = {
    "typescript": "cdk-typescript",
    "python": "cdk-python",
    "cdk-typescript": "cdk-typescript",
    "cdk-python": "cdk-python",
    "cloudformation": "cloudformation",
    "terraform": "terraform",
}


def for_source(source: str, language: str) -> str:
    """The snippet language for ``--language`` on a stack from ``source`` (never Pulumi code for
    a CloudFormation template or CDK app)."""
    if source == "cloudformation":
        return _CLOUDFORMATION.get(language, "cloudformation")
    return language


# The languages the rules have fix code in, which `--language` offers. A Java project's report
# shows each rule's neutral remediation: no rule has Java code yet, so Java is not offered.
SNIPPET_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != "java")


def of_runtime(runtime: str | None) -> str | None:
    """The language of a Pulumi runtime name, or None when it is not one sesguard knows."""
    return RUNTIME_LANGUAGE.get((runtime or "").strip().lower())


__all__ = ["LABELS", "LANGUAGES", "RUNTIME_LANGUAGE", "SNIPPET_LANGUAGES", "for_source", "of_runtime"]
