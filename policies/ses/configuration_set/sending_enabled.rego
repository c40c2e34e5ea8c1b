package ses.configuration_set

import data.lib
import data.lib.result
import data.lib.sending

# METADATA
# title: Sending is enabled on configuration sets used for sending
# description: |
#   A configuration set with sending disabled rejects every send that names it; left in place
#   after an incident it silently stops the identity's mail. Sending is on unless the program
#   turns it off.
# custom:
#   id: SES-020
#   slug: sending-enabled
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Remove `sending_enabled=False` or set
#     `sending_options=aws.sesv2.ConfigurationSetSendingOptionsArgs(sending_enabled=True)`
#     (v1: `sending_enabled=True`).
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets
	c := sending.configuration_sets[u]
	v := sending.set_prop(c, ["sendingOptions", "sendingEnabled"], ["sendingEnabled"])
	not v in {null, true}
	msg := _ses020_msg(c, v)
}

_ses020_msg(c, v) := sprintf("configuration set %s has sending disabled (sendingEnabled %v): every send through it is rejected", [sending.set_name(c), v]) if lib.known(v)

else := sprintf("configuration set %s: sendingEnabled is unknown until apply or secret; cannot verify sending is on", [sending.set_name(c)])
