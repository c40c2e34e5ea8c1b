package ses.suppression

import data.lib
import data.lib.resources
import data.lib.result
import data.lib.sending
import data.lib.ses
import data.lib.types

# METADATA
# title: The account suppression list covers bounces and complaints
# description: |
#   With account-level suppression for BOUNCE and COMPLAINT, SES itself stops sending to an
#   address that hard-bounced or complained, whatever configuration set a send names; mailing
#   such addresses again is what drives bounce and complaint rates over AWS's review levels.
#   The setting is one per account and region, so exactly one stack declares an
#   `aws.sesv2.AccountSuppressionAttributes`. Every stack that declares SES resources must
#   either declare it or say in its config that another stack owns it:
#   `<project>:accountSuppression: false` (this repository's `ses-sender:accountSuppression`) or
#   `sesguard:accountSuppression: false`. A declared resource is always judged. Stacks without
#   any `aws:ses*` resource are not judged.
# custom:
#   id: SES-016
#   slug: account-suppression
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare the account suppression list with BOUNCE and COMPLAINT in the one stack that owns the
#     account's SES settings; in the others set `sesguard:accountSuppression: false` (or
#     `<project>:accountSuppression: false`) in the stack config. CloudFormation and CDK cannot
#     declare it: set it outside the template (accounts created after 25 November 2019 have it
#     on for BOUNCE and COMPLAINT by default) and put `sesguard: {accountSuppression: false}` in
#     the template's `Metadata`.
#   remediation_code:
#     python: |
#       # In the one stack that owns the account's SES settings:
#       aws.sesv2.AccountSuppressionAttributes("account", suppressed_reasons=["BOUNCE", "COMPLAINT"])
#       # In every other stack: `pulumi config set sesguard:accountSuppression false`
#     typescript: |
#       // In the one stack that owns the account's SES settings:
#       new aws.sesv2.AccountSuppressionAttributes("account", { suppressedReasons: ["BOUNCE", "COMPLAINT"] });
#       // In every other stack: `pulumi config set sesguard:accountSuppression false`
#     go: |
#       // In the one stack that owns the account's SES settings:
#       _, err = sesv2.NewAccountSuppressionAttributes(ctx, "account", &sesv2.AccountSuppressionAttributesArgs{
#       	SuppressedReasons: pulumi.StringArray{pulumi.String("BOUNCE"), pulumi.String("COMPLAINT")},
#       })
#       if err != nil {
#       	return err
#       }
#       // In every other stack: `pulumi config set sesguard:accountSuppression false`
#     csharp: |
#       // In the one stack that owns the account's SES settings:
#       new Aws.SesV2.AccountSuppressionAttributes("account", new()
#       {
#           SuppressedReasons = new[] { "BOUNCE", "COMPLAINT" },
#       });
#       // In every other stack: `pulumi config set sesguard:accountSuppression false`
#     yaml: |
#       # In the one stack that owns the account's SES settings; in every other stack:
#       # `pulumi config set sesguard:accountSuppression false`
#       resources:
#         account:
#           type: aws:sesv2:AccountSuppressionAttributes
#           properties:
#             suppressedReasons: [BOUNCE, COMPLAINT]
#     terraform: |
#       # In the one configuration that owns the account's SES settings:
#       resource "aws_sesv2_account_suppression_attributes" "account" {
#         suppressed_reasons = ["BOUNCE", "COMPLAINT"]
#       }
#     cloudformation: |
#       # CloudFormation has no resource type for the account-level suppression list: set it once
#       # per account and Region outside the template
#       # (aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE COMPLAINT;
#       # accounts created after 25 November 2019 have it on for both by default), and say in
#       # the template that it is owned outside this stack:
#       Metadata:
#         sesguard:
#           accountSuppression: false
#     cdk-typescript: |
#       // CloudFormation (so CDK) has no resource for the account-level suppression list. Accounts
#       // created after 25 November 2019 have it on for BOUNCE and COMPLAINT by default; set it once per
#       // account and Region (aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE
#       // COMPLAINT) and say in the template's Metadata that it is owned outside this stack:
#       cdk.Stack.of(this).templateOptions.metadata = { sesguard: { accountSuppression: false } };
#     cdk-python: |
#       # CloudFormation (so CDK) has no resource for the account-level suppression list. Accounts
#       # created after 25 November 2019 have it on for BOUNCE and COMPLAINT by default; set it once per
#       # account and Region (aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE
#       # COMPLAINT) and say in the template's Metadata that it is owned outside this stack:
#       cdk.Stack.of(self).template_options.metadata = {"sesguard": {"accountSuppression": False}}
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses016
}

_ses016 contains {"resource": null, "msg": msg} if {
	sending.ses_stack
	count(resources.of_type(ses.t.v2_account_suppression)) == 0
	not sending.is_false(sending.setting("accountSuppression"))
	msg := _ses016_missing_message
}

# A template cannot declare the list at all: the one fix there is its Metadata.
_ses016_missing_message := concat("", [
	"this template declares SES resources and CloudFormation cannot declare the account suppression list: ",
	"set it outside the template (on for BOUNCE and COMPLAINT by default in accounts created after 25 November 2019) ",
	"and say so in the template's Metadata (sesguard: accountSuppression: false)",
]) if {
	input.source == "cloudformation"
} else := "this stack declares SES resources but no account suppression list (AccountSuppressionAttributes for BOUNCE and COMPLAINT), and its config does not say another stack owns it (accountSuppression: false)"

_ses016 contains {"resource": r, "msg": msg} if {
	some r in resources.of_type(ses.t.v2_account_suppression)
	reasons := object.get(r.props, "suppressedReasons", [])
	not lib.has_unknown(reasons)
	not lib.secret(reasons)
	is_array(reasons)
	missing := sending.feedback_types - {upper(x) | some x in reasons; is_string(x)}
	count(missing) > 0
	msg := sprintf("the account suppression list does not cover %s: SES keeps mailing addresses that did so", [concat(" and ", sort(missing))])
}

_ses016 contains {"resource": r, "msg": msg} if {
	some r in resources.of_type(ses.t.v2_account_suppression)
	reasons := object.get(r.props, "suppressedReasons", [])
	not lib.has_unknown(reasons)
	types.wrong(reasons, "array")
	msg := sprintf("the account suppression list: %s; cannot verify BOUNCE and COMPLAINT are covered", [types.describe("suppressedReasons", reasons, "array")])
}

_ses016 contains {"resource": r, "msg": msg} if {
	some r in resources.of_type(ses.t.v2_account_suppression)
	lib.has_unknown(object.get(r.props, "suppressedReasons", null))
	msg := "the account suppression reasons are unknown until apply: cannot verify BOUNCE and COMPLAINT are covered"
}

_ses016 contains {"resource": r, "msg": msg} if {
	some r in resources.of_type(ses.t.v2_account_suppression)
	lib.secret(object.get(r.props, "suppressedReasons", null))
	msg := "the account suppression reasons are secret: cannot verify BOUNCE and COMPLAINT are covered"
}
