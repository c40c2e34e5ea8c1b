package ses.live

import data.lib
import data.lib.result
import data.lib.ses

# METADATA
# title: The live account matches what the stack declares
# description: |
#   Production access is judged on what the account is, and a hand edit in the console is the
#   usual way an account drifts from its reviewed configuration: an event destination disabled, an
#   alarm threshold raised, a configuration set's reputation metrics or TLS policy changed, an
#   identity or alarm deleted. With `sesguard audit --stack NAME` the stack's declared resources
#   are attached as `facts.declared` and compared, type by type, on their natural keys (identity
#   name, configuration set name, destination name, alarm metric). DNS records are compared by
#   `sesguard dns`, not here. Applies only to a live account.
# custom:
#   id: SES-043
#   slug: drift
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Bring the account back to the stack: `pulumi refresh` shows the drift, `pulumi up` restores
#     the declared configuration. If the hand change was intended, make it in the program (and its
#     review) instead, so the next deployment does not silently undo it.
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _drift_problems

_drift_problems contains {"resource": d.urn, "message": msg} if {
	_drift_on
	some k, ds in _declared_by_key
	not _live_by_key[k]
	some d in ds
	msg := sprintf("%s is declared by stack %v but missing from the live account", [_label(d), input.stack])
}

_drift_problems contains {"resource": l.urn, "message": msg} if {
	_drift_on
	some k, ds in _declared_by_key
	not startswith(k, "alarm|")
	some l in _live_by_key[k]
	some d in ds
	diffs := _diffs(d, l)
	count(diffs) > 0
	msg := sprintf("%s drifted from stack %v: %s", [_label(d), input.stack, concat("; ", sort(diffs))])
}

# Alarms are matched by metric: the account may hold other alarms on the same metric, so a
# declared alarm has drifted only when no live alarm on its metric still does what it declares.
_drift_problems contains {"resource": l.urn, "message": msg} if {
	_drift_on
	some k, ds in _declared_by_key
	startswith(k, "alarm|")
	ls := _live_by_key[k]
	some d in ds
	not _alarm_kept(d, ls)
	some l in ls
	msg := sprintf(
		"%s drifted from stack %v: %s",
		[_label(d), input.stack, concat("; ", sort(_alarm_diffs(d, l)))],
	)
}

_drift_on if {
	live
	is_array(input.facts.declared)
}

# Both sides grouped by key once, as complete objects: a partial rule looked up by key would
# re-scan every resource per lookup. The inner comprehensions are indexed by OPA on `p[0] == k`.
_declared_keyed := [[k, r] | some r in input.facts.declared; k := _key(r)]

_live_keyed := [[k, r] | some r in input.resources; k := _key(r)]

_declared_by_key := {k: {p[1] | some p in _declared_keyed; p[0] == k} | some k in {p[0] | some p in _declared_keyed}}

_live_by_key := {k: {p[1] | some p in _live_keyed; p[0] == k} | some k in {p[0] | some p in _live_keyed}}

_s(x) := lower(trim_suffix(x, ".")) if {
	is_string(x)
	lib.known(x)
}

_key(r) := concat("|", ["identity", _s(r.props.emailIdentity)]) if r.type == ses.t.v2_identity

_key(r) := concat("|", ["mail-from", _s(r.props.emailIdentity)]) if r.type == ses.t.v2_mail_from

_key(r) := concat("|", ["configuration-set", _s(r.props.configurationSetName)]) if {
	r.type == ses.t.v2_configuration_set
}

_key(r) := concat("|", ["event-destination", _s(r.props.configurationSetName), _s(r.props.eventDestinationName)]) if {
	r.type == ses.t.v2_event_destination
}

_key(r) := "account-suppression" if r.type == ses.t.v2_account_suppression

_key(r) := concat("|", ["alarm", _s(r.props.namespace), _s(r.props.metricName)]) if r.type == ses.t.alarm

_key(r) := concat("|", ["identity-policy", _s(r.props.emailIdentity), _s(r.props.policyName)]) if {
	r.type == ses.t.v2_identity_policy
}

_key(r) := concat("|", ["contact-list", _s(r.props.contactListName)]) if r.type == ses.t.v2_contact_list

_label(r) := sprintf("identity %v", [r.props.emailIdentity]) if r.type == ses.t.v2_identity

_label(r) := sprintf("MAIL FROM of %v", [r.props.emailIdentity]) if r.type == ses.t.v2_mail_from

_label(r) := sprintf("configuration set %v", [r.props.configurationSetName]) if r.type == ses.t.v2_configuration_set

_label(r) := sprintf("event destination %v of configuration set %v", [
	r.props.eventDestinationName,
	r.props.configurationSetName,
]) if r.type == ses.t.v2_event_destination

_label(r) := "the account suppression list" if r.type == ses.t.v2_account_suppression

