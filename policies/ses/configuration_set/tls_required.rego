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
#     Set the configuration set's TLS policy to REQUIRE (SES v1: Require).
#   remediation_code:
#     python: |
#       aws.sesv2.ConfigurationSet("cs", configuration_set_name="prod",
#           delivery_options={"tls_policy": "REQUIRE"})
#       # SES v1: delivery_options={"tls_policy": "Require"} on aws.ses.ConfigurationSet
#     typescript: |
#       new aws.sesv2.ConfigurationSet("cs", {
#           configurationSetName: "prod",
#           deliveryOptions: { tlsPolicy: "REQUIRE" },
#       });
#     go: |
#       _, err = sesv2.NewConfigurationSet(ctx, "cs", &sesv2.ConfigurationSetArgs{
#       	ConfigurationSetName: pulumi.String("prod"),
#       	DeliveryOptions: &sesv2.ConfigurationSetDeliveryOptionsArgs{
#       		TlsPolicy: pulumi.String("REQUIRE"),
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.SesV2.ConfigurationSet("cs", new()
#       {
#           ConfigurationSetName = "prod",
#           DeliveryOptions = new Aws.SesV2.Inputs.ConfigurationSetDeliveryOptionsArgs
#           {
#               TlsPolicy = "REQUIRE",
#           },
#       });
#     yaml: |
#       resources:
#         cs:
#           type: aws:sesv2:ConfigurationSet
#           properties:
#             configurationSetName: prod
#             deliveryOptions:
#               tlsPolicy: REQUIRE
#     terraform: |
#       resource "aws_sesv2_configuration_set" "cs" {
#         configuration_set_name = "prod"
#         delivery_options {
#           tls_policy = "REQUIRE"
#         }
#       }
#     cloudformation: |
#       Resources:
#         ConfigurationSet:
#           Type: AWS::SES::ConfigurationSet
#           Properties:
#             Name: prod
#             DeliveryOptions:
#               TlsPolicy: REQUIRE
#     cdk-typescript: |
#       new ses.ConfigurationSet(this, 'ConfigurationSet', { tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE });
#     cdk-python: |
#       ses.ConfigurationSet(self, "ConfigurationSet", tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE)
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets_to_judge
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
