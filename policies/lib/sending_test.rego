package lib.sending_test

import data.lib.sending
import data.lib.sesfix_test as fx

_set(props) := {"version": "v2", "resource": fx.res(fx.t_cs, "cs", props, [])}

test_set_prop_wrong_names_the_block_or_value_of_the_wrong_type if {
	path := ["sendingOptions", "sendingEnabled"]
	sending.set_prop_wrong(_set({"sendingOptions": "{\"sendingEnabled\": true}"}), path, [], "boolean") == `sendingOptions is a string ("{\"sendingEnabled\": true}"), not an object`
	sending.set_prop_wrong(_set({"sendingOptions": {"sendingEnabled": "false"}}), path, [], "boolean") == `sendingEnabled is a string ("false"), not a boolean`
}

test_set_prop_wrong_is_undefined_for_the_right_shape_unknowns_and_absence if {
	path := ["sendingOptions", "sendingEnabled"]
	not sending.set_prop_wrong(_set({"sendingOptions": {"sendingEnabled": false}}), path, [], "boolean")
	not sending.set_prop_wrong(_set({"sendingOptions": fx.U}), path, [], "boolean")
	not sending.set_prop_wrong(_set({}), path, [], "boolean")
	not sending.set_prop_wrong({"version": "v1", "resource": fx.res(fx.t_cs, "cs", {"sendingEnabled": true}, [])}, path, ["sendingEnabled"], "boolean")
}

test_address_identities_are_sending_identities if {
	rs := array.concat(fx.sender, [fx.res(fx.t_identity, "alerts", {"emailIdentity": "alerts@example.com", "configurationSetName": "prod"}, [])])
	sending.identity_sets[fx.urn(fx.t_identity, "alerts")] == {fx.urn(fx.t_cs, "cs")} with input as fx.stack(rs)
}

# Rules read paths of one or two keys directly; a longer path walks its prefixes the same way.
test_set_prop_reads_paths_of_any_length if {
	sending.set_prop(_set({"a": {"b": {"c": 1}}}), ["a", "b", "c"], []) == 1
	sending.set_prop(_set({"a": fx.U}), ["a", "b", "c"], []) == fx.U
	sending.set_prop(_set({"a": {"b": fx.U}}), ["a", "b", "c"], []) == fx.U
	sending.set_prop(_set({"a": {}}), ["a", "b", "c"], []) == null
	sending.set_prop(_set({"a": fx.U}), ["a", "b"], []) == fx.U
	sending.set_prop(_set({"a": 2}), ["a"], []) == 2
	sending.set_prop(_set({}), ["a"], []) == null
}

test_set_prop_wrong_walks_longer_paths_and_reads_single_keys if {
	sending.set_prop_wrong(_set({"a": {"b": "x"}}), ["a", "b", "c"], [], "boolean") == `b is a string ("x"), not an object`
	sending.set_prop_wrong(_set({"a": {"b": {"c": "x"}}}), ["a", "b", "c"], [], "boolean") == `c is a string ("x"), not a boolean`
	not sending.set_prop_wrong(_set({"a": {"b": {"c": true}}}), ["a", "b", "c"], [], "boolean")
	sending.set_prop_wrong(_set({"a": "x"}), ["a"], [], "boolean") == `a is a string ("x"), not a boolean`
	not sending.set_prop_wrong(_set({"a": fx.U}), ["a"], [], "boolean")
}

_id_urn := fx.urn(fx.t_identity, "identity")

test_identities_are_named_by_domain_identity_arn_or_dependency if {
	sending.identities_named("Example.com.", {}) == {_id_urn} with input as fx.stack(fx.sender)
	sending.identities_named("arn:aws:ses:us-east-1:123456789012:identity/example.com", {}) == {_id_urn} with input as fx.stack(fx.sender)
	sending.identities_named(fx.U, {"dependencies": [_id_urn, fx.urn(fx.t_cs, "cs")]}) == {_id_urn} with input as fx.stack(fx.sender)
	sending.identities_named("other.example", {}) == set() with input as fx.stack(fx.sender)
	sending.identities_named(5, {}) == set() with input as fx.stack(fx.sender)
}

