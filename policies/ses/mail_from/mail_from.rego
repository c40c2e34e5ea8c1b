package ses.mail_from

import data.lib
import data.lib.dns
import data.lib.mail
import data.lib.result
import data.lib.ses
import data.lib.types

# METADATA
# title: Custom MAIL FROM subdomain rejecting on MX failure
# description: |
#   Without a custom MAIL FROM, SES sends with an amazonses.com envelope sender, so SPF can never
#   align with the From domain and DMARC rests on DKIM alone. The MAIL FROM domain must be a
#   subdomain of the identity (not the domain itself, whose MX receives the domain's mail), and
#   behaviorOnMxFailure must be REJECT_MESSAGE (v1: RejectMessage): the default,
#   USE_DEFAULT_VALUE, silently falls back to amazonses.com when the MX record goes missing.
# custom:
#   id: SES-008
#   slug: mail-from
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Give the identity a custom MAIL FROM domain that is a subdomain of it (mail.<domain>) with
#     behaviour on MX failure REJECT_MESSAGE (SES v1: RejectMessage).
#   remediation_code:
#     python: |
#       aws.sesv2.EmailIdentityMailFromAttributes("mail-from", email_identity=identity.email_identity,
#           mail_from_domain="mail.example.com", behavior_on_mx_failure="REJECT_MESSAGE")
#       # SES v1: aws.ses.MailFrom("mail-from", domain=..., mail_from_domain=..., behavior_on_mx_failure="RejectMessage")
#     typescript: |
#       new aws.sesv2.EmailIdentityMailFromAttributes("mail-from", {
#           emailIdentity: identity.emailIdentity,
#           mailFromDomain: "mail.example.com",
#           behaviorOnMxFailure: "REJECT_MESSAGE",
#       });
#     go: |
#       _, err = sesv2.NewEmailIdentityMailFromAttributes(ctx, "mail-from", &sesv2.EmailIdentityMailFromAttributesArgs{
#       	EmailIdentity:       identity.EmailIdentity,
#       	MailFromDomain:      pulumi.String("mail.example.com"),
#       	BehaviorOnMxFailure: pulumi.String("REJECT_MESSAGE"),
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.SesV2.EmailIdentityMailFromAttributes("mail-from", new()
#       {
#           EmailIdentity = identity.EmailIdentityDetails,
#           MailFromDomain = "mail.example.com",
#           BehaviorOnMxFailure = "REJECT_MESSAGE",
#       });
#     yaml: |
#       resources:
#         mailFrom:
#           type: aws:sesv2:EmailIdentityMailFromAttributes
#           properties:
#             emailIdentity: ${identity.emailIdentity}
#             mailFromDomain: mail.example.com
#             behaviorOnMxFailure: REJECT_MESSAGE
#     terraform: |
#       resource "aws_sesv2_email_identity_mail_from_attributes" "mail_from" {
#         email_identity         = aws_sesv2_email_identity.identity.email_identity
#         mail_from_domain       = "mail.example.com"
#         behavior_on_mx_failure = "REJECT_MESSAGE"
#       }
#       # SES v1: aws_ses_domain_mail_from with behavior_on_mx_failure = "RejectMessage"
#     cloudformation: |
#       # CloudFormation sets MAIL FROM on the identity itself.
#       Resources:
#         Identity:
#           Type: AWS::SES::EmailIdentity
#           Properties:
#             EmailIdentity: example.com
#             MailFromAttributes:
#               MailFromDomain: mail.example.com
#               BehaviorOnMxFailure: REJECT_MESSAGE
#     cdk-typescript: |
#       new ses.EmailIdentity(this, 'Identity', {
#         identity: ses.Identity.publicHostedZone(zone),
#         mailFromDomain: 'mail.example.com',
#         mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.REJECT_MESSAGE,
#       });
#     cdk-python: |
#       ses.EmailIdentity(self, "Identity",
#           identity=ses.Identity.public_hosted_zone(zone),
#           mail_from_domain="mail.example.com",
#           mail_from_behavior_on_mx_failure=ses.MailFromBehaviorOnMxFailure.REJECT_MESSAGE)
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _mail_from_problems

# The known domains with one MAIL FROM setting, a subdomain of it, that rejects on MX failure: no
# rule below can report an identity of such a domain. Read from the settings by domain (one step
# per domain), so each identity is left out by one set lookup, with no call and no set of whole
# identities built.
_mfx_fine_domains := {d |
	not_known := lib._not_known
	some d, ms in mail.mail_from_by_domain
	is_string(d)
	not d in not_known
	count(ms) == 1
	some m in ms
	m.behavior == "REJECT_MESSAGE"
	mfd := m.mail_from_domain
	is_string(mfd)
	not mfd in not_known
	endswith(mfd, concat("", [".", d]))
}

_mail_from_judged := [i |
	fine := _mfx_fine_domains
	some i in ses.domain_identities
	not i.domain in fine
]

# Each judged identity with each of its MAIL FROM settings, joined once for the rules below.
_mail_from_pairs contains [i, m] if {
	some i in _mail_from_judged
	some m in object.get(mail.mail_from_by_domain, i.domain, set())
}

# `x in lib._not_known` is `not lib.known(x)` without a function call; every value tested here is
# a field of a view object, so it is always defined.
_mail_from_problems contains {"resource": i.resource, "message": msg} if {
	some i in _mail_from_judged
	i.domain in lib._not_known
	msg := "cannot verify the custom MAIL FROM: the identity's domain is not known"
}

_mail_from_problems contains {"resource": i.resource, "message": msg} if {
	some i in _mail_from_judged
	not i.domain in lib._not_known
	not mail.mail_from_by_domain[i.domain]
	msg := sprintf("%s has no custom MAIL FROM domain, so SES sends with an amazonses.com envelope and SPF cannot align", [i.domain])
}

_mail_from_problems contains {"resource": m.resource, "message": msg} if {
	some [i, m] in _mail_from_pairs
	not m.mail_from_domain in lib._not_known
	not dns.strict_subdomain(m.mail_from_domain, i.domain)
	msg := sprintf("MAIL FROM domain %s is not a subdomain of %s; use e.g. mail.%s", [m.mail_from_domain, i.domain, i.domain])
}

_mail_from_problems contains {"resource": m.resource, "message": msg} if {
	some [i, m] in _mail_from_pairs
	m.mail_from_domain in lib._not_known
	msg := sprintf("cannot verify the MAIL FROM domain of %s: mailFromDomain is not known", [i.domain])
}

_mail_from_problems contains {"resource": m.resource, "message": msg} if {
	some [i, m] in _mail_from_pairs
	is_string(m.behavior)
	m.behavior != "REJECT_MESSAGE"
	not m.behavior in lib._not_known
	msg := sprintf(
		"MAIL FROM of %s has behaviorOnMxFailure %s; use REJECT_MESSAGE so mail is not sent unaligned when the MX is missing",
		[i.domain, m.behavior],
	)
}

_mail_from_problems contains {"resource": m.resource, "message": msg} if {
	some [i, m] in _mail_from_pairs
	types.wrong(m.behavior, "string")
	msg := sprintf("cannot verify the MAIL FROM of %s: %s", [i.domain, types.describe("behaviorOnMxFailure", m.behavior, "string")])
}

_mail_from_problems contains {"resource": m.resource, "message": msg} if {
	some [i, m] in _mail_from_pairs
	m.behavior in lib._not_known
	msg := sprintf("cannot verify behaviorOnMxFailure of the MAIL FROM of %s: it is not known", [i.domain])
}
