package ses.events_test

import data.lib.sesfix_test as fx

_topic_urn := fx.urn(fx.t_topic, "feedback")

_dest_urn := fx.urn(fx.t_dest, "dest")

test_ses013_compliant if count(fx.of(_deny(fx.sender), "SES-013")) == 0

test_ses013_no_subscription if {
	fs := _deny(fx.drop(fx.sender, fx.t_sub, "queue-sub"))
	fx.of(fs, "SES-013") == {_topic_urn}
	_msg_has(fs, "SES-013", "has no subscription")
}

test_ses013_plain_http_subscription if {
	http := fx.res(fx.t_sub, "hook", {"topic": fx.U, "protocol": "HTTP", "endpoint": "http://hooks.example.com"}, [[fx.t_topic, "feedback"]])
	fs := _deny(array.concat(fx.sender, [http]))
	fx.of(fs, "SES-013") == {fx.urn(fx.t_sub, "hook")}
	_msg_has(fs, "SES-013", "plain http")
}

test_ses013_external_topic_cannot_verify if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:999999999999:elsewhere"}}))
	fx.of(fs, "SES-013") == {_dest_urn}
	_msg_has(fs, "SES-013", "arn:aws:sns:us-east-1:999999999999:elsewhere, which is not declared")
}

test_ses013_unknown_topic_without_dependency_cannot_verify if {
	rs := [object.union(r, {"dependencies": []}) | some r in fx.sender; r.type == fx.t_dest]
	others := [r | some r in fx.sender; r.type != fx.t_dest]
	fs := _deny(array.concat(others, rs))
	fx.of(fs, "SES-013") == {_dest_urn}
	_msg_has(fs, "SES-013", "unknown until apply")
}

test_ses013_topic_found_by_known_arn if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback-prod"}}))
	count(fx.of(fs, "SES-013")) == 0
}