_t_v1_identity := "aws:ses/domainIdentity:DomainIdentity"

_t_v1_topic := "aws:ses/identityNotificationTopic:IdentityNotificationTopic"

_v1_notified(types) := array.concat([fx.res(_t_v1_identity, "v1", {"domain": "example.com"}, [])], [r |
	some t in types
	r := fx.res(_t_v1_topic, t, {"identity": "example.com", "notificationType": t, "topicArn": "arn:aws:sns:us-east-1:1:t"}, [])
])

test_v1_identity_is_notified_of_both_feedback_types_or_not if {
	u := fx.urn(_t_v1_identity, "v1")
	sending.notified(u) with input as fx.stack(_v1_notified(["Bounce", "Complaint"]))
	not sending.notified(u) with input as fx.stack(_v1_notified(["Bounce", "Delivery"]))
}

_t_v1_cs := "aws:ses/configurationSet:ConfigurationSet"

# The gate of SES-018/019/020 leaves out only sets whose three settings are on as written in the
# common case, in either version's spelling; anything else is judged by the rules.
test_used_sets_to_judge_leaves_out_only_sets_with_every_setting_on if {
	rs := [
		fx.res(_t_v1_cs, "v1-on", {"name": "a", "reputationMetricsEnabled": true, "sendingEnabled": true, "deliveryOptions": {"tlsPolicy": "Require"}}, []),
		fx.res(_t_v1_cs, "v1-off", {"name": "b", "reputationMetricsEnabled": true, "sendingEnabled": true}, []),
		fx.res(fx.t_cs, "v2-on", {"configurationSetName": "c", "reputationOptions": {"reputationMetricsEnabled": true}, "sendingOptions": {"sendingEnabled": true}, "deliveryOptions": {"tlsPolicy": "REQUIRE"}}, []),
		fx.res(fx.t_cs, "v2-v1-spelling", {"configurationSetName": "d", "reputationMetricsEnabled": true, "sendingEnabled": true, "deliveryOptions": {"tlsPolicy": "REQUIRE"}}, []),
		fx.res(fx.t_cs, "v2-optional", {"configurationSetName": "e", "reputationOptions": {"reputationMetricsEnabled": true}, "sendingOptions": {"sendingEnabled": true}, "deliveryOptions": {"tlsPolicy": "Require"}}, []),
	]
	sending.used_sets_to_judge == {fx.urn(_t_v1_cs, "v1-off"), fx.urn(fx.t_cs, "v2-v1-spelling"), fx.urn(fx.t_cs, "v2-optional")} with input as fx.stack(rs)
}

_dest(n, set_name, deps) := fx.res(fx.t_dest, n, {"configurationSetName": set_name, "eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE"]}}, deps)

_cs(n, name) := fx.res(fx.t_cs, n, {"configurationSetName": name}, [])

# Sets sharing a name, and destinations naming their set by a value unknown until apply, take the
# general joins; the common stack the joins by name alone. Both give the same objects.
test_destinations_by_set_joins_by_name_and_by_dependency if {
	rs := [_cs("a1", "a"), _cs("a2", "a"), _cs("b", "b"), _dest("da", "a", []), _dest("db", "b", []), _dest("dx", "x", [])]
	by_set := sending.destinations_by_set with input as fx.stack(rs)
	{u: {d.resource.name | some d in ds} | some u, ds in by_set} == {
		fx.urn(fx.t_cs, "a1"): {"da"},
		fx.urn(fx.t_cs, "a2"): {"da"},
		fx.urn(fx.t_cs, "b"): {"db"},
	}
	sending.sets_named("a", {}) == {fx.urn(fx.t_cs, "a1"), fx.urn(fx.t_cs, "a2")} with input as fx.stack(rs)

	rs2 := [_cs("a", "a"), _cs("b", "b"), _dest("da", "a", []), _dest("du", fx.U, [[fx.t_cs, "b"]]), _dest("ds", "[secret]", [])]
	by_set2 := sending.destinations_by_set with input as fx.stack(rs2)
	{u: {d.resource.name | some d in ds} | some u, ds in by_set2} == {fx.urn(fx.t_cs, "a"): {"da"}, fx.urn(fx.t_cs, "b"): {"du"}}

	rs3 := [_cs("a", "a"), _cs("b", "b"), _dest("da", "a", []), _dest("da2", "a", []), _dest("ds", "[secret]", [])]
	by_set3 := sending.destinations_by_set with input as fx.stack(rs3)
	{u: {d.resource.name | some d in ds} | some u, ds in by_set3} == {fx.urn(fx.t_cs, "a"): {"da", "da2"}}
	sending.sets_named("b", {}) == {fx.urn(fx.t_cs, "b")} with input as fx.stack(rs3)
}

