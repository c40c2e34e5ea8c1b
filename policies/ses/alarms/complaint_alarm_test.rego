package ses.alarms_test

import data.lib.sesfix_test as fx

_complaint_urn := fx.urn(fx.t_alarm, "complaint")

test_ses022_compliant if count(fx.of(_deny(fx.sender, {}), "SES-022")) == 0

test_ses022_no_alarm if fx.of(_deny(fx.drop(fx.sender, fx.t_alarm, "complaint"), {}), "SES-022") == {""}

test_ses022_threshold_above if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "complaint", {"threshold": 0.005}), {})
	fx.of(fs, "SES-022") == {_complaint_urn}
	_msg_has(fs, "SES-022", "above 0.001")
}

test_ses022_wrong_comparison if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "complaint", {"comparisonOperator": "LessThanOrEqualToThreshold"}), {})
	fx.of(fs, "SES-022") == {_complaint_urn}
}

test_ses022_no_actions if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "complaint", {"alarmActions": []}), {})
	fx.of(fs, "SES-022") == {_complaint_urn}
}

test_ses022_actions_disabled if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "complaint", {"actionsEnabled": false}), {})
	fx.of(fs, "SES-022") == {_complaint_urn}
}

test_ses022_threshold_unknown if {
	fs := _deny(fx.patch(fx.sender, fx.t_alarm, "complaint", {"threshold": fx.U}), {})
	_msg_has(fs, "SES-022", "cannot be verified")
}

test_ses022_stack_config_tightens if {
	fs := _deny(fx.sender, {"sesguard:thresholds": {"complaint_rate": 0.0005}})
	fx.of(fs, "SES-022") == {_complaint_urn}
	count(fx.of(fs, "SES-021")) == 0
}

test_ses022_settings_tighten if {
	fs := _deny(fx.sender, {}) with data.sesguard_settings.thresholds as {"complaint_rate": 0.0008}
	fx.of(fs, "SES-022") == {_complaint_urn}
}
