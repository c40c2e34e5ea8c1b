package ses.configuration_set

import data.lib
import data.lib.result
import data.lib.sending

# METADATA
# title: Configuration sets used for sending publish reputation metrics
# description: |
#   The bounce and complaint alarms (SES-021/022) and the sending review both look at reputation
#   metrics; with reputation metrics off a configuration set's sends are invisible to them. The
#   setting is off unless the program turns it on (AWS default: false). Judged for the
#   configuration sets domain identities name as their default (every set the stack declares
#   when no identity names one).
# custom:
#   id: SES-018
#   slug: reputation-metrics
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     `aws.sesv2.ConfigurationSet(..., reputation_options=aws.sesv2.ConfigurationSetReputationOptionsArgs(reputation_metrics_enabled=True))`
#     (v1: `aws.ses.ConfigurationSet(..., reputation_metrics_enabled=True)`).
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets
	c := sending.configuration_sets[u]
	v := sending.set_prop(c, ["reputationOptions", "reputationMetricsEnabled"], ["reputationMetricsEnabled"])
	v != true
	msg := _ses018_msg(c, v)
}

_ses018_msg(c, v) := sprintf("configuration set %s: %s; cannot verify reputation metrics are on", [sending.set_name(c), wrong]) if {
	wrong := sending.set_prop_wrong(c, ["reputationOptions", "reputationMetricsEnabled"], ["reputationMetricsEnabled"], "boolean")
} else := _ses018_plain(c, v)

_ses018_plain(c, v) := sprintf("configuration set %s: reputationMetricsEnabled is unknown until apply or secret; cannot verify reputation metrics are on", [sending.set_name(c)]) if {
	v != null
	not lib.known(v)
} else := sprintf("configuration set %s does not publish reputation metrics (reputationMetricsEnabled is %v; AWS's default is false)", [sending.set_name(c), _shown(v)])

_shown(null) := "not set"

_shown(v) := v if v != null
