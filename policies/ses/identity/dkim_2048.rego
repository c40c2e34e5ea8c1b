package ses.identity

import data.lib
import data.lib.mail
import data.lib.result
import data.lib.ses

# METADATA
# title: DKIM keys are 2048-bit
# description: |
#   1024-bit RSA keys are considered weak and some receivers discount them; SES signs with
#   RSA_2048_BIT by default for Easy DKIM. A sesv2 EmailIdentity that sets nextSigningKeyLength
#   must set RSA_2048_BIT (left out, AWS's default 2048 applies); a state or live document whose
#   currentSigningKeyLength is still RSA_1024_BIT needs the next key length raised. SES v1
#   DomainDkim offers no key-length setting (AWS picks its default), and a BYODKIM key is the
#   owner's own, so neither is judged here.
# custom:
#   id: SES-003
#   slug: dkim-2048
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Set the identity's next DKIM signing key length to RSA_2048_BIT (SES rotates to the new key
#     length within a day).
#   remediation_code:
#     python: |
#       identity = aws.sesv2.EmailIdentity("identity", email_identity="example.com",
#           dkim_signing_attributes={"next_signing_key_length": "RSA_2048_BIT"})
#     typescript: |
#       const identity = new aws.sesv2.EmailIdentity("identity", {
#           emailIdentity: "example.com",
#           dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
#       });
#     go: |
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
#             dkimSigningAttributes:
#               nextSigningKeyLength: RSA_2048_BIT
#     terraform: |
#       resource "aws_sesv2_email_identity" "identity" {
#         email_identity = "example.com"
#         dkim_signing_attributes {
#           next_signing_key_length = "RSA_2048_BIT"
#         }
#       }
#     cloudformation: |
#       Resources:
#         Identity:
#           Type: AWS::SES::EmailIdentity
#           Properties:
#             EmailIdentity: example.com
#             DkimSigningAttributes:
#               NextSigningKeyLength: RSA_2048_BIT
#     cdk-typescript: |
#       new ses.EmailIdentity(this, 'Identity', {
#         identity: ses.Identity.publicHostedZone(zone),
#         dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
#       });
#     cdk-python: |
#       ses.EmailIdentity(self, "Identity",
#           identity=ses.Identity.public_hosted_zone(zone),
#           dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT))
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dkim_2048_problems

# The identities any rule below can report: Easy DKIM on SES v2 whose next key is not
# RSA_2048_BIT. One pass over the identities no gate left out (_dkimx_open, dkim_records.rego)
# picks them, so the three rules skip every identity already on 2048 bits.
_dkim_2048_judged contains [i, d] if {
	some i in _dkimx_open
	i.version == "v2"
	d := mail.dkim(i)
	d.mode == "easy"
	d.key_length != "RSA_2048_BIT"
}

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_2048_judged
	lib.known(d.key_length)
	msg := sprintf("%s signs DKIM with nextSigningKeyLength %v; use RSA_2048_BIT", [i.domain, d.key_length])
}

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_2048_judged
	d.key_length != null
	not lib.known(d.key_length)
	msg := sprintf("cannot verify the DKIM key length of %s: nextSigningKeyLength is not known", [i.domain])
}

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_2048_judged
	d.current_key_length == "RSA_1024_BIT"
	d.key_length == null
	msg := sprintf("%s currently signs with a 1024-bit DKIM key and no RSA_2048_BIT rotation is set", [i.domain])
}
