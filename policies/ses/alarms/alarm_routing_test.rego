package ses.alarms_test

import data.lib.sesfix_test as fx

test_ses023_compliant if count(fx.of(_deny(fx.sender, {}), "SES-023")) == 0

test_ses023_topic_without_subscription if {
	fs := _deny(fx.drop(fx.sender, fx.t_sub, "alerts-email"), {})
	fx.of(fs, "SES-023") == {fx.urn(fx.t_alarm, "bounce"), fx.urn(fx.t_alarm, "complaint")}
	_msg_has(fs, "SES-023", "notifies SNS topic alerts, which has no subscription")
	some f in fs
	f.rule == "SES-023"
	f.enforcement == "advisory"
}

test_ses023_external_action if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "bounce", {"alarmActions": ["arn:aws:sns:us-east-1:9:pager"]}), {})
	fx.of(fs, "SES-023") == {fx.urn(fx.t_alarm, "bounce")}
	_msg_has(fs, "SES-023", "action arn:aws:sns:us-east-1:9:pager is not an SNS topic declared")
}

test_ses023_known_arn_resolves_by_name if count(fx.of(_deny(fx.patch(fx.sender, fx.t_alarm, "bounce", {"alarmActions": ["arn:aws:sns:us-east-1:1:alerts"]}), {}), "SES-023")) == 0

test_ses023_unknown_action_without_dependency if {
	rs := [object.union(r, {"dependencies": []}) | some r in fx.sender]
	fs := _deny(rs, {})
	_msg_has(fs, "SES-023", "action (unknown until apply) is not")
}

test_ses023_non_string_action if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "bounce", {"alarmActions": [7]}), {})
	_msg_has(fs, "SES-023", "action 7 is not")
}
