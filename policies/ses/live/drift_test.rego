package ses.live_test

import data.ses.live

_u := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_r(side, type, name, props) := {
	"urn": sprintf("urn:%s::%s::%s", [side, type, name]),
	"type": type, "name": name, "props": props,
}

_t := {
	"identity": "aws:sesv2/emailIdentity:EmailIdentity",
	"mail_from": "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
	"set": "aws:sesv2/configurationSet:ConfigurationSet",
	"dest": "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
	"suppression": "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes",
	"alarm": "aws:cloudwatch/metricAlarm:MetricAlarm",
	"contact_list": "aws:sesv2/contactList:ContactList",
}

# What the stack declares: literal values, and the unknowns a preview leaves (ARNs, tokens).
_declared := [
	_r("d", _t.identity, "id", {"emailIdentity": "example.com", "configurationSetName": "prod", "dkimSigningAttributes": {"nextSigningKeyLength": "RSA_2048_BIT", "tokens": _u}}),
	_r("d", _t.mail_from, "mf", {"emailIdentity": "example.com", "mailFromDomain": "mail.example.com", "behaviorOnMxFailure": "REJECT_MESSAGE"}),
	_r("d", _t.set, "cs", {
		"configurationSetName": "prod",
		"reputationOptions": {"reputationMetricsEnabled": true},
		"sendingOptions": {"sendingEnabled": true},
		"deliveryOptions": {"tlsPolicy": "REQUIRE"},
		"suppressionOptions": {"suppressedReasons": ["BOUNCE", "COMPLAINT"]},
	}),
	_r("d", _t.dest, "ed", {"configurationSetName": "prod", "eventDestinationName": "feedback", "eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": _u}}}),
	_r("d", _t.suppression, "sup", {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}),
	_r("d", _t.alarm, "bounce", {"namespace": "AWS/SES", "metricName": "Reputation.BounceRate", "threshold": 0.02, "comparisonOperator": "GreaterThanOrEqualToThreshold", "statistic": "Average", "alarmActions": [_u]}),
	_r("d", _t.contact_list, "cl", {"contactListName": "news", "topics": [{"topicName": "weekly"}]}),
]

_live := [
	_r("l", _t.identity, "example.com", {"emailIdentity": "Example.com", "configurationSetName": "prod", "dkimSigningAttributes": {"nextSigningKeyLength": "RSA_2048_BIT", "tokens": ["a", "b", "c"]}}),
	_r("l", _t.mail_from, "example.com", {"emailIdentity": "example.com", "mailFromDomain": "mail.example.com.", "behaviorOnMxFailure": "REJECT_MESSAGE"}),
	_r("l", _t.set, "prod", {
		"configurationSetName": "prod",
		"reputationOptions": {"reputationMetricsEnabled": true},
		"sendingOptions": {"sendingEnabled": true},
		"deliveryOptions": {"tlsPolicy": "REQUIRE"},
		"suppressionOptions": {"suppressedReasons": ["COMPLAINT", "BOUNCE"]},
	}),
	_r("l", _t.dest, "prod/feedback", {"configurationSetName": "prod", "eventDestinationName": "feedback", "eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT", "DELIVERY"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:1:t"}}}),
	_r("l", _t.suppression, "account", {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}),
	_r("l", _t.alarm, "bounce-a1", {"name": "bounce-a1", "namespace": "AWS/SES", "metricName": "Reputation.BounceRate", "threshold": 0.02, "comparisonOperator": "GreaterThanOrEqualToThreshold", "statistic": "Average", "alarmActions": ["arn:aws:sns:us-east-1:1:alerts"]}),
	_r("l", _t.contact_list, "news", {"contactListName": "news", "topics": [{"topicName": "weekly"}, {"topicName": "extra"}]}),
]

_drift_doc(resources) := {"source": "live", "stack": "prod", "resources": resources, "facts": {"declared": _declared}}

_drift(fs) := {f.message | some f in fs; f.rule == "SES-043"}

# Replace the live resource named `name` with one whose props are patched.
_patched(name, patch) := [x |
	some r in _live
	x := _patch_if(r, name, patch)
]

_patch_if(r, name, patch) := object.union(r, {"props": object.union(r.props, patch)}) if r.name == name

_patch_if(r, name, _) := r if r.name != name

_without(name) := [r | some r in _live; r.name != name]

test_matching_account_has_no_drift if {
	count(_drift(live.deny)) == 0 with input as _drift_doc(_live)
}

test_no_declared_no_drift if {
	count(_drift(live.deny)) == 0 with input as {"source": "live", "resources": [], "facts": {}}
}

test_program_document_is_not_judged if {
	count(_drift(live.deny)) == 0 with input as object.union(_drift_doc([]), {"source": "program"})
}

test_destination_disabled_by_hand if {
	ed := {"eventDestination": {"enabled": false, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:1:t"}}}
	ms := _drift(live.deny) with input as _drift_doc(_patched("prod/feedback", ed))
	ms == {"event destination feedback of configuration set prod drifted from stack prod: it was disabled in the account"}
}

test_destination_types_dropped if {
	ed := {"eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:1:t"}}}
	ms := _drift(live.deny) with input as _drift_doc(_patched("prod/feedback", ed))
	ms == {"event destination feedback of configuration set prod drifted from stack prod: it no longer matches COMPLAINT"}
}

test_alarm_threshold_raised if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("bounce-a1", {"threshold": 0.08}))
	ms == {"the AWS/SES Reputation.BounceRate alarm drifted from stack prod: its threshold was raised from 0.02 to 0.08 (alarm bounce-a1)"}
}

