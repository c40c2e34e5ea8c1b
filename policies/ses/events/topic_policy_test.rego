package ses.events_test

import data.lib.sesfix_test as fx
import data.ses.events

_policy_urn := fx.urn(fx.t_policy, "feedback-policy")

_with_policy(p) := fx.patch(fx.sender, fx.t_policy, "feedback-policy", {"policy": p})

_stmt(s) := json.marshal({"Version": "2012-10-17", "Statement": s})

_ses_stmt := {"Sid": "Ses", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "sns:Publish", "Resource": fx.U}

test_ses014_compliant if count(fx.of(_deny(fx.sender), "SES-014")) == 0

test_ses014_lower_case_condition_key_and_single_statement if {
	s := object.union(_ses_stmt, {"Condition": {"ArnEquals": {"aws:sourcearn": fx.U}}, "Principal": {"Service": ["ses.amazonaws.com"]}, "Action": ["SNS:Publish"]})
	count(fx.of(_deny(_with_policy(json.marshal({"Statement": s}))), "SES-014")) == 0
}

test_ses014_no_policy if {
	fs := _deny(fx.drop(fx.sender, fx.t_policy, "feedback-policy"))
	fx.of(fs, "SES-014") == {_topic_urn}
	_msg_has(fs, "SES-014", "has no topic policy")
}

test_ses014_unconditioned_ses_statement if {
	fs := _deny(_with_policy(_stmt([_ses_stmt])))
	fx.of(fs, "SES-014") == {_policy_urn}
	_msg_has(fs, "SES-014", "without an AWS:SourceAccount or AWS:SourceArn condition")
}

test_ses014_condition_on_other_key if {
	s := object.union(_ses_stmt, {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}})
	fs := _deny(_with_policy(_stmt([s])))
	fx.of(fs, "SES-014") == {_policy_urn}
}

