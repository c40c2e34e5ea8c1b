package ses.configuration_set

import data.lib
import data.lib.result
import data.lib.sending
import data.lib.ses

# METADATA
# title: Every domain identity sends through a declared configuration set
# description: |
#   Bounce and complaint events, reputation metrics and configuration-set suppression only
#   apply to mail sent through a configuration set. A domain identity's default configuration
#   set (sesv2 EmailIdentity `configurationSetName`) makes that true for every send, including
#   ones whose code forgets to name a set. The set must be declared in this stack (by name, or,
#   when the name is only known after apply, as a dependency of the identity) so the other rules
#   can check it. A v1 `DomainIdentity` cannot name one: its feedback goes through
#   `aws.ses.IdentityNotificationTopic` resources, which SES-012 judges. A v2 identity with
#   notification topics needs no set either; whether they cover both Bounce and Complaint is
#   SES-012's to say, so one gap is reported once.
# custom:
#   id: SES-011
#   slug: default-configuration-set
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare a configuration set and name it as the identity's default configuration set. For a v1
#     DomainIdentity, add identity notification topics for Bounce and Complaint instead.
#   remediation_code:
#     python: |
#       cs = aws.sesv2.ConfigurationSet("cs", configuration_set_name="prod")
#       identity = aws.sesv2.EmailIdentity("identity", email_identity="example.com",
#           configuration_set_name=cs.configuration_set_name)
#       # SES v1 DomainIdentity: aws.ses.IdentityNotificationTopic for "Bounce" and "Complaint" instead.
#     typescript: |
#       const cs = new aws.sesv2.ConfigurationSet("cs", { configurationSetName: "prod" });
#       const identity = new aws.sesv2.EmailIdentity("identity", {
#           emailIdentity: "example.com",
#           configurationSetName: cs.configurationSetName,
#       });
#     go: |
#       cs, err := sesv2.NewConfigurationSet(ctx, "cs", &sesv2.ConfigurationSetArgs{
#       	ConfigurationSetName: pulumi.String("prod"),
#       })
#       if err != nil {
#       	return err
#       }
#       identity, err := sesv2.NewEmailIdentity(ctx, "identity", &sesv2.EmailIdentityArgs{
#       	EmailIdentity:        pulumi.String("example.com"),
#       	ConfigurationSetName: cs.ConfigurationSetName,
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       var cs = new Aws.SesV2.ConfigurationSet("cs", new()
#       {
#           ConfigurationSetName = "prod",
#       });
#       var identity = new Aws.SesV2.EmailIdentity("identity", new()
#       {
#           EmailIdentityDetails = "example.com",
#           ConfigurationSetName = cs.ConfigurationSetName,
#       });
#     yaml: |
#       resources:
#         cs:
#           type: aws:sesv2:ConfigurationSet
#           properties:
#             configurationSetName: prod
#         identity:
#           type: aws:sesv2:EmailIdentity
#           properties:
#             emailIdentity: example.com
#             configurationSetName: ${cs.configurationSetName}
#     terraform: |
#       resource "aws_sesv2_configuration_set" "cs" {
#         configuration_set_name = "prod"
#       }
#       resource "aws_sesv2_email_identity" "identity" {
#         email_identity         = "example.com"
#         configuration_set_name = aws_sesv2_configuration_set.cs.configuration_set_name
#       }
#     cloudformation: |
#       Resources:
#         ConfigurationSet:
#           Type: AWS::SES::ConfigurationSet
#           Properties:
#             Name: prod
#         Identity:
#           Type: AWS::SES::EmailIdentity
#           Properties:
#             EmailIdentity: example.com
#             ConfigurationSetAttributes:
#               ConfigurationSetName: !Ref ConfigurationSet
#     cdk-typescript: |
#       const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
#       new ses.EmailIdentity(this, 'Identity', {
#         identity: ses.Identity.publicHostedZone(zone),
#         configurationSet,
#       });
#     cdk-python: |
#       configuration_set = ses.ConfigurationSet(self, "ConfigurationSet", reputation_metrics=True)
#       ses.EmailIdentity(self, "Identity",
#           identity=ses.Identity.public_hosted_zone(zone),
#           configuration_set=configuration_set)
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses011
}

# v2 domain identities without any notification topic: the only ones a default configuration
# set is the answer for.
# An identity that names a configuration set declared in the stack is fine for every rule below:
# it is left out here, before the notification topics are looked up.
_ses011_judged contains i if {
	some i in ses.domain_identities
	i.version == "v2"
	not _ses011_names_a_set(i)
	count(sending.notification_types(i.resource.urn)) == 0
}

_ses011_names_a_set(i) if {
	not i.configuration_set in {null, ""}
	sending.identity_sets[i.resource.urn] != set()
}

_ses011 contains {"resource": i.resource, "msg": msg} if {
	some i in _ses011_judged
	i.configuration_set in {null, ""}
	msg := _ses011_none(i)
}

_ses011 contains {"resource": i.resource, "msg": msg} if {
	some i in _ses011_judged
	lib.known(i.configuration_set)
	i.configuration_set != ""
	count(sending.identity_sets[i.resource.urn]) == 0
	msg := sprintf("identity %s names configuration set %s, which is not declared in this stack", [i.domain, i.configuration_set])
}

_ses011 contains {"resource": i.resource, "msg": msg} if {
	some i in _ses011_judged
	i.configuration_set != null
	not lib.known(i.configuration_set)
	count(sending.identity_sets[i.resource.urn]) == 0
	msg := sprintf("identity %s names a configuration set that is unknown until apply (or secret) and depends on none declared in this stack: cannot verify it sends through one", [_name(i)])
}

_ses011_none(i) := sprintf("identity %s names no default configuration set (configurationSetName)", [_name(i)])

_name(i) := i.domain if lib.known(i.domain)

else := i.resource.name
