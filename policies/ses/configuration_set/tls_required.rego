package ses.configuration_set

import data.lib
import data.lib.result
import data.lib.sending

# METADATA
# title: Configuration sets used for sending require TLS
# description: |
#   With tlsPolicy OPTIONAL (the default) SES delivers in clear text to a receiving server that
#   does not offer TLS. REQUIRE refuses such delivery, so personal data in mail never crosses
#   the internet unencrypted.
# custom:
#   id: SES-019
#   slug: tls-required
#   severity: low
#   enforcement: advisory
#   remediation: |
#     `delivery_options=aws.sesv2.ConfigurationSetDeliveryOptionsArgs(tls_policy="REQUIRE")`
#     (v1: `delivery_options=aws.ses.ConfigurationSetDeliveryOptionsArgs(tls_policy="Require")`).
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets
	c := sending.configuration_sets[u]
	v := sending.set_prop(c, ["deliveryOptions", "tlsPolicy"], ["deliveryOptions", "tlsPolicy"])
	not _require(v)
	msg := _ses019_msg(c, v)
}

_ses019_msg(c, v) := sprintf("configuration set %s: %s; cannot verify TLS is required", [sending.set_name(c), wrong]) if {
	wrong := sending.set_prop_wrong(c, ["deliveryOptions", "tlsPolicy"], ["deliveryOptions", "tlsPolicy"], "string")
} else := _ses019_plain(c, v)

_require(v) if {
	is_string(v)
	upper(v) == "REQUIRE"
}

_ses019_plain(c, v) := sprintf("configuration set %s: tlsPolicy is unknown until apply or secret; cannot verify TLS is required", [sending.set_name(c)]) if {
	v != null
	not lib.known(v)
} else := sprintf("configuration set %s delivers without TLS when the receiver offers none (tlsPolicy %v)", [sending.set_name(c), _shown_tls(v)])

_shown_tls(null) := "not set, OPTIONAL"

_shown_tls(v) := v if v != null