test_ses014_wildcard_principal if {
	s := object.union(_ses_stmt, {"Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}})
	pub := {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Subscribe", "Resource": fx.U}
	fs := _deny(_with_policy(_stmt([s, pub])))
	fx.of(fs, "SES-014") == {_policy_urn}
	_msg_has(fs, "SES-014", "allows any principal (*) without a condition (statement without Sid)")
}

test_ses014_star_principal_tied_to_one_source_arn_passes if {
	s := {"Sid": "Any", "Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": fx.U, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:ses:us-east-1:1:configuration-set/prod"}}}
	count(fx.of(_deny(_with_policy(_stmt([s]))), "SES-014")) == 0
}

test_ses014_star_principal_under_source_account_only_is_not_enough if {
	s := {"Sid": "Any", "Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": fx.U, "Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}}
	fs := _deny(_with_policy(_stmt([s])))
	fx.of(fs, "SES-014") == {_policy_urn, _topic_urn}
	_msg_has(fs, "SES-014", "under aws:sourceaccount only (statement \"Any\")")
	_msg_has(fs, "SES-014", "no statement of the policy")
}

# SNS's default topic policy, as GetTopicAttributes returns it for a new topic (AWS SNS developer
# guide, "aws:SourceAccount versus aws:SourceOwner"): AWS * under AWS:SourceOwner.
_sns_default := {
	"Sid": "__default_statement_ID",
	"Effect": "Allow",
	"Principal": {"AWS": "*"},
	"Action": [
		"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
		"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
	],
	"Resource": "arn:aws:sns:us-east-1:123456789012:feedback",
	"Condition": {"StringEquals": {"AWS:SourceOwner": "123456789012"}},
}

test_ses014_sns_default_topic_policy_is_not_enough if {
	fs := _deny(_with_policy(json.marshal({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [_sns_default]})))
	_msg_has(fs, "SES-014", "under aws:sourceowner only (statement \"__default_statement_ID\")")
}

test_ses014_sns_default_statement_beside_the_ses_one_still_fails if {
	ses := object.union(_ses_stmt, {"Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}})
	fs := _deny(_with_policy(_stmt([_sns_default, ses])))
	fx.of(fs, "SES-014") == {_policy_urn}
}

test_ses014_no_ses_statement if {
	s := {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sns:Publish", "Resource": fx.U}
	fs := _deny(_with_policy(_stmt([s])))
	_msg_has(fs, "SES-014", "lets ses.amazonaws.com sns:Publish: SES cannot deliver")
}

test_ses014_invalid_json_fails_closed if {
	fs := _deny(_with_policy("{not json"))
	fx.of(fs, "SES-014") == {_policy_urn}
	_msg_has(fs, "SES-014", "not a JSON policy document")
}

test_ses014_policy_unknown_cannot_verify if {
	fs := _deny(_with_policy(fx.U))
	fx.of(fs, "SES-014") == {_policy_urn}
	_msg_has(fs, "SES-014", "cannot verify")
}

test_ses014_inline_topic_policy if {
	rs := fx.patch(fx.drop(fx.sender, fx.t_policy, "feedback-policy"), fx.t_topic, "feedback", {"policy": fx.topic_policy_json})
	count(fx.of(_deny(rs), "SES-014")) == 0
}

test_ses014_external_topic_cannot_verify if {
	fs := _deny(_dest({"enabled": true, "matchingEventTypes": ["BOUNCE"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:9:x"}}))
	fx.of(fs, "SES-014") == {_dest_urn}
}

test_ses014_not_action_grants_publish if {
	s := {"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "NotAction": "sns:DeleteTopic", "Resource": fx.U}
	fs := _deny(_with_policy(_stmt([s])))
	_msg_has(fs, "SES-014", "lets ses.amazonaws.com publish")
}

# The gate leaves out only topics the rules find nothing in: with it off, every variant gives the
# same findings (the recommended shape, its lower-case condition key, and shapes one step off it).
test_ses014_gate_agrees_with_the_rules if {
	base := object.union(_ses_stmt, {"Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}})
	variants := [
		fx.sender,
		_with_policy(_stmt([base])),
		_with_policy(_stmt([object.union(_ses_stmt, {"Condition": {"ArnLike": {"aws:sourcearn": fx.U}}})])),
		_with_policy(_stmt([base, base])),
		_with_policy(_stmt([object.union(base, {"NotAction": "sns:DeleteTopic"})])),
		_with_policy(_stmt([object.union(base, {"NotPrincipal": {"AWS": "arn:aws:iam::1:root"}})])),
		_with_policy(_stmt([object.union(_ses_stmt, {"Condition": {"StringEquals": {"AWS:SourceOwner": "1"}}})])),
		_with_policy(_stmt([_ses_stmt])),
		fx.patch(fx.sender, fx.t_topic, "feedback", {"policy": _stmt([_ses_stmt])}),
	]
	every rs in variants {
		_deny(rs) == _deny_ungated(rs)
	}
}

_deny_ungated(rs) := fs if {
	fs := events.deny with input as fx.stack(rs)
		with events._ses014_plain as false
		with events._ses012_fed as false
		with events._ses013_served as false
		with events._ses015_dead_letter as false
		with events._topic_fine as set()
		with events._topics_fine as false
}

# --- the topic's own `policy` output beside a TopicPolicy (issue 20) ------------------------------

_default_json := json.marshal({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [_sns_default]})

# The topic as a Pulumi export or a Terraform state records it: SNS's default policy, read when the
# topic was created, as an output the program did not set (`computed`).
_with_topic_output_policy(rs) := [_computed_policy(r) | some r in rs]

_computed_policy(r) := object.union(r, {"props": object.union(r.props, {"policy": _default_json}), "computed": ["policy"]}) if {
	r.urn == _topic_urn
} else := r

test_ses014_topic_policy_governs_over_the_topics_default_policy_output if {
	count(fx.of(_deny(_with_topic_output_policy(fx.sender)), "SES-014")) == 0
}

test_ses014_topic_default_policy_output_counts_without_a_topic_policy if {
	fs := _deny(fx.drop(_with_topic_output_policy(fx.sender), fx.t_policy, "feedback-policy"))
	fx.of(fs, "SES-014") == {_topic_urn}
	_msg_has(fs, "SES-014", "under aws:sourceowner only (statement \"__default_statement_ID\")")
}

# A `policy` the program sets on the topic (no `computed` mark) counts beside the TopicPolicy.
test_ses014_topic_input_policy_counts_beside_a_topic_policy if {
	fs := _deny(fx.patch(fx.sender, fx.t_topic, "feedback", {"policy": _default_json}))
	fx.of(fs, "SES-014") == {_topic_urn}
	_msg_has(fs, "SES-014", "under aws:sourceowner only")
}

# The TopicPolicy that governs is still judged: a weak one fails whatever the topic's output says.
test_ses014_weak_topic_policy_fails_beside_a_topic_default_policy_output if {
	rs := [_computed_policy(r) | some r in _with_policy(_stmt([_ses_stmt]))]
	gs := _deny(rs)
	fx.of(gs, "SES-014") == {_policy_urn}
	_msg_has(gs, "SES-014", "without an AWS:SourceAccount or AWS:SourceArn condition")
}

# A TopicPolicy on another topic does not replace this topic's policy.
test_ses014_topic_policy_on_another_topic_does_not_replace_the_default if {
	other := fx.res(fx.t_topic, "other", {"name": "other", "arn": "arn:aws:sns:us-east-1:1:other", "kmsMasterKeyId": "k"}, [])
	moved := fx.patch(_with_topic_output_policy(fx.sender), fx.t_policy, "feedback-policy", {"arn": "arn:aws:sns:us-east-1:1:other"})
	rs := array.concat([r | some r in moved; r.type != fx.t_policy], [other, object.union(_policy_res(moved), {"dependencies": [fx.urn(fx.t_topic, "other")]})])
	fs := _deny(rs)
	_topic_urn in fx.of(fs, "SES-014")
	_msg_has(fs, "SES-014", "under aws:sourceowner only")
}

_policy_res(rs) := r if {
	some r in rs
	r.type == fx.t_policy
}
