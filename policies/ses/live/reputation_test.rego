package ses.live_test

import data.ses.live

_rate(v) := {"latest": v, "max": v}

_metrics(bounce, complaint) := {
	"source": "live", "region": "us-east-1", "stack": "prod", "resources": [], "config": {},
	"facts": {"metrics": {"bounceRate": bounce, "complaintRate": complaint}},
}

_by_level(fs, level) := {f.message | some f in fs; f.rule == "SES-042"; f.enforcement == level}

test_low_rates_pass if {
	fs := live.deny with input as _metrics(_rate(0.01), _rate(0.0001))
	count(_by_level(fs, "mandatory")) == 0
	count(_by_level(fs, "advisory")) == 0
}

test_bounce_at_review_level_is_mandatory if {
	fs := live.deny with input as _metrics(_rate(0.05), _rate(0.0001))
	_by_level(fs, "mandatory") == {"bounce rate reached 5.00 % in the last 24 hours (latest 5.00 %), at or above the 5.00 % threshold"}
	count(_by_level(fs, "advisory")) == 0
}

test_complaint_at_review_level_is_mandatory if {
	fs := live.deny with input as _metrics(_rate(0.01), {"latest": 0.0004, "max": 0.002})
	_by_level(fs, "mandatory") == {"complaint rate reached 0.20 % in the last 24 hours (latest 0.04 %), at or above the 0.10 % threshold"}
}

test_half_level_is_advisory if {
	fs := live.deny with input as _metrics(_rate(0.03), _rate(0.0006))
	count(_by_level(fs, "mandatory")) == 0
	count(_by_level(fs, "advisory")) == 2
}

test_config_threshold_tightens if {
	doc := object.union(_metrics(_rate(0.03), _rate(0.0001)), {"config": {"sesguard:thresholds": {"bounce_rate": 0.02}}})
	fs := live.deny with input as doc
	count(_by_level(fs, "mandatory")) == 1
}

test_config_threshold_cannot_loosen if {
	doc := object.union(_metrics(_rate(0.06), _rate(0.0001)), {"config": {"sesguard:thresholds": {"bounce_rate": 0.2}}})
	fs := live.deny with input as doc
	count(_by_level(fs, "mandatory")) == 1
}

test_no_data_is_advisory if {
	fs := live.deny with input as _metrics(null, _rate(0.0001))
	count(_by_level(fs, "mandatory")) == 0
	some m in _by_level(fs, "advisory")
	contains(m, "no Reputation.BounceRate data")
}

test_unread_metrics_fail_closed if {
	doc := {"source": "live", "region": "us-east-1", "resources": [], "facts": {"metrics": null}}
	fs := live.deny with input as doc
	count(_by_level(fs, "mandatory")) == 1
}

test_level_override_disables if {
	fs := live.deny with input as _metrics(_rate(0.03), _rate(0.0001))
		with data.sesguard_settings.levels as {"SES-042": "disabled"}
	count(_by_level(fs, "advisory")) == 0
}
