package ses.live

import data.lib.result

# METADATA
# title: The account is out of the sandbox, sending and healthy
# description: |
#   Production access is granted per account and Region. A stack marked production that deploys
#   into a sandboxed account can only reach verified recipients, 200 messages a day. An account
#   whose sending is disabled, or whose enforcement status is PROBATION (under review) or SHUTDOWN
#   (paused), is at risk of losing production access. Applies only to a live account.
# custom:
#   id: SES-041
#   slug: account-health
#   severity: critical
#   enforcement: mandatory
#   remediation: |
#     Sandbox: build and lint the request with `sesguard request --stack NAME`, then `--submit`.
#     PROBATION or SHUTDOWN: open the case in the SES console (Reputation metrics / Account
#     dashboard), fix the bounce or complaint source, and reply to AWS with what changed. Sending
#     disabled: `aws sesv2 put-account-sending-attributes --sending-enabled` once the cause is fixed.
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _account_health_problems

_account_health_problems contains {"resource": null, "message": msg} if {
	live
	not _is_object_fact("account")
	msg := "the account's SES status (production access, sending, enforcement) could not be read"
}

_account_health_problems contains {"resource": null, "message": msg} if {
	live
	_facts.production == true
	a := _facts.account
	is_object(a)
	object.get(a, "productionAccessEnabled", false) != true
	msg := sprintf(
		"the account is in the SES sandbox in %v, but stack %v is marked production%s",
		[input.region, input.stack, _review(a)],
	)
}

_account_health_problems contains {"resource": null, "message": msg} if {
	live
	a := _facts.account
	is_object(a)
	object.get(a, "sendingEnabled", false) != true
	msg := sprintf("sending is disabled for the account in %v", [input.region])
}

_account_health_problems contains {"resource": null, "message": msg} if {
	live
	a := _facts.account
	is_object(a)
	status := object.get(a, "enforcementStatus", null)
	status != "HEALTHY"
	msg := sprintf("the account's enforcement status is %v%s, not HEALTHY", [status, _enforcement_note(status)])
}

_enforcement_note("PROBATION") := " (under review)"

_enforcement_note("SHUTDOWN") := " (sending paused)"

_enforcement_note(s) := "" if not s in {"PROBATION", "SHUTDOWN"}

_review(a) := sprintf(" (production-access request %v, case %v)", [d.status, object.get(d, "caseId", "?")]) if {
	d := a.reviewDetails
	is_object(d)
	is_string(d.status)
} else := ""
