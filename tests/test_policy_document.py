"""aws.iam.getPolicyDocument rendered as the provider renders it (issue 22).

Each case is an acceptance test of terraform-provider-aws
(internal/service/iam/policy_document_data_source_test.go), whose `json` the provider checks
with an exact string comparison: the HCL blocks written as the pulumi-aws invoke's arguments, the
expected text copied from the test with the partition filled in ("aws").
"""

from __future__ import annotations

import json

import pytest

from sesguard.sources.pulumi.policy_document import PolicyDocumentError, render

BASIC_ARGS = {
    "policyId": "policy_id",
    "statements": [
        {
            "sid": "1",
            "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
            "resources": ["arn:aws:s3:::*"],
        },
        {
            "actions": ["s3:ListBucket"],
            "resources": ["arn:aws:s3:::foo"],
            "conditions": [
                {
                    "test": "StringLike",
                    "variable": "s3:prefix",
                    "values": ["home/", "", "home/&{aws:username}/"],
                }
            ],
            "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
        },
        {
            "actions": ["s3:*"],
            "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
            "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
        },
        {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
        {"effect": "Allow", "actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
        {"effect": "Allow", "actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
    ],
}

BASIC_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""

BASIC_MINIFIED = (
    '{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":'
    '["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::*"},{"Effect":"Allow",'
    '"Action":"s3:ListBucket","Resource":"arn:aws:s3:::foo","NotPrincipal":{"AWS":"arn:blahblah:example"},'
    '"Condition":{"StringLike":{"s3:prefix":["home/","","home/${aws:username}/"]}}},{"Effect":"Allow",'
    '"Action":"s3:*","Resource":["arn:aws:s3:::foo/home/${aws:username}/*","arn:aws:s3:::foo/home/'
    '${aws:username}"],"Principal":{"AWS":"arn:blahblah:example"}},{"Effect":"Deny","NotAction":"s3:*",'
    '"NotResource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"kinesis:*","Principal":{"AWS":"*"}},'
    '{"Effect":"Allow","Action":"firehose:*","Principal":"*"}]}'
)


def test_basic_json_and_minified_json_are_the_providers() -> None:
    result = render(BASIC_ARGS)
    assert result["json"] == BASIC_JSON
    assert result["minifiedJson"] == BASIC_MINIFIED
    assert result["id"].isdigit()


def test_source_documents_are_merged_first_and_reread_as_the_provider_rereads_them() -> None:
    """testAccPolicyDocumentDataSourceConfig_deprecated -> testAccPolicyDocumentSourceExpectedJSON."""
    inner = json.loads(json.dumps(BASIC_ARGS))
    inner["statements"][1]["conditions"][0]["values"] = ["home/", "home/&{aws:username}/"]
    inner["statements"][2]["principals"][0]["identifiers"] = [
        "arn:blahblah:example",
        "arn:blahblahblah:example",
    ]
    source = render(inner)["json"]
    result = render(
        {
            "sourcePolicyDocuments": [source],
            "statements": [{"sid": "SourceJSONTest1", "actions": ["*"], "resources": ["*"]}],
        }
    )
    expected = json.loads(BASIC_JSON)
    expected["Statement"][1]["Condition"]["StringLike"]["s3:prefix"] = ["home/", "home/${aws:username}/"]
    expected["Statement"][2]["Principal"]["AWS"] = ["arn:blahblahblah:example", "arn:blahblah:example"]
    expected["Statement"].append(
        {"Sid": "SourceJSONTest1", "Effect": "Allow", "Action": "*", "Resource": "*"}
    )
    assert result["json"] == json.dumps(expected, indent=2)


def _doc(*statements: dict) -> str:
    return render({"statements": list(statements)})["json"]


def test_source_list_keeps_order_and_blank_sids() -> None:
    policy_a = _doc(
        {"sid": "", "effect": "Allow", "actions": ["foo:ActionOne"]},
        {"sid": "validSidOne", "effect": "Allow", "actions": ["bar:ActionOne"]},
    )
    policy_b = _doc({"sid": "validSidTwo", "effect": "Deny", "actions": ["foo:ActionTwo"]})
    policy_c = _doc({"sid": "", "effect": "Allow", "actions": ["bar:ActionTwo"]})
    result = render({"version": "2012-10-17", "sourcePolicyDocuments": [policy_a, policy_b, policy_c]})
    assert (
        result["json"]
        == """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}"""
    )


def test_a_statement_replaces_the_source_statement_with_its_sid() -> None:
    source = _doc({"sid": "SourceJSONTestConflicting", "actions": ["iam:*"], "resources": ["*"]})
    result = render(
        {
            "sourcePolicyDocuments": [source],
            "statements": [{"sid": "SourceJSONTestConflicting", "actions": ["*"], "resources": ["*"]}],
        }
    )
    assert (
        result["json"]
        == """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SourceJSONTestConflicting",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""
    )


def test_override_documents_replace_by_sid_last() -> None:
    policy_a = _doc(
        {"sid": "", "effect": "Allow", "actions": ["foo:ActionOne"]},
        {"sid": "overrideSid", "effect": "Allow", "actions": ["bar:ActionOne"]},
    )
    policy_b = _doc({"sid": "validSid", "effect": "Deny", "actions": ["foo:ActionTwo"]})
    policy_c = _doc({"sid": "overrideSid", "effect": "Deny", "actions": ["bar:ActionOne"]})
    result = render({"version": "2012-10-17", "overridePolicyDocuments": [policy_a, policy_b, policy_c]})
    assert (
        result["json"]
        == """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "overrideSid",
      "Effect": "Deny",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSid",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    }
  ]
}"""
    )


def test_override_with_the_same_sid_as_the_source() -> None:
    source = _doc(
        {"sid": "OverridePlaceholder", "actions": ["ec2:DescribeAccountAttributes"], "resources": ["*"]}
    )
    override = _doc({"sid": "OverridePlaceholder", "actions": ["s3:GetObject"], "resources": ["*"]})
    result = render({"sourcePolicyDocuments": [source], "overridePolicyDocuments": [override]})
    assert (
        result["json"]
        == """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OverridePlaceholder",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"""
    )


def test_principal_identifiers_of_one_type_join_a_string_and_a_reversed_list() -> None:
    result = render(
        {
            "statements": [
                {
                    "actions": ["*"],
                    "resources": ["*"],
                    "sid": "StatementPrincipalIdentifiersStringAndSlice",
                    "principals": [
                        {"identifiers": ["arn:aws:iam::111111111111:root"], "type": "AWS"},
                        {
                            "identifiers": [
                                "arn:aws:iam::222222222222:root",
                                "arn:aws:iam::333333333333:root",
                            ],
                            "type": "AWS",
                        },
                    ],
                }
            ]
        }
    )
    assert json.loads(result["json"])["Statement"][0]["Principal"] == {
        "AWS": [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::333333333333:root",
            "arn:aws:iam::222222222222:root",
        ]
    }


def test_version_2008_and_empty_documents() -> None:
    assert (
        render({"version": "2008-10-17", "statements": [{"actions": ["ec2:*"], "resources": ["*"]}]})["json"]
        == """{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    }
  ]
}"""
    )
    assert render({"sourcePolicyDocuments": [""]})["json"] == '{\n  "Version": "2012-10-17"\n}'


def test_a_bool_condition_in_a_source_document_becomes_a_string() -> None:
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "RestrictAccessToSpecialTag",
                    "Effect": "Deny",
                    "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                    "Resource": "arn:aws:ec2:*:*:vpc/*",
                    "Condition": {
                        "Null": {"aws:ResourceTag/SpecialTag": False},
                        "StringLike": {
                            "aws:ResourceAccount": ["123456"],
                            "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution",
                        },
                    },
                }
            ],
        }
    )
    [stmt] = json.loads(render({"sourcePolicyDocuments": [source]})["json"])["Statement"]
    assert stmt["Condition"] == {
        "Null": {"aws:ResourceTag/SpecialTag": "false"},
        "StringLike": {
            "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution",
            "aws:ResourceAccount": "123456",
        },
    }


def test_go_escapes_html_characters() -> None:
    result = render({"statements": [{"actions": ["sns:Publish"], "resources": ["arn:aws:sns:*:*:a<b>&c"]}]})
    assert (
        "a\\u003cb\\u003e\\u0026c" in result["json"] and "a\\u003cb\\u003e\\u0026c" in result["minifiedJson"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"statements": [{"sid": "1", "actions": ["a:b"]}, {"sid": "1", "actions": ["c:d"]}]},
            "duplicate Sid (1)",
        ),
        (
            {
                "version": "2008-10-17",
                "statements": [{"actions": ["*"], "resources": ["arn:aws:s3:::&{aws:username}"]}],
            },
            "not supported in document version 2008-10-17",
        ),
        ({"sourcePolicyDocuments": ["{"]}, '"source_policy_documents.0" contains an invalid JSON'),
        ({"statements": [{"sid": "not-alnum", "actions": ["a:b"]}]}, "alphanumeric"),
        ({"statements": [{"effect": "Maybe", "actions": ["a:b"]}]}, "effect"),
    ],
)
def test_what_the_provider_refuses_is_refused(args: dict, message: str) -> None:
    with pytest.raises(PolicyDocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        render(args)
