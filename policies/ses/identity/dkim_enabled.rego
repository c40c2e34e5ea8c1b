package ses.identity

import data.lib.mail
import data.lib.result
import data.lib.ses
import data.lib.types

# METADATA
# title: DKIM signs for every domain identity
# description: |
#   Without DKIM, mail from the domain is unauthenticated apart from SPF on the MAIL FROM domain,
#   DMARC cannot pass through DKIM alignment, and mailbox providers (and SES's production-access
#   review) treat the sender as unauthenticated. A sesv2 EmailIdentity signs with Easy DKIM
#   unless its dkimSigningAttributes choose Bring Your Own DKIM, which signs only when both a
#   selector and a private key are given (the key is usually a secret: present is what counts; an
#   empty one, as `terraform show -json` writes Easy DKIM's sensitive `""`, is absent). What SES
#   reports wins: `signingAttributesOrigin` AWS_SES (a state, an export) is Easy DKIM, EXTERNAL is
#   BYODKIM. An SES v1 DomainIdentity signs only when a DomainDkim is declared for its domain. Neither
#   provider can switch signing off for an identity, so there is no "disabled" case to check here;
#   the live audit reads SigningEnabled.
# custom:
#   id: SES-002
#   slug: dkim-enabled
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Use Easy DKIM on the domain's SES v2 email identity: leave out the DKIM signing selector and
#     private key (for BYODKIM give both, the key from a secret). With SES v1, declare a DomainDkim for
#     the domain.
#   remediation_code:
#     python: |
#       # Easy DKIM: no domain_signing_selector / domain_signing_private_key.
#       identity = aws.sesv2.EmailIdentity("identity", email_identity="example.com",
#           dkim_signing_attributes={"next_signing_key_length": "RSA_2048_BIT"})
#       # SES v1 instead: aws.ses.DomainDkim("dkim", domain=domain_identity.domain)
#     typescript: |
#       // Easy DKIM: no domainSigningSelector / domainSigningPrivateKey.
#       const identity = new aws.sesv2.EmailIdentity("identity", {
#           emailIdentity: "example.com",
#           dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
#       });
#       // SES v1 instead: new aws.ses.DomainDkim("dkim", { domain: domainIdentity.domain });
#     go: |
#       // Easy DKIM: no DomainSigningSelector / DomainSigningPrivateKey.
#       identity, err := sesv2.NewEmailIdentity(ctx, "identity", &sesv2.EmailIdentityArgs{
#       	EmailIdentity: pulumi.String("example.com"),
#       	DkimSigningAttributes: &sesv2.EmailIdentityDkimSigningAttributesArgs{
#       		NextSigningKeyLength: pulumi.String("RSA_2048_BIT"),
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // Easy DKIM: no DomainSigningSelector / DomainSigningPrivateKey.
#       var identity = new Aws.SesV2.EmailIdentity("identity", new()
#       {
#           EmailIdentityDetails = "example.com",
#           DkimSigningAttributes = new Aws.SesV2.Inputs.EmailIdentityDkimSigningAttributesArgs
#           {
#               NextSigningKeyLength = "RSA_2048_BIT",
#           },
#       });
#     yaml: |
#       resources:
#         identity:
#           type: aws:sesv2:EmailIdentity
#           properties:
#             emailIdentity: example.com
#             # Easy DKIM: no domainSigningSelector / domainSigningPrivateKey.
#             dkimSigningAttributes:
#               nextSigningKeyLength: RSA_2048_BIT
#     terraform: |
#       # Easy DKIM: no domain_signing_selector / domain_signing_private_key.
#       resource "aws_sesv2_email_identity" "identity" {
#         email_identity = "example.com"
#         dkim_signing_attributes {
#           next_signing_key_length = "RSA_2048_BIT"
#         }
#       }
#       # SES v1 instead: resource "aws_ses_domain_dkim" "dkim" { domain = aws_ses_domain_identity.domain.domain }
#     cloudformation: |
#       Resources:
#         Identity:
#           Type: AWS::SES::EmailIdentity
#           Properties:
#             EmailIdentity: example.com
#             DkimAttributes:
#               SigningEnabled: true
#             # Easy DKIM: no DomainSigningSelector / DomainSigningPrivateKey.
#             DkimSigningAttributes:
#               NextSigningKeyLength: RSA_2048_BIT
#     cdk-typescript: |
#       new ses.EmailIdentity(this, 'Identity', {
#         identity: ses.Identity.publicHostedZone(zone),
#         dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
#         dkimSigning: true,
#       });
#     cdk-python: |
#       ses.EmailIdentity(self, "Identity",
#           identity=ses.Identity.public_hosted_zone(zone),
#           dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
#           dkim_signing=True)
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dkim_enabled_problems

# An SES v2 identity on Easy DKIM whose attributes are an object and whose signing is on (or left
# to AWS's default): no rule below can report it, and one body says so, so the five rules only
# look at the others.
_dkim_enabled_fine(i) if {
	i.version == "v2"
	mail.dkim(i).mode == "easy"
	is_object(i.resource.props.dkimSigningAttributes)
	object.get(i.resource.props, "dkimSigningEnabled", null) in {true, null}
}

_dkim_enabled_judged contains i if {
	some i in _dkimx_open
	not _dkim_enabled_fine(i)
}

_dkim_enabled_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkim_enabled_judged
	mail.dkim(i).mode == "none"
	msg := sprintf(
		"SES v1 domain identity %s has no aws:ses/domainDkim:DomainDkim for its domain, so SES does not sign its mail with DKIM",
		[i.domain],
	)
}

_dkim_enabled_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkim_enabled_judged
	d := mail.dkim(i)
	d.mode == "byodkim"
	some [what, v] in [["domainSigningSelector", d.selector], ["domainSigningPrivateKey", d.private_key]]
	v in {null, ""}
	msg := sprintf("%s chooses Bring Your Own DKIM but gives no %s, so SES cannot sign its mail", [i.domain, what])
}

_dkim_enabled_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkim_enabled_judged
	i.version == "v2"
	attrs := object.get(i.resource.props, "dkimSigningAttributes", null)
	types.wrong(attrs, "object")
	msg := sprintf("%s: %s; cannot verify SES signs its mail with DKIM", [i.domain, types.describe("dkimSigningAttributes", attrs, "object")])
}

# A v2 identity's DKIM signing switched off (CloudFormation DkimAttributes.SigningEnabled, what a
# live account reports): the keys exist but SES does not sign.
_dkim_enabled_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkim_enabled_judged
	i.version == "v2"
	object.get(i.resource.props, "dkimSigningEnabled", null) == false
	msg := sprintf("%s has DKIM signing turned off, so SES does not sign its mail", [i.domain])
}

_dkim_enabled_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkim_enabled_judged
	i.version == "v2"
	v := object.get(i.resource.props, "dkimSigningEnabled", null)
	types.wrong(v, "boolean")
	msg := sprintf("%s: %s; cannot verify SES signs its mail with DKIM", [i.domain, types.describe("dkimSigningEnabled", v, "boolean")])
}
