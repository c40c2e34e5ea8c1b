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
#     Turn sending back on for the configuration set (or remove the setting that turns it off).
#   remediation_code:
#     python: |
#       aws.sesv2.ConfigurationSet("cs", configuration_set_name="prod",
#           sending_options={"sending_enabled": True})
#       # SES v1: aws.ses.ConfigurationSet("cs", sending_enabled=True)
#     typescript: |
#       new aws.sesv2.ConfigurationSet("cs", {
#           configurationSetName: "prod",
#           sendingOptions: { sendingEnabled: true },
#       });
#     go: |
#       _, err = sesv2.NewConfigurationSet(ctx, "cs", &sesv2.ConfigurationSetArgs{
#       	ConfigurationSetName: pulumi.String("prod"),
#       	SendingOptions: &sesv2.ConfigurationSetSendingOptionsArgs{
#       		SendingEnabled: pulumi.Bool(true),
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.SesV2.ConfigurationSet("cs", new()
#       {
#           ConfigurationSetName = "prod",
#           SendingOptions = new Aws.SesV2.Inputs.ConfigurationSetSendingOptionsArgs
#           {
#               SendingEnabled = true,
#           },
#       });
#     yaml: |
#       resources:
#         cs:
#           type: aws:sesv2:ConfigurationSet
#           properties:
#             configurationSetName: prod
#             sendingOptions:
#               sendingEnabled: true
#     terraform: |
#       resource "aws_sesv2_configuration_set" "cs" {
#         configuration_set_name = "prod"
#         sending_options {
#           sending_enabled = true
#         }
#       }
#     cloudformation: |
#       Resources:
#         ConfigurationSet:
#           Type: AWS::SES::ConfigurationSet
#           Properties:
#             Name: prod
#             SendingOptions:
#               SendingEnabled: true
#     cdk-typescript: |
#       new ses.ConfigurationSet(this, 'ConfigurationSet', { sendingEnabled: true });
#     cdk-python: |
#       ses.ConfigurationSet(self, "ConfigurationSet", sending_enabled=True)
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets_to_judge
	c := sending.configuration_sets[u]
	v := sending.set_prop(c, ["sendingOptions", "sendingEnabled"], ["sendingEnabled"])
	v != true
	msg := _ses020_msg(c, v)
}

# A block or flag of the wrong type is reported even where the flag reads as absent.
_ses020_msg(c, v) := sprintf("configuration set %s: %s; cannot verify sending is on", [sending.set_name(c), wrong]) if {
	wrong := sending.set_prop_wrong(c, ["sendingOptions", "sendingEnabled"], ["sendingEnabled"], "boolean")
} else := _ses020_plain(c, v) if {
	not v in {null, true}
}

_ses020_plain(c, v) := sprintf("configuration set %s has sending disabled (sendingEnabled %v): every send through it is rejected", [sending.set_name(c), v]) if lib.known(v)

else := sprintf("configuration set %s: sendingEnabled is unknown until apply or secret; cannot verify sending is on", [sending.set_name(c)])
