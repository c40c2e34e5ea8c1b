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
#     Turn on reputation metrics on the configuration set (SES v1: `reputationMetricsEnabled`).
#   remediation_code:
#     python: |
#       aws.sesv2.ConfigurationSet("cs", configuration_set_name="prod",
#           reputation_options={"reputation_metrics_enabled": True})
#       # SES v1: aws.ses.ConfigurationSet("cs", reputation_metrics_enabled=True)
#     typescript: |
#       new aws.sesv2.ConfigurationSet("cs", {
#           configurationSetName: "prod",
#           reputationOptions: { reputationMetricsEnabled: true },
#       });
#     go: |
#       _, err = sesv2.NewConfigurationSet(ctx, "cs", &sesv2.ConfigurationSetArgs{
#       	ConfigurationSetName: pulumi.String("prod"),
#       	ReputationOptions: &sesv2.ConfigurationSetReputationOptionsArgs{
#       		ReputationMetricsEnabled: pulumi.Bool(true),
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.SesV2.ConfigurationSet("cs", new()
#       {
#           ConfigurationSetName = "prod",
#           ReputationOptions = new Aws.SesV2.Inputs.ConfigurationSetReputationOptionsArgs
#           {
#               ReputationMetricsEnabled = true,
#           },
#       });
#     yaml: |
#       resources:
#         cs:
#           type: aws:sesv2:ConfigurationSet
#           properties:
#             configurationSetName: prod
#             reputationOptions:
#               reputationMetricsEnabled: true
#     terraform: |
#       resource "aws_sesv2_configuration_set" "cs" {
#         configuration_set_name = "prod"
#         reputation_options {
#           reputation_metrics_enabled = true
#         }
#       }
#     cloudformation: |
#       Resources:
#         ConfigurationSet:
#           Type: AWS::SES::ConfigurationSet
#           Properties:
#             Name: prod
#             ReputationOptions:
#               ReputationMetricsEnabled: true
#     cdk-typescript: |
#       new ses.ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
#     cdk-python: |
#       ses.ConfigurationSet(self, "ConfigurationSet", reputation_metrics=True)
deny contains result.finding(rego.metadata.rule(), c.resource, msg) if {
	some u in sending.used_sets_to_judge
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
