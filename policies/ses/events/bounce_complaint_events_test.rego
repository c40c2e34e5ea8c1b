package ses.events_test

import data.lib.sesfix_test as fx
import data.ses.events

_deny(rs) := fs if {
	fs := events.deny with input as fx.stack(rs)
}

_id_urn := fx.urn(fx.t_identity, "identity")

_dest(ed) := fx.replace(fx.sender, fx.t_dest, "dest", {"configurationSetName": "prod", "eventDestinationName": "feedback", "eventDestination": ed})

_sns := {"topicArn": fx.U}

_msg_has(fs, id, s) if {
	some m in fx.msgs(fs, id)
	contains(m, s)
}

test_ses012_compliant if count(fx.of(_deny(fx.sender), "SES-012")) == 0

test_ses012_no_destination if {
	fs := _deny(fx.drop(fx.sender, fx.t_dest, "dest"))
	fx.of(fs, "SES-012") == {_id_urn}
	_msg_has(fs, "SES-012", "has no event destination")
}

test_ses012_disabled_destination if {
	fs := _deny(_dest({"enabled": false, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}))
	fx.of(fs, "SES-012") == {_id_urn}
	_msg_has(fs, "SES-012", "disabled: dest")
}

test_ses012_enabled_absent_is_disabled if {
	fs := _deny(_dest({"matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}))
	fx.of(fs, "SES-012") == {_id_urn}
}

test_ses012_only_bounce if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": _sns}))
	fx.of(fs, "SES-012") == {_id_urn}
	_msg_has(fs, "SES-012", "matches COMPLAINT events")
}

test_ses012_only_complaint if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["COMPLAINT"], "snsDestination": _sns}))
	_msg_has(fs, "SES-012", "matches BOUNCE events")
}

test_ses012_two_destinations_together_pass if {
	second := fx.res(fx.t_dest, "dest2", {
		"configurationSetName": "prod",
		"eventDestination": {"enabled": true, "matchingEventTypes": ["COMPLAINT"], "snsDestination": _sns},
	}, [[fx.t_cs, "cs"], [fx.t_topic, "feedback"]])
	rs := array.concat(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": _sns}), [second])
	count(fx.of(_deny(rs), "SES-012")) == 0
}

test_ses012_destination_on_another_set if {
	other := fx.res(fx.t_cs, "other", {"configurationSetName": "other"}, [])
	rs := array.concat(fx.patch(fx.sender, fx.t_dest, "dest", {"configurationSetName": "other"}), [other])
	fs := _deny(rs)
	fx.of(fs, "SES-012") == {_id_urn}
	_msg_has(fs, "SES-012", "configuration set prod has no event destination")
}

test_ses012_types_unknown_cannot_verify if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": fx.U, "snsDestination": _sns}))
	fx.of(fs, "SES-012") == {_id_urn}
	_msg_has(fs, "SES-012", "cannot verify")
}

test_ses012_type_item_unknown_cannot_verify if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE", fx.U], "snsDestination": _sns}))
	_msg_has(fs, "SES-012", "cannot verify")
}

test_ses012_enabled_unknown_cannot_verify if {
	fs := _deny(_dest({"enabled": fx.U, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}))
	_msg_has(fs, "SES-012", "cannot verify")
}

test_ses012_no_configuration_set if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_identity, "identity", "configurationSetName"))
	_msg_has(fs, "SES-012", "go nowhere")
}

test_ses012_unknown_identity_named_by_logical_name if {
	rs := fx.patch(fx.remove_prop(fx.sender, fx.t_identity, "identity", "configurationSetName"), fx.t_identity, "identity", {"emailIdentity": fx.U})
	_msg_has(_deny(rs), "SES-012", "of identity identity go nowhere")
}

_v1 := [
	fx.res("aws:ses/domainIdentity:DomainIdentity", "v1", {"domain": "example.org"}, []),
	fx.res("aws:ses/configurationSet:ConfigurationSet", "v1cs", {"name": "legacy", "reputationMetricsEnabled": true}, []),
	fx.res(fx.t_topic, "legacy-topic", {"name": "legacy", "kmsMasterKeyId": "k"}, []),
	fx.res(fx.t_sub, "legacy-sub", {"topic": "arn:aws:sns:us-east-1:123456789012:legacy", "protocol": "https", "endpoint": "https://x"}, []),
]

_notification(kind) := fx.res("aws:ses/identityNotificationTopic:IdentityNotificationTopic", kind, {
	"identity": "example.org", "notificationType": kind,
	"topicArn": "arn:aws:sns:us-east-1:123456789012:legacy",
}, [])

test_ses012_v1_notification_topics_pass if {
	fs := _deny(array.concat(_v1, [_notification("Bounce"), _notification("Complaint")]))
	count(fx.of(fs, "SES-012")) == 0
	count(fx.of(fs, "SES-013")) == 0
}

