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
#     Remove `suppression_options`, or set
#     `suppression_options=aws.sesv2.ConfigurationSetSuppressionOptionsArgs(suppressed_reasons=["BOUNCE", "COMPLAINT"])`.
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some _, c in sending.configuration_sets
	c.version == "v2"
	opts := object.get(c.resource.props, "suppressionOptions", null)
	opts != null
	msg := _ses017_msg(c, opts)
}

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
