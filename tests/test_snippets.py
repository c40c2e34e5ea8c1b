"""The remediation snippets in every rule's METADATA (`custom.remediation_code`) are real code.

A report shows the snippet for the project's language, so a snippet that does not parse, or names
a class or argument the SDK does not have, is a fix the user cannot paste. Each language is
checked with a parser for it: Python `ast` (and the installed pulumi_aws for class and argument
names), tree-sitter grammars for TypeScript, Go, C# and HCL, PyYAML with Pulumi YAML's structure
(types and top-level properties checked against pulumi_aws), and cfn-lint's resource schemas for
CloudFormation.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from typing import Any

import pytest
import tree_sitter
import tree_sitter_c_sharp
import tree_sitter_go
import tree_sitter_hcl
import tree_sitter_typescript
import yaml
from cfnlint.api import ManualArgs
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

from sesguard import policyset

SNIPPET_LANGUAGES = ("python", "typescript", "go", "csharp", "yaml", "terraform", "cloudformation")

# Rules whose fix is not a resource in the user's program: stack config (waivers, the
# production-access request), operating the live account, or DNS published outside the stack.
NOT_CODE = {
    "SES-026",
    "SES-030",
    "SES-031",
    "SES-032",
    "SES-040",
    "SES-041",
    "SES-042",
    "SES-043",
    "SES-050",
    "SES-051",
    "SES-052",
}

# Where CloudFormation has no resource type for the fix (research/terraform-cloudformation.md §2.1),
# the snippet says so in a comment instead of inventing a resource.
CLOUDFORMATION_CANNOT = {"SES-016", "SES-024"}

# cfn-lint findings that only say a snippet refers to the user's own resources (a hosted zone,
# a topic), which a snippet cannot declare.
CFN_REFERENCE_RULES = {"E1010", "E1020", "W3694"}

RULES = policyset.load().rules
CODE_RULES = [r for r in RULES if r.id not in NOT_CODE]


def _snippets(language: str) -> list[Any]:
    return [pytest.param(r.snippet(language), id=r.id) for r in CODE_RULES]


def test_every_rule_with_a_code_fix_has_a_snippet_in_every_language() -> None:
    assert len(CODE_RULES) == 25
    for rule in RULES:
        languages = [lang for lang, _ in rule.remediation_code]
        if rule.id in NOT_CODE:
            assert languages == [], rule.id
        else:
            assert sorted(languages) == sorted(SNIPPET_LANGUAGES), rule.id
            assert all(code.strip() for _, code in rule.remediation_code), rule.id


def test_remediation_text_is_language_neutral() -> None:
    # The text is shown beside the snippet whatever the language: no Python calls, no code
    # fences, and the generic config keys rather than this repository's program's.
    for rule in CODE_RULES:
        assert "```" not in rule.remediation, rule.id
        assert not re.search(r"\baws\.\w+\.\w+\(", rule.remediation), rule.id
        assert "ses-sender:" not in rule.remediation, rule.id


# --- Python -----------------------------------------------------------------------------------


def _aws_class(module: str, name: str) -> Any:
    import pulumi_aws

    return getattr(getattr(pulumi_aws, module, None), name, None)


def _init_arguments(cls: Any) -> set[str]:
    # Pulumi's generated resources take their arguments through `_internal_init`.
    return set(inspect.signature(cls._internal_init).parameters) - {"__self__", "resource_name", "opts"}


@pytest.mark.parametrize("code", _snippets("python"))
def test_python_snippet_parses_and_uses_real_pulumi_aws_names(code: str) -> None:
    tree = ast.parse(code)
    calls = 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = node.func
        if not (
            isinstance(target.value, ast.Attribute)
            and isinstance(target.value.value, ast.Name)
            and target.value.value.id == "aws"
            and target.attr[:1].isupper()
        ):
            continue
        cls = _aws_class(target.value.attr, target.attr)
        assert cls is not None, f"pulumi_aws has no {target.value.attr}.{target.attr}"
        unknown = {k.arg for k in node.keywords if k.arg} - _init_arguments(cls)
        assert not unknown, f"{target.value.attr}.{target.attr} takes no {sorted(unknown)}"
        calls += 1
    assert calls, "the snippet declares no pulumi_aws resource"


@pytest.mark.parametrize(
    "broken",
    ['aws.sesv2.EmailIdentity("identity", email="example.com")', 'aws.sesv2.Identity("identity")', "x = 1"],
)
def test_the_python_check_rejects_wrong_names(broken: str) -> None:
    with pytest.raises(AssertionError):
        test_python_snippet_parses_and_uses_real_pulumi_aws_names(broken)


# --- TypeScript, Go, C#, HCL: tree-sitter -----------------------------------------------------


@cache
def _parser(language: str) -> tree_sitter.Parser:
    grammar = {
        "typescript": tree_sitter_typescript.language_typescript,
        "go": tree_sitter_go.language,
        "csharp": tree_sitter_c_sharp.language,
        "terraform": tree_sitter_hcl.language,
    }[language]
    return tree_sitter.Parser(tree_sitter.Language(grammar()))


def _syntax_errors(language: str, source: str) -> list[str]:
    tree = _parser(language).parse(source.encode())
    errors, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors.append(f"line {node.start_point[0] + 1}: {node.text.decode(errors='replace')[:60]!r}")
        stack.extend(node.children)
    return errors


# A Go snippet is the body of the function a Pulumi Go program passes to pulumi.Run.
GO_WRAPPER = "package main\n\nfunc program(ctx *pulumi.Context) error {{\n{}\n\treturn nil\n}}\n"


@pytest.mark.parametrize("language", ["typescript", "go", "csharp", "terraform"])
def test_snippet_parses_in_its_language(language: str) -> None:
    for rule in CODE_RULES:
        code = rule.snippet(language) or ""
        source = GO_WRAPPER.format(code) if language == "go" else code
        assert _syntax_errors(language, source) == [], f"{rule.id} {language}"


@pytest.mark.parametrize(
    ("language", "broken"),
    [
        ("typescript", 'new aws.sesv2.EmailIdentity("identity", { emailIdentity: "example.com" };'),
        ("go", GO_WRAPPER.format('_, err = sesv2.NewEmailIdentity(ctx, "id", &sesv2.EmailIdentityArgs{')),
        ("csharp", 'new Aws.SesV2.EmailIdentity("identity", new() { EmailIdentityDetails = "example.com" );'),
        ("terraform", 'resource "aws_sesv2_email_identity" "identity" {\n  email_identity = \n'),
    ],
)
def test_the_syntax_check_rejects_broken_code(language: str, broken: str) -> None:
    assert _syntax_errors(language, broken)


def test_terraform_snippets_declare_aws_provider_resources() -> None:
    for rule in CODE_RULES:
        types = re.findall(r'^(?:resource|data) "(\w+)"', rule.snippet("terraform") or "", re.MULTILINE)
        assert types and all(t.startswith("aws_") for t in types), rule.id


# --- Pulumi YAML ------------------------------------------------------------------------------


def _pulumi_yaml_errors(code: str) -> list[str]:
    doc = yaml.safe_load(code)
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), dict):
        return ["not a Pulumi YAML program with resources"]
    errors = [f"unknown section {k}" for k in doc if k not in {"resources", "variables", "config", "outputs"}]
    for name, resource in doc["resources"].items():
        token = resource.get("type", "") if isinstance(resource, dict) else ""
        m = re.fullmatch(r"aws:(\w+):([A-Z]\w+)", token)
        cls = _aws_class(m.group(1), m.group(2)) if m else None
        if cls is None:
            errors.append(f"{name}: {token!r} is not a pulumi-aws resource type")
            continue
        props = resource.get("properties") or {}
        snake = {re.sub(r"(?<!^)([A-Z])", r"_\1", p).lower() for p in props}
        errors += [f"{name}: {token} has no property {p}" for p in sorted(snake - _init_arguments(cls))]
    return errors


@pytest.mark.parametrize("code", _snippets("yaml"))
def test_pulumi_yaml_snippet_declares_real_resources(code: str) -> None:
    assert _pulumi_yaml_errors(code) == []


def test_the_pulumi_yaml_check_rejects_a_wrong_property() -> None:
    code = (
        "resources:\n  cs:\n    type: aws:sesv2:ConfigurationSet\n    properties:\n      tlsPolicy: REQUIRE\n"
    )
    assert _pulumi_yaml_errors(code) == ["cs: aws:sesv2:ConfigurationSet has no property tls_policy"]


# --- CloudFormation ---------------------------------------------------------------------------


@cache
def _cfn_runner() -> Runner:
    # What cfnlint.api.lint builds on every call (its rules and their specs, most of a second
    # or more each time): built once, then each snippet is validated as lint() would.
    return Runner(ConfigMixIn(**ManualArgs(regions=["us-east-1"])))


def _cfn_errors(code: str) -> list[str]:
    template, matches = decode_str(code)
    if not matches and template is not None:
        matches = list(_cfn_runner().validate_template(template))
    return [f"{m.rule.id}: {m.message}" for m in matches if m.rule.id not in CFN_REFERENCE_RULES]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in CODE_RULES])
def test_cloudformation_snippet_is_a_valid_template_or_says_why_not(rule: policyset.Rule) -> None:
    code = rule.snippet("cloudformation") or ""
    if rule.id in CLOUDFORMATION_CANNOT:
        assert yaml.safe_load(code) is None, "only a comment: there is no resource to declare"
        assert "CloudFormation cannot express this fix" in code
    else:
        assert _cfn_errors(code) == []


def test_the_cloudformation_check_rejects_a_misspelt_property() -> None:
    code = (
        "Resources:\n  Destination:\n    Type: AWS::SES::ConfigurationSetEventDestination\n"
        "    Properties:\n      ConfigurationSetName: prod\n      EventDestination:\n"
        "        MatchingEventTypes: [bounce]\n        SnsDestination:\n          TopicArn: arn\n"
    )
    assert any(e.startswith("E3") for e in _cfn_errors(code))