# ses_topics and sns_unresolved read the references where they are written; they agree with
# sns_refs on stacks one step off the usual one: a destination disabled, of unknown enabled, to
# an undeclared topic, without a topic; a v1 notification topic declared, undeclared, turned off.
test_ses_topics_and_sns_unresolved_agree_with_sns_refs if {
	ntype := "aws:ses/identityNotificationTopic:IdentityNotificationTopic"
	variants := [
		fx.sender,
		_sns_dest({"enabled": false, "matchingEventTypes": ["BOUNCE"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:9:x"}}),
		_sns_dest({"enabled": fx.U, "matchingEventTypes": ["BOUNCE"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:9:x"}}),
		_sns_dest({"enabled": true, "matchingEventTypes": ["DELIVERY"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:9:x"}}),
		_sns_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": {"topicArn": ""}}),
		_sns_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"]}),
		_sns_dest(fx.U),
		array.concat(fx.sender, [fx.res(ntype, "n1", {"identity": "example.com", "notificationType": "Bounce", "topicArn": fx.U}, [[fx.t_topic, "feedback"]])]),
		array.concat(fx.sender, [fx.res(ntype, "n2", {"identity": "example.com", "notificationType": "Complaint", "topicArn": "arn:aws:sns:us-east-1:9:y"}, [])]),
		array.concat(fx.sender, [fx.res(ntype, "n3", {"identity": "example.com", "notificationType": "Bounce", "topicArn": ""}, [])]),
	]
	every rs in variants {
		t1 := sending.ses_topics with input as fx.stack(rs)
		t2 := _refs_topics with input as fx.stack(rs)
		t1 == t2
		u1 := _unresolved with input as fx.stack(rs)
		u2 := _refs_unresolved with input as fx.stack(rs)
		u1 == u2
	}
	# Both answers occur among the variants.
	_unresolved with input as fx.stack(variants[3])
	not sending.sns_unresolved with input as fx.stack(fx.sender)
}

_sns_dest(ed) := fx.patch(fx.sender, fx.t_dest, "dest", {"eventDestination": ed})

_refs_topics := {t.urn: t | some ref in sending.sns_refs; some t in sending.ref_topics(ref)}

_unresolved := true if sending.sns_unresolved

else := false

_refs_unresolved := true if {
	some ref in sending.sns_refs
	count(sending.ref_topics(ref)) == 0
} else := false

# A stack that sets a sender setting under two prefixes: the first of <project>, ses-sender,
# sesguard wins, never a conflict that stops the evaluation.
test_setting_prefers_the_project_then_ses_sender_then_sesguard if {
	sending.setting("mailType") == "MARKETING" with input as {"project": "news", "config": {"news:mailType": "MARKETING", "ses-sender:mailType": "TRANSACTIONAL", "sesguard:mailType": "TRANSACTIONAL"}}
	sending.setting("mailType") == "TRANSACTIONAL" with input as {"project": "news", "config": {"ses-sender:mailType": "TRANSACTIONAL", "sesguard:mailType": "MARKETING"}}
	sending.setting("mailType") == "MARKETING" with input as {"project": "news", "config": {"sesguard:mailType": "MARKETING"}}
	sending.setting("mailType") == null with input as {"project": "news", "config": {}}
}
