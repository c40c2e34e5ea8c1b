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
#     `aws.sesv2.AccountSuppressionAttributes("account", suppressed_reasons=["BOUNCE", "COMPLAINT"])`
#     in the one stack that owns the account's SES settings; in the others set
#     `ses-sender:accountSuppression: false` (or `sesguard:accountSuppression: false`).
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses016
}

_ses016 contains {"resource": null, "msg": msg} if {
	sending.ses_stack
	count(resources.of_type(ses.t.v2_account_suppression)) == 0
	not sending.is_false(sending.setting("accountSuppression"))
	msg := "this stack declares SES resources but no account suppression list (AccountSuppressionAttributes for BOUNCE and COMPLAINT), and its config does not say another stack owns it (accountSuppression: false)"
}

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
