# METADATA
# title: CloudWatch alarms on SES reputation metrics
# description: |
#   Alarms indexed by the AWS/SES metric they watch. An alarm watches a metric either directly
#   (namespace, metricName, statistic) or through metricQueries, where the query that returns
#   data (returnData true, or the only query) is the metric itself with its `stat`. An alarm on
#   a math expression is not counted: its scale is not the metric's, so its threshold cannot be
#   compared with AWS's review levels.
package lib.alarms

import data.lib
import data.lib.resources
import data.lib.ses
import data.lib.types

statistics := {"Average", "Maximum"}

comparisons := {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold"}

on_metric := {m: {v | some [k, v] in _metric_pairs; k == m} | some m in {k | some [k, _] in _metric_pairs}}

_metric_pairs contains [m, {"resource": r, "statistic": object.get(r.props, "statistic", null)}] if {
	some r in resources.of_type(ses.t.alarm)
	object.get(r.props, "namespace", null) == "AWS/SES"
	m := r.props.metricName
	is_string(m)
}

_metric_pairs contains [m, {"resource": r, "statistic": object.get(q.metric, "stat", null)}] if {
	some r in resources.of_type(ses.t.alarm)
	qs := r.props.metricQueries
	is_array(qs)
	some q in qs
	_returns_data(q, qs)
	object.get(q, ["metric", "namespace"], null) == "AWS/SES"
	m := q.metric.metricName
	is_string(m)
}

_returns_data(q, _) if q.returnData == true

_returns_data(q, qs) if {
	not "returnData" in object.keys(q)
	count(qs) == 1
}

alarms(metric) := object.get(on_metric, metric, set())

# What is wrong with an alarm that should catch its metric at or below `limit` (a set of messages).
problems(a, limit) := {m |
	some [m, bad] in [
		[sprintf("its threshold %v is above %v", [object.get(a.resource.props, "threshold", null), limit]), _above(a, limit)],
		["it has no threshold", _no_threshold(a)],
		[
			sprintf("its comparison %v does not fire when the rate reaches the threshold (use GreaterThanOrEqualToThreshold)", [_show(object.get(a.resource.props, "comparisonOperator", null))]),
			_outside(object.get(a.resource.props, "comparisonOperator", null), comparisons),
		],
		["it has no alarm action, so nobody is told", _no_actions(a)],
		["its actions are disabled (actionsEnabled: false)", object.get(a.resource.props, "actionsEnabled", true) == false],
		[_wrong_type(a, "threshold", "number"), _is_wrong_type(a, "threshold", "number")],
		[_wrong_type(a, "actionsEnabled", "boolean"), _is_wrong_type(a, "actionsEnabled", "boolean")],
		[_wrong_type(a, "alarmActions", "array"), _is_wrong_type(a, "alarmActions", "array")],
		[sprintf("its statistic %v is not Average or Maximum", [_show(a.statistic)]), _outside(a.statistic, statistics)],
	]
	bad == true
}

# A value of the wrong type is not a value the alarm can be judged by: say so, never read it as
# absent (a threshold "0.9" is not "no threshold", an actionsEnabled "false" is not false).
_wrong_type(a, prop, kind) := sprintf("%s: cannot verify it", [types.describe(prop, object.get(a.resource.props, prop, null), kind)])

_is_wrong_type(a, prop, kind) := true if types.wrong(object.get(a.resource.props, prop, null), kind)
else := false

_show(x) := x if x != null

else := "(none)"

_outside(x, allowed) := false if x in allowed

else := true

_above(a, limit) := true if {
	t := a.resource.props.threshold
	is_number(t)
	t > limit
} else := false

_no_threshold(a) := object.get(a.resource.props, "threshold", null) == null

_no_actions(a) := false if _has_actions(a)
else := false if _is_wrong_type(a, "alarmActions", "array")

else := true

# An alarm whose threshold is computed at apply (or secret) cannot be compared with the limit.
unverifiable(a) if {
	t := object.get(a.resource.props, "threshold", null)
	t != null
	not lib.known(t)
}

_has_actions(a) if {
	acts := a.resource.props.alarmActions
	is_array(acts)
	count(acts) > 0
}

# A list computed at apply is ARNs of resources that will exist: it is a list of actions.
_has_actions(a) if lib.unknown(a.resource.props.alarmActions)

good(a, limit) if {
	count(problems(a, limit)) == 0
	not unverifiable(a)
}

# Violations of the reputation-alarm rules (SES-021/022) for one metric, as {resource, msg}:
# when no alarm on the metric is good, say why of each one, or that there is none.
violations(metric, limit) := {v | some v in _violations(metric, limit)} if {
	not _any_good(metric, limit)
} else := set()

_any_good(metric, limit) if {
	some a in alarms(metric)
	good(a, limit)
}

_violations(metric, limit) := {{"resource": null, "msg": sprintf("no CloudWatch alarm watches AWS/SES %s at a threshold of at most %v", [metric, limit])}} if {
	count(alarms(metric)) == 0
}

_violations(metric, limit) := {v |
	some a in alarms(metric)
	v := _alarm_violation(a, metric, limit)
} if count(alarms(metric)) > 0

_alarm_violation(a, metric, limit) := {"resource": a.resource, "msg": sprintf("alarm %s on AWS/SES %s does not protect the account: %s", [a.resource.name, metric, concat("; ", sort(problems(a, limit)))])} if {
	count(problems(a, limit)) > 0
}

_alarm_violation(a, metric, limit) := {"resource": a.resource, "msg": sprintf("alarm %s on AWS/SES %s: its threshold is not known until apply, so it cannot be verified to be at most %v", [a.resource.name, metric, limit])} if {
	count(problems(a, limit)) == 0
	unverifiable(a)
}