test_ses012_v1_missing_complaint_topic if {
	fs := _deny(array.concat(_v1, [_notification("Bounce")]))
	fx.of(fs, "SES-012") == {fx.urn("aws:ses/domainIdentity:DomainIdentity", "v1")}
}

test_ses012_v1_event_destination_lower_case_types if {
	dest := fx.res("aws:ses/eventDestination:EventDestination", "v1dest", {
		"configurationSetName": "prod", "enabled": true, "matchingTypes": ["bounce", "complaint"],
		"snsDestination": {"topicArn": fx.U},
	}, [[fx.t_topic, "feedback"]])
	rs := array.concat(fx.drop(fx.sender, fx.t_dest, "dest"), [dest])
	count(fx.of(_deny(rs), "SES-012")) == 0
}

test_ses012_notification_without_identity_ignored if {
	n := fx.res("aws:ses/identityNotificationTopic:IdentityNotificationTopic", "stray", {"identity": "[secret]", "notificationType": "Bounce", "topicArn": fx.U}, [])
	fs := _deny(array.concat(fx.sender, [n]))
	count(fx.of(fs, "SES-012")) == 0
}

test_ses012_destination_block_unknown_cannot_verify if {
	fs := _deny(fx.replace(fx.sender, fx.t_dest, "dest", {"configurationSetName": "prod", "eventDestination": fx.U}))
	_msg_has(fs, "SES-012", "cannot verify")
}

test_ses012_destination_block_malformed_fails_closed if {
	fs := _deny(fx.replace(fx.sender, fx.t_dest, "dest", {"configurationSetName": "prod", "eventDestination": 7}))
	_msg_has(fs, "SES-012", "no enabled event destination")
}

test_ses012_non_string_type_ignored if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE", 7], "snsDestination": _sns}))
	_msg_has(fs, "SES-012", "matches COMPLAINT events")
}

# Address identities send too: one naming its own configuration set needs that set to publish
# bounces and complaints, like any domain identity.
_address(props) := fx.res(fx.t_identity, "alerts", object.union({"emailIdentity": "alerts@example.com"}, props), [])

_address_urn := fx.urn(fx.t_identity, "alerts")

test_ses012_address_identity_on_a_set_without_destination if {
	rs := array.concat(fx.sender, [
		_address({"configurationSetName": "alerts"}),
		fx.res(fx.t_cs, "alerts-cs", {"configurationSetName": "alerts", "reputationOptions": {"reputationMetricsEnabled": true}}, []),
	])
	fs := _deny(rs)
	fx.of(fs, "SES-012") == {_address_urn}
	_msg_has(fs, "SES-012", "identity alerts@example.com: configuration set alerts has no event destination")
}

test_ses012_address_identity_on_the_domains_set_passes if {
	count(fx.of(_deny(array.concat(fx.sender, [_address({"configurationSetName": "prod"})])), "SES-012")) == 0
}

test_ses012_address_identity_without_settings_follows_its_domain if {
	count(fx.of(_deny(array.concat(fx.sender, [_address({})])), "SES-012")) == 0
}

test_ses012_address_identity_of_an_undeclared_domain_is_left_to_ses001 if {
	rs := array.concat(fx.sender, [fx.res(fx.t_identity, "other", {"emailIdentity": "ops@example.net"}, [])])
	count(fx.of(_deny(rs), "SES-012")) == 0
}

test_ses012_v1_address_identity_notified_by_address if {
	v1 := fx.res("aws:ses/emailIdentity:EmailIdentity", "ops", {"email": "ops@example.net"}, [])
	topics := [fx.res("aws:ses/identityNotificationTopic:IdentityNotificationTopic", k, {
		"identity": "Ops@example.net", "notificationType": k,
		"topicArn": "arn:aws:sns:us-east-1:123456789012:legacy",
	}, []) | some k in ["Bounce", "Complaint"]]
	count(fx.of(_deny(array.concat(array.concat(fx.sender, [v1]), topics)), "SES-012")) == 0
	_msg_has(_deny(array.concat(array.concat(fx.sender, [v1]), [topics[0]])), "SES-012", "identity ops@example.net")
}

# An identity settled by one destination is one the rule finds nothing in: the same findings with
# the gate off, for destinations one step off it.
test_ses012_gate_agrees_with_the_rules if {
	variants := [
		fx.sender,
		_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": _sns}),
		_dest({"enabled": true, "matchingEventTypes": ["bounce", "complaint"], "snsDestination": _sns}),
		_dest({"enabled": true, "matchingEventTypes": ["BOUNCE", fx.U], "snsDestination": _sns}),
		_dest({"enabled": fx.U, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}),
		_dest({"enabled": false, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}),
		_dest({"enabled": true, "matchingEventTypes": fx.U, "snsDestination": _sns}),
		fx.drop(fx.sender, fx.t_dest, "dest"),
	]
	every rs in variants {
		_deny(rs) == _deny_ungated(rs)
	}
}
