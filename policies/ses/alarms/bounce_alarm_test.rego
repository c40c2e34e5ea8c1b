package ses.alarms_test

import data.lib.sesfix_test as fx
import data.ses.alarms

_deny(rs, config) := fs if {
	fs := alarms.deny with input as fx.stack_config(rs, config)
}

_bounce_urn := fx.urn(fx.t_alarm, "bounce")

_bounce(p) := fx.patch(fx.sender, fx.t_alarm, "bounce", p)

_msg_has(fs, id, s) if {
	some m in fx.msgs(fs, id)
	contains(m, s)
}

test_ses021_compliant if count(fx.of(_deny(fx.sender, {}), "SES-021")) == 0

test_ses021_no_alarm if {
	fs := _deny(fx.drop(fx.sender, fx.t_alarm, "bounce"), {})
	fx.of(fs, "SES-021") == {""}
	_msg_has(fs, "SES-021", "no CloudWatch alarm watches AWS/SES Reputation.BounceRate")
}

test_ses021_non_ses_stack_not_judged if {
	rs := [r | some r in fx.sender; not startswith(r.type, "aws:ses")]
	count(fx.of(_deny(fx.drop(rs, fx.t_alarm, "bounce"), {}), "SES-021")) == 0
}

test_ses021_threshold_above if {
	fs := _deny(_bounce({"threshold": 0.1}), {})
	fx.of(fs, "SES-021") == {_bounce_urn}
	_msg_has(fs, "SES-021", "threshold 0.1 is above 0.05")
}

test_ses021_wrong_comparison if {
	fs := _deny(_bounce({"comparisonOperator": "LessThanThreshold"}), {})
	_msg_has(fs, "SES-021", "comparison LessThanThreshold")
}

test_ses021_greater_than_passes if count(fx.of(_deny(_bounce({"comparisonOperator": "GreaterThanThreshold", "statistic": "Maximum"}), {}), "SES-021")) == 0

test_ses021_no_actions if {
	fs := _deny(_bounce({"alarmActions": []}), {})
	_msg_has(fs, "SES-021", "no alarm action")
}

test_ses021_actions_absent if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_alarm, "bounce", "alarmActions"), {})
	_msg_has(fs, "SES-021", "no alarm action")
}

test_ses021_actions_unknown_list_counts if count(fx.of(_deny(_bounce({"alarmActions": fx.U}), {}), "SES-021")) == 0

test_ses021_actions_disabled if {
	fs := _deny(_bounce({"actionsEnabled": false}), {})
	_msg_has(fs, "SES-021", "actions are disabled")
}

test_ses021_wrong_statistic if {
	fs := _deny(_bounce({"statistic": "Sum"}), {})
	_msg_has(fs, "SES-021", "statistic Sum")
}

test_ses021_no_statistic if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_alarm, "bounce", "statistic"), {})
	_msg_has(fs, "SES-021", "statistic (none)")
}

test_ses021_no_threshold if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_alarm, "bounce", "threshold"), {})
	_msg_has(fs, "SES-021", "no threshold")
}

test_ses021_threshold_unknown_cannot_verify if {
	fs := _deny(_bounce({"threshold": fx.U}), {})
	fx.of(fs, "SES-021") == {_bounce_urn}
	_msg_has(fs, "SES-021", "cannot be verified")
}

test_ses021_stack_config_tightens if {
	rs := _bounce({"threshold": 0.04})
	count(fx.of(_deny(rs, {}), "SES-021")) == 0
	fs := _deny(rs, {"sesguard:thresholds": {"bounce_rate": 0.03}})
	_msg_has(fs, "SES-021", "threshold 0.04 is above 0.03")
}

test_ses021_stack_config_cannot_loosen if {
	fs := _deny(_bounce({"threshold": 0.08}), {"sesguard:thresholds": {"bounce_rate": 0.1}})
	fx.of(fs, "SES-021") == {_bounce_urn}
}

test_ses021_one_good_alarm_is_enough if {
	loose := fx.res(fx.t_alarm, "loose", fx.alarm_props("Reputation.BounceRate", 0.2), [])
	count(fx.of(_deny(array.concat(fx.sender, [loose]), {}), "SES-021")) == 0
}

_mq(queries) := fx.replace(fx.sender, fx.t_alarm, "bounce", {
	"threshold": 0.05,
	"comparisonOperator": "GreaterThanOrEqualToThreshold",
	"alarmActions": [fx.U],
	"metricQueries": queries,
})

_metric_query(extra) := object.union({"id": "m1", "metric": {"namespace": "AWS/SES", "metricName": "Reputation.BounceRate", "stat": "Average", "period": 900}}, extra)

test_ses021_metric_queries_single if count(fx.of(_deny(_mq([_metric_query({})]), {}), "SES-021")) == 0

test_ses021_metric_queries_return_data if {
	e := {"id": "e1", "expression": "m2 * 2", "returnData": false}
	count(fx.of(_deny(_mq([_metric_query({"returnData": true}), e]), {}), "SES-021")) == 0
}

test_ses021_metric_queries_expression_not_counted if {
	e := {"id": "e1", "expression": "m1 * 100", "returnData": true}
	fs := _deny(_mq([_metric_query({"returnData": false}), e]), {})
	fx.of(fs, "SES-021") == {""}
}

test_ses021_metric_queries_wrong_stat if {
	fs := _deny(_mq([_metric_query({"metric": {"stat": "Minimum"}})]), {})
	_msg_has(fs, "SES-021", "statistic Minimum")
}
