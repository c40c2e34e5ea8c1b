package ses.live

import data.lib.result

# METADATA
# title: Observed bounce and complaint rates stay below AWS's review levels
# description: |
#   AWS puts an account under review at a 5 % bounce rate or a 0.1 % complaint rate, and may pause
#   sending at 10 % / 0.5 %. The audit reads the last 24 hours of Reputation.BounceRate and
#   Reputation.ComplaintRate (the highest value of each 15-minute period): at the threshold the
#   finding is mandatory, from half of it advisory, so the team acts before AWS does. Thresholds
#   can only be tightened (`sesguard:thresholds` or `--threshold`). Applies only to a live account.
# custom:
#   id: SES-042
#   slug: reputation
#   severity: critical
#   enforcement: mandatory
#   remediation: |
#     Find the source: the bounce and complaint events on the feedback topic name the recipients
#     and the sending configuration set. Stop the campaign or list that causes it, make sure the
#     suppression list covers BOUNCE and COMPLAINT, and remove unengaged recipients. Keep the
#     CloudWatch alarms (SES-021/022) below these levels so they page first.
deny contains _leveled(result.finding(rego.metadata.rule(), p.resource, p.message), p.level) if {
	some p in _reputation_problems
}

_reputation_problems contains {"resource": null, "message": msg, "level": "mandatory"} if {
	live
	some key, m in _rates
	value := _observed(key)
	value >= m.threshold
	msg := _rate_msg(m, key, value, "at or above")
}

_reputation_problems contains {"resource": null, "message": msg, "level": "advisory"} if {
	live
	some key, m in _rates
	value := _observed(key)
	value < m.threshold
	value >= m.threshold / 2
	msg := _rate_msg(m, key, value, "at or above half of")
}

_reputation_problems contains {"resource": null, "message": msg, "level": "advisory"} if {
	live
	is_object(_facts.metrics)
	some key, m in _rates
	not is_object(object.get(_facts.metrics, key, null))
	msg := sprintf(
		"no %s data in the last 24 hours: the %s could not be judged (nothing sent, or metrics not published)",
		[m.metric, m.label],
	)
}

_reputation_problems contains {"resource": null, "message": msg, "level": "mandatory"} if {
	live
	not _is_object_fact("metrics")
	msg := "the reputation metrics (bounce and complaint rates) could not be read"
}

_rates := {
	"bounceRate": {
		"metric": "Reputation.BounceRate", "label": "bounce rate",
		"threshold": result.threshold("bounce_rate"),
	},
	"complaintRate": {
		"metric": "Reputation.ComplaintRate", "label": "complaint rate",
		"threshold": result.threshold("complaint_rate"),
	},
}

_observed(key) := v if {
	v := _facts.metrics[key].max
	is_number(v)
}

_rate_msg(m, key, value, relation) := sprintf(
	"%s reached %s in the last 24 hours (latest %s), %s the %s threshold",
	[m.label, pct(value), pct(object.get(_facts.metrics[key], "latest", value)), relation, pct(m.threshold)],
)