test_alarm_actions_removed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("bounce-a1", {"alarmActions": []}))
	ms == {"the AWS/SES Reputation.BounceRate alarm drifted from stack prod: its actions were removed (alarm bounce-a1)"}
}

test_alarm_actions_disabled if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("bounce-a1", {"actionsEnabled": false}))
	ms == {"the AWS/SES Reputation.BounceRate alarm drifted from stack prod: its actions were disabled (alarm bounce-a1)"}
}

test_another_good_alarm_on_the_metric_keeps_it if {
	extra := _r("l", _t.alarm, "other", {"name": "other", "namespace": "AWS/SES", "metricName": "Reputation.BounceRate", "threshold": 0.5, "comparisonOperator": "GreaterThanOrEqualToThreshold", "statistic": "Average", "alarmActions": []})
	count(_drift(live.deny)) == 0 with input as _drift_doc(array.concat(_live, [extra]))
}

test_alarm_missing if {
	ms := _drift(live.deny) with input as _drift_doc(_without("bounce-a1"))
	ms == {"the AWS/SES Reputation.BounceRate alarm is declared by stack prod but missing from the live account"}
}

test_identity_missing if {
	fs := live.deny with input as _drift_doc(_without("example.com"))
	ms := _drift(fs)
	"identity example.com is declared by stack prod but missing from the live account" in ms
	some f in fs
	f.rule == "SES-043"
	f.resource == sprintf("urn:d::%s::id", [_t.identity])
}

test_configuration_set_option_changed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("prod", {"reputationOptions": {"reputationMetricsEnabled": false}, "deliveryOptions": {"tlsPolicy": "OPTIONAL"}}))
	ms == {"configuration set prod drifted from stack prod: deliveryOptions.tlsPolicy is OPTIONAL in the account, the stack declares REQUIRE; reputationOptions.reputationMetricsEnabled is false in the account, the stack declares true"}
}

test_configuration_set_suppression_override_removed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("prod", {"suppressionOptions": {"suppressedReasons": []}}))
	count(ms) == 1
}

test_identity_configuration_set_changed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("example.com", {"configurationSetName": "other"}))
	ms == {"identity example.com drifted from stack prod: configurationSetName is other in the account, the stack declares prod"}
}

test_mail_from_behaviour_changed if {
	ms2 := _drift(live.deny) with input as _drift_doc([x |
		some r in _live
		x := _mf_patch(r)
	])
	ms2 == {"MAIL FROM of example.com drifted from stack prod: behaviorOnMxFailure is USE_DEFAULT_VALUE in the account, the stack declares REJECT_MESSAGE"}
}

_mf_patch(r) := object.union(r, {"props": object.union(r.props, {"behaviorOnMxFailure": "USE_DEFAULT_VALUE"})}) if r.type == _t.mail_from

_mf_patch(r) := r if r.type != _t.mail_from

test_account_suppression_narrowed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("account", {"suppressedReasons": ["BOUNCE"]}))
	ms == {"the account suppression list drifted from stack prod: it no longer covers COMPLAINT"}
}

test_contact_list_topic_removed if {
	ms := _drift(live.deny) with input as _drift_doc(_patched("news", {"topics": []}))
	ms == {"contact list news drifted from stack prod: topics weekly were removed"}
}