_label(r) := sprintf("the %v %v alarm", [r.props.namespace, r.props.metricName]) if r.type == ses.t.alarm

_label(r) := sprintf("identity policy %v of %v", [r.props.policyName, r.props.emailIdentity]) if {
	r.type == ses.t.v2_identity_policy
}

_label(r) := sprintf("contact list %v", [r.props.contactListName]) if r.type == ses.t.v2_contact_list

# A declared value the comparison can use: set literally in the program, not computed at apply.
_declared(d, path) := v if {
	v := object.get(d.props, path, null)
	v != null
	not lib.has_unknown(v)
	not lib.secret(v)
}

_changed(d, l, path) := msg if {
	want := _declared(d, path)
	got := object.get(l.props, path, null)
	not _same(want, got)
	msg := sprintf("%s is %v in the account, the stack declares %v", [concat(".", path), _show(got), _show(want)])
}

_same(a, b) if a == b

_same(a, b) if {
	is_string(a)
	is_string(b)
	_s(a) == _s(b)
}

_show(null) := "not set"

_show(v) := sprintf("%v", [v]) if v != null

_upper_set(xs) := {upper(x) | some x in xs; is_string(x)}

_lost(d, l, path) := _upper_set(want) - _upper_set(object.get(l.props, path, [])) if {
	want := _declared(d, path)
	is_array(want)
}

_diffs(d, l) := {m |
	some path in [["configurationSetName"], ["dkimSigningAttributes", "nextSigningKeyLength"]]
	m := _changed(d, l, path)
} if d.type == ses.t.v2_identity

_diffs(d, l) := {m |
	some path in [["mailFromDomain"], ["behaviorOnMxFailure"]]
	m := _changed(d, l, path)
} if d.type == ses.t.v2_mail_from

_diffs(d, l) := {m |
	some path in [
		["reputationOptions", "reputationMetricsEnabled"],
		["sendingOptions", "sendingEnabled"],
		["deliveryOptions", "tlsPolicy"],
	]
	m := _changed(d, l, path)
} | {m |
	path := ["suppressionOptions", "suppressedReasons"]
	want := _declared(d, path)
	got := object.get(l.props, path, null)
	_upper_set(want) != _upper_set(object.get(l.props, path, []))
	m := sprintf("%s is %v in the account, the stack declares %v", [concat(".", path), _show(got), want])
} if d.type == ses.t.v2_configuration_set

_diffs(d, l) := {m |
	object.get(d.props, ["eventDestination", "enabled"], false) == true
	object.get(l.props, ["eventDestination", "enabled"], false) != true
	m := "it was disabled in the account"
} | {m |
	lost := _lost(d, l, ["eventDestination", "matchingEventTypes"])
	count(lost) > 0
	m := sprintf("it no longer matches %s", [concat(", ", sort(lost))])
} | {m |
	some path in [["eventDestination", "snsDestination", "topicArn"], ["eventDestination", "eventBridgeDestination", "eventBusArn"]]
	m := _changed(d, l, path)
} if d.type == ses.t.v2_event_destination

_diffs(d, l) := {m |
	lost := _lost(d, l, ["suppressedReasons"])
	count(lost) > 0
	m := sprintf("it no longer covers %s", [concat(", ", sort(lost))])
} if d.type == ses.t.v2_account_suppression

_diffs(d, l) := {m |
	want := {t.topicName | some t in object.get(d.props, "topics", []); is_string(t.topicName)}
	have := {t.topicName | some t in object.get(l.props, "topics", []); is_string(t.topicName)}
	lost := want - have
	count(lost) > 0
	m := sprintf("topics %s were removed", [concat(", ", sort(lost))])
} if d.type == ses.t.v2_contact_list

# A policy's text is normalized by AWS, so only its presence is compared.
_diffs(d, _) := set() if d.type == ses.t.v2_identity_policy

_alarm_kept(d, ls) if {
	some l in ls
	count(_alarm_diffs(d, l)) == 0
}

_alarm_diffs(d, l) := {m |
	want := _declared(d, ["threshold"])
	got := object.get(l.props, "threshold", null)
	not got <= want
	m := sprintf("its threshold was raised from %v to %v (alarm %v)", [want, got, l.name])
} | {m |
	some path in [["comparisonOperator"], ["statistic"]]
	c := _changed(d, l, path)
	m := sprintf("%s (alarm %v)", [c, l.name])
} | {m |
	count(object.get(d.props, "alarmActions", [])) > 0
	count(object.get(l.props, "alarmActions", [])) == 0
	m := sprintf("its actions were removed (alarm %v)", [l.name])
} | {m |
	object.get(d.props, "actionsEnabled", true) != false
	object.get(l.props, "actionsEnabled", true) == false
	m := sprintf("its actions were disabled (alarm %v)", [l.name])
}
