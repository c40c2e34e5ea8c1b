package ses.waivers

import data.lib.result
import data.lib.waivers

# METADATA
# title: Every waiver has a reason and an unexpired date
# description: |
#   A waiver keeps a finding from failing the stack, so it must say why (`reason`) and until
#   when (`expires: YYYY-MM-DD`); a waiver past its date, or without either, waives nothing and
#   is reported here so it is fixed or removed rather than silently ignored. Waivers come from
#   the stack config key `sesguard:waivers` (a list) or a waiver file.
# custom:
#   id: SES-026
#   slug: waiver-valid
#   severity: medium
#   enforcement: mandatory
#   remediation: |
#     Give every waiver a rule, a reason and an expiry date in the future:
#     `sesguard:waivers: [{rule: SES-015, resource: "urn:...", reason: "DLQ lands in JIRA-123", expires: "2028-06-30"}]`;
#     renew or delete expired ones.
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses026
}

_ses026 contains {"resource": _resource(entry.waiver), "msg": msg} if {
	some entry in waivers.all
	problems := waivers.problems(entry.waiver)
	count(problems) > 0
	msg := sprintf("the waiver for %s on %s (%s) waives nothing: %s", [
		_rule(entry.waiver),
		_scope(entry.waiver),
		entry.origin,
		concat("; ", sort(problems)),
	])
}

_ses026 contains {"resource": null, "msg": msg} if {
	w := input.config["sesguard:waivers"]
	not waivers.config_list(w)
	msg := sprintf("stack config sesguard:waivers must be a list of waivers ({rule, resource, reason, expires}), got %s: nothing is waived", [_kind(w)])
}

_rule(w) := w.rule if {
	is_string(w.rule)
	w.rule != ""
} else := "(no rule)"

_scope(w) := w.resource if {
	is_string(w.resource)
	w.resource != ""
} else := "every resource"

_resource(w) := w.resource if {
	is_string(w.resource)
	w.resource != ""
} else := null

_kind(w) := sprintf("%q", [w]) if is_string(w)

else := type_name(w)
