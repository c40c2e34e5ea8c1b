package ses.identity

import data.lib.result
import data.lib.ses

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
deny contains result.finding(rego.metadata.rule(), a.resource, msg) if {
	some a in ses.address_identities
	not a.domain in ses.domains
	msg := sprintf("%s is an address identity, but its domain %s has no domain identity in this stack", [a.address, a.domain])
}