test_ses013_disabled_destination_not_judged if {
	fs := _deny(fx.drop(_dest({"enabled": false, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": _sns}), fx.t_sub, "queue-sub"))
	count(fx.of(fs, "SES-013")) == 0
}

_bus := {"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "eventBridgeDestination": {"eventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}

_rule(pattern, bus) := fx.res("aws:cloudwatch/eventRule:EventRule", "ses-rule", object.union({"name": "ses-events", "arn": fx.U, "eventPattern": pattern}, bus), [])

_target(rule, deps) := fx.res("aws:cloudwatch/eventTarget:EventTarget", "ses-target", {"rule": rule, "arn": "arn:aws:sqs:us-east-1:1:q"}, deps)

_ses_pattern := json.marshal({"source": ["aws.ses"], "detail-type": ["Bounce", "Complaint"]})

test_ses013_eventbridge_routed if {
	rs := array.concat(_dest(_bus), [_rule(_ses_pattern, {}), _target("ses-events", [])])
	count(fx.of(_deny(rs), "SES-013")) == 0
}

test_ses013_eventbridge_target_by_unknown_rule_name if {
	rs := array.concat(_dest(_bus), [
		_rule(json.marshal({"source": "aws.ses"}), {"eventBusName": "arn:aws:events:us-east-1:1:event-bus/default"}),
		_target(fx.U, [["aws:cloudwatch/eventRule:EventRule", "ses-rule"]]),
	])
	count(fx.of(_deny(rs), "SES-013")) == 0
}

test_ses013_eventbridge_no_rule if {
	fs := _deny(_dest(_bus))
	fx.of(fs, "SES-013") == {_dest_urn}
	_msg_has(fs, "SES-013", "no event rule")
}

test_ses013_eventbridge_rule_without_target if {
	fs := _deny(array.concat(_dest(_bus), [_rule(_ses_pattern, {})]))
	fx.of(fs, "SES-013") == {_dest_urn}
}

test_ses013_eventbridge_rule_for_other_source if {
	fs := _deny(array.concat(_dest(_bus), [_rule(json.marshal({"source": ["aws.ec2"]}), {}), _target("ses-events", [])]))
	fx.of(fs, "SES-013") == {_dest_urn}
}

test_ses013_eventbridge_rule_on_other_bus if {
	fs := _deny(array.concat(_dest(_bus), [_rule(_ses_pattern, {"eventBusName": "custom"}), _target("ses-events", [])]))
	fx.of(fs, "SES-013") == {_dest_urn}
}

test_ses013_eventbridge_pattern_unknown_cannot_verify if {
	fs := _deny(array.concat(_dest(_bus), [_rule(fx.U, {}), _target("ses-events", [])]))
	fx.of(fs, "SES-013") == {_dest_urn}
	_msg_has(fs, "SES-013", "event pattern unknown until apply; cannot verify")
}

# The bus a rule listens on, each way it can be written: SES puts events on the default bus only.
test_ses013_eventbridge_rule_on_the_default_bus_by_name_or_arn if {
	every bus in [{}, {"eventBusName": ""}, {"eventBusName": "default"}, {"eventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/default"}] {
		rs := array.concat(_dest(_bus), [_rule(_ses_pattern, bus), _target("ses-events", [])])
		count(fx.of(_deny(rs), "SES-013")) == 0
	}
}

# A bus name unknown until apply may be a custom bus, where SES puts nothing: never the default.
test_ses013_eventbridge_rule_on_an_unknown_bus_cannot_verify if {
	every bus in [fx.U, "arn:aws:events:us-east-1:123456789012:event-bus/04da6b54-80e4-46f7-96ec-b56ff0331ba9", "[secret]"] {
		fs := _deny(array.concat(_dest(_bus), [_rule(_ses_pattern, {"eventBusName": bus}), _target("ses-events", [])]))
		fx.of(fs, "SES-013") == {_dest_urn}
		_msg_has(fs, "SES-013", "event rule ses-rule may match source aws.ses, but its event bus is unknown until apply; cannot verify")
	}
}

# An unknown bus beside a rule on the default bus that routes the events: nothing to report.
test_ses013_eventbridge_unknown_bus_beside_a_routed_default_rule if {
	other := fx.res("aws:cloudwatch/eventRule:EventRule", "other-rule", {"name": "other", "arn": fx.U, "eventPattern": _ses_pattern, "eventBusName": fx.U}, [])
	rs := array.concat(_dest(_bus), [_rule(_ses_pattern, {}), _target("ses-events", []), other])
	count(fx.of(_deny(rs), "SES-013")) == 0
}

# A rule ARN built around the unknown marker is unknown: it resolves through the target's
# dependencies, never by string equality with another rule's ARN built the same way.
_unknown_rule_arn := sprintf("arn:aws:events:us-east-1:123456789012:rule/%s", [fx.U])

test_ses013_eventbridge_target_by_an_unknown_rule_arn_resolves_through_dependencies if {
	rs := array.concat(_dest(_bus), [
		_rule(_ses_pattern, {"arn": _unknown_rule_arn}),
		_target(_unknown_rule_arn, [["aws:cloudwatch/eventRule:EventRule", "ses-rule"]]),
	])
	count(fx.of(_deny(rs), "SES-013")) == 0
}

test_ses013_eventbridge_unknown_rule_arn_does_not_match_another_rule if {
	custom := fx.res("aws:cloudwatch/eventRule:EventRule", "custom-rule", {"name": "custom", "arn": _unknown_rule_arn, "eventPattern": _ses_pattern, "eventBusName": "orders"}, [])
	rs := array.concat(_dest(_bus), [
		_rule(_ses_pattern, {"arn": _unknown_rule_arn}),
		custom,
		_target(_unknown_rule_arn, [["aws:cloudwatch/eventRule:EventRule", "custom-rule"]]),
	])
	fs := _deny(rs)
	fx.of(fs, "SES-013") == {_dest_urn}
	_msg_has(fs, "SES-013", "no event rule matching source aws.ses routes them to a target")
}

test_ses013_eventbridge_types_unknown_judged if {
	fs := _deny(_dest(object.union(_bus, {"matchingEventTypes": fx.U})))
	fx.of(fs, "SES-013") == {_dest_urn}
}

test_ses013_delivery_only_destination_not_judged if {
	fs := _deny(fx.drop(_dest({"enabled": true, "matchingEventTypes": ["DELIVERY"], "snsDestination": _sns}), fx.t_sub, "queue-sub"))
	count(fx.of(fs, "SES-013")) == 0
}

test_ses013_unknown_topic_name_uses_logical_name if {
	fs := _deny(fx.patch(fx.drop(fx.sender, fx.t_sub, "queue-sub"), fx.t_topic, "feedback", {"name": fx.U}))
	_msg_has(fs, "SES-013", "SNS topic feedback receives")
}

test_ses013_subscription_property_of_the_wrong_type_cannot_be_verified if {
	fs := _deny(fx.patch(fx.sender, fx.t_sub, "queue-sub", {"protocol": 5}))
	fx.of(fs, "SES-013") == {fx.urn(fx.t_sub, "queue-sub")}
	_msg_has(fs, "SES-013", "protocol is a number (5), not a string; cannot verify")
}

# Served topics left out first: the same findings with the gate off, for subscriptions one step
# off the plain shape.
test_ses013_gate_agrees_with_the_rules if {
	variants := [
		fx.sender,
		fx.drop(fx.sender, fx.t_sub, "queue-sub"),
		array.concat(fx.sender, [_ses013_hook({"protocol": "HTTP", "endpoint": "http://hooks.example.com"})]),
		array.concat(fx.sender, [_ses013_hook({"protocol": "https", "endpoint": 7})]),
		array.concat(fx.sender, [_ses013_hook({"protocol": ["https"], "endpoint": "https://hooks.example.com"})]),
		array.concat(fx.sender, [_ses013_hook({"endpoint": "https://hooks.example.com"})]),
		array.concat(fx.sender, [_ses013_hook({"protocol": "https"})]),
	]
	every rs in variants {
		_deny(rs) == _deny_ungated(rs)
	}
}

_ses013_hook(props) := fx.res(fx.t_sub, "hook", object.union({"topic": fx.U}, props), [[fx.t_topic, "feedback"]])
