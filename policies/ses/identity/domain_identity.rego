package ses.identity

import data.lib.result
import data.lib.resources
import data.lib.ses
import data.lib.types

# METADATA
# title: Every sending domain has a domain identity
# description: |
#   SES grants production access to senders that own their domain. An address identity alone
#   cannot carry DKIM, a custom MAIL FROM or DMARC alignment, so every domain the stack sends
#   from must be verified as a domain identity.
# custom:
#   id: SES-001
#   slug: domain-identity
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare an SES v2 email identity whose identity is the domain itself (example.com), not an
#     address at it.
#   remediation_code:
#     python: |
#       identity = aws.sesv2.EmailIdentity("identity", email_identity="example.com")
#     typescript: |
#       const identity = new aws.sesv2.EmailIdentity("identity", { emailIdentity: "example.com" });
#     go: |
#       identity, err := sesv2.NewEmailIdentity(ctx, "identity", &sesv2.EmailIdentityArgs{
#       	EmailIdentity: pulumi.String("example.com"),
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       var identity = new Aws.SesV2.EmailIdentity("identity", new()
#       {
#           EmailIdentityDetails = "example.com",
#       });
#     yaml: |
#       resources:
#         identity:
#           type: aws:sesv2:EmailIdentity
#           properties:
#             emailIdentity: example.com
#     terraform: |
#       resource "aws_sesv2_email_identity" "identity" {
#         email_identity = "example.com"
#       }
#     cloudformation: |
#       Resources:
#         Identity:
#           Type: AWS::SES::EmailIdentity
#           Properties:
#             EmailIdentity: example.com
#     cdk-typescript: |
#       // A domain identity, not only addresses; publicHostedZone also writes its DKIM and MAIL FROM records.
#       new ses.EmailIdentity(this, 'Identity', {
#         identity: ses.Identity.publicHostedZone(zone),
#         mailFromDomain: 'mail.example.com',
#       });
#     cdk-python: |
#       # A domain identity, not only addresses; public_hosted_zone also writes its DKIM and MAIL FROM records.
#       ses.EmailIdentity(self, "Identity",
#           identity=ses.Identity.public_hosted_zone(zone),
#           mail_from_domain="mail.example.com")
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _domain_identity_problems

_domain_identity_problems contains {"resource": a.resource, "message": msg} if {
	some a in ses.address_identities
	not a.domain in ses.domains
	msg := sprintf("%s is an address identity, but its domain %s has no domain identity in this stack", [a.address, a.domain])
}

# An identity whose name is of the wrong type is neither a domain nor an address identity to SES's
# rules: no rule could judge it, so this one says it cannot be verified.
_domain_identity_problems contains {"resource": r, "message": msg} if {
	some [t, prop] in [[ses.t.v2_identity, "emailIdentity"], [ses.t.v1_domain_identity, "domain"], [ses.t.v1_email_identity, "email"]]
	some r in resources.of_type(t)
	v := object.get(r.props, prop, null)
	not is_string(v)
	types.wrong(v, "string")
	msg := sprintf("identity %s: %s; cannot verify what it sends as", [r.name, types.describe(prop, v, "string")])
}
