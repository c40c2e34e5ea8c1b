package ses.suppression

import data.lib
import data.lib.result
import data.lib.sending
import data.lib.types

# METADATA
# title: No configuration set turns suppression off for bounces or complaints
# description: |
#   A configuration set's `suppressionOptions` replaces the account-level suppression list for
#   every send through it: a list without BOUNCE or COMPLAINT (or an empty one, or the block
#   with no list) means SES keeps mailing addresses that bounced or complained. Without
#   `suppressionOptions` the account setting applies, which SES-016 checks.
# custom:
#   id: SES-017
#   slug: suppression-not-overridden
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Remove the configuration set's suppression options (the account list then applies), or list both
#     BOUNCE and COMPLAINT in them.
#   remediation_code:
#     python: |
#       # Leave out suppression_options (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       aws.sesv2.ConfigurationSet("cs", configuration_set_name="prod",
#           suppression_options={"suppressed_reasons": ["BOUNCE", "COMPLAINT"]})
#     typescript: |
#       // Leave out suppressionOptions (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       new aws.sesv2.ConfigurationSet("cs", {
#           configurationSetName: "prod",
#           suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
#       });
#     go: |
#       // Leave out SuppressionOptions (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       _, err = sesv2.NewConfigurationSet(ctx, "cs", &sesv2.ConfigurationSetArgs{
#       	ConfigurationSetName: pulumi.String("prod"),
#       	SuppressionOptions: &sesv2.ConfigurationSetSuppressionOptionsArgs{
#       		SuppressedReasons: pulumi.StringArray{pulumi.String("BOUNCE"), pulumi.String("COMPLAINT")},
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // Leave out SuppressionOptions (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       new Aws.SesV2.ConfigurationSet("cs", new()
#       {
#           ConfigurationSetName = "prod",
#           SuppressionOptions = new Aws.SesV2.Inputs.ConfigurationSetSuppressionOptionsArgs
#           {
#               SuppressedReasons = new[] { "BOUNCE", "COMPLAINT" },
#           },
#       });
#     yaml: |
#       resources:
#         cs:
#           type: aws:sesv2:ConfigurationSet
#           properties:
#             configurationSetName: prod
#             # Leave out suppressionOptions (the account list applies), or keep BOUNCE and COMPLAINT in it.
#             suppressionOptions:
#               suppressedReasons: [BOUNCE, COMPLAINT]
#     terraform: |
#       # Leave out suppression_options (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       resource "aws_sesv2_configuration_set" "cs" {
#         configuration_set_name = "prod"
#         suppression_options {
#           suppressed_reasons = ["BOUNCE", "COMPLAINT"]
#         }
#       }
#     cloudformation: |
#       # Leave out SuppressionOptions (the account list applies), or keep BOUNCE and COMPLAINT in it.
#       Resources:
#         ConfigurationSet:
#           Type: AWS::SES::ConfigurationSet
#           Properties:
#             Name: prod
#             SuppressionOptions:
#               SuppressedReasons: [BOUNCE, COMPLAINT]
#     cdk-typescript: |
#       new ses.ConfigurationSet(this, 'ConfigurationSet', {
#         suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
#       });
#     cdk-python: |
#       ses.ConfigurationSet(self, "ConfigurationSet",
#           suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS)
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some _, c in sending.configuration_sets
	c.version == "v2"
	opts := c.resource.props.suppressionOptions
	opts != null
	not _ses017_covers(opts)
	msg := _ses017_msg(c, opts)
}

# The usual setting, both reasons as AWS spells them: nothing to report, and none of the checks
# below (type, unknown, secret, the reasons missing) needs to run.
_ses017_covers(opts) if opts.suppressedReasons in {["BOUNCE", "COMPLAINT"], ["COMPLAINT", "BOUNCE"]}

_ses017_msg(c, opts) := sprintf("configuration set %s: %s; cannot verify suppression stays on", [sending.set_name(c), _ses017_wrong_type(opts)]) if {
	_ses017_wrong_type(opts)
} else := sprintf("configuration set %s: its suppression options are unknown until apply or secret; cannot verify suppression stays on", [sending.set_name(c)]) if {
	_ses017_unknown(opts)
} else := sprintf("configuration set %s overrides the account suppression list without %s: SES keeps mailing addresses that did so", [sending.set_name(c), concat(" and ", sort(missing))]) if {
	is_object(opts)
	missing := sending.feedback_types - {upper(x) | some x in _ses017_reasons(opts); is_string(x)}
	count(missing) > 0
}

# An absent or null list is an empty one: suppression off.
_ses017_reasons(opts) := opts.suppressedReasons if is_array(opts.suppressedReasons)

else := []

_ses017_unknown(opts) if not lib.known(opts)

_ses017_unknown(opts) if {
	is_object(opts)
	lib.has_unknown(opts.suppressedReasons)
}

_ses017_unknown(opts) if {
	is_object(opts)
	lib.secret(opts.suppressedReasons)
}

# Options or reasons of the wrong type are not a setting SES can be judged to apply.
_ses017_wrong_type(opts) := types.describe("suppressionOptions", opts, "object") if types.wrong(opts, "object")
else := types.describe("suppressedReasons", opts.suppressedReasons, "array") if {
	is_object(opts)
	not lib.has_unknown(opts.suppressedReasons)
	types.wrong(opts.suppressedReasons, "array")
}
