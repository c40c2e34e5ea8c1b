package ses.dmarc

import data.lib
import data.lib.dmarc
import data.lib.dns
import data.lib.mail
import data.lib.result
import data.lib.ses

# METADATA
# title: DMARC SPF alignment is relaxed while MAIL FROM is a subdomain
# description: |
#   SES's custom MAIL FROM is a subdomain of the identity (mail.example.com). With strict SPF
#   alignment (`aspf=s`) the MAIL FROM domain must equal the From domain exactly, so SPF never
#   aligns and DMARC rests on DKIM alone. Relaxed alignment (the default) lets SPF count.
# custom:
#   id: SES-007
#   slug: dmarc-alignment
#   severity: low
#   enforcement: advisory
#   remediation: |
#     Drop `aspf=s` from the DMARC record (relaxed, `aspf=r`, is the default).
#   remediation_code:
#     python: |
#       # No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       aws.route53.Record("dmarc", zone_id=zone_id, name="_dmarc.example.com", type="TXT", ttl=3600,
#           records=["v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"])
#     typescript: |
#       // No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       new aws.route53.Record("dmarc", {
#           zoneId: zoneId,
#           name: "_dmarc.example.com",
#           type: "TXT",
#           ttl: 3600,
#           records: ["v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"],
#       });
#     go: |
#       // No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       _, err = route53.NewRecord(ctx, "dmarc", &route53.RecordArgs{
#       	ZoneId:  pulumi.String(zoneId),
#       	Name:    pulumi.String("_dmarc.example.com"),
#       	Type:    pulumi.String("TXT"),
#       	Ttl:     pulumi.Int(3600),
#       	Records: pulumi.StringArray{pulumi.String("v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com")},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       new Aws.Route53.Record("dmarc", new()
#       {
#           ZoneId = zoneId,
#           Name = "_dmarc.example.com",
#           Type = "TXT",
#           Ttl = 3600,
#           Records = new[] { "v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com" },
#       });
#     yaml: |
#       resources:
#         dmarc:
#           type: aws:route53:Record
#           properties:
#             zoneId: ${zoneId}
#             name: _dmarc.example.com
#             type: TXT
#             ttl: 3600
#             # No aspf=s: relaxed SPF alignment (the default) lets the MAIL FROM subdomain align.
#             records: ["v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"]
#     terraform: |
#       # No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       resource "aws_route53_record" "dmarc" {
#         zone_id = var.zone_id
#         name    = "_dmarc.example.com"
#         type    = "TXT"
#         ttl     = 3600
#         records = ["v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"]
#       }
#     cloudformation: |
#       # No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       Resources:
#         Dmarc:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Name: _dmarc.example.com
#             Type: TXT
#             TTL: "3600"
#             ResourceRecords:
#               - '"v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"'
#     cdk-typescript: |
#       // No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       new route53.TxtRecord(this, 'Dmarc', {
#         zone,
#         recordName: '_dmarc',
#         values: ['v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com'],
#       });
#     cdk-python: |
#       # No aspf=s: relaxed SPF alignment (the default) lets the mail.example.com MAIL FROM align.
#       route53.TxtRecord(self, "Dmarc", zone=zone, record_name="_dmarc",
#           values=["v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-reports@example.com"])
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dmarc_alignment_problems

_strict_spf contains [i, p] if {
	some i in _dmx_open
	lib.known(i.domain)
	p := dmarc.policy(i.domain)
	object.get(p.tags, "aspf", "r") == "s"
}

_dmarc_alignment_problems contains {"resource": p.record.resource, "message": msg} if {
	some [i, p] in _strict_spf
	some m in object.get(mail.mail_from_by_domain, i.domain, set())
	dns.strict_subdomain(m.mail_from_domain, i.domain)
	msg := sprintf(
		"%s sets aspf=s while %s sends with MAIL FROM %s, a subdomain: SPF will never align",
		[p.name, i.domain, m.mail_from_domain],
	)
}

_dmarc_alignment_problems contains {"resource": p.record.resource, "message": msg} if {
	some [i, p] in _strict_spf
	some m in object.get(mail.mail_from_by_domain, i.domain, set())
	not lib.known(m.mail_from_domain)
	msg := sprintf("cannot verify SPF alignment of %s: %s sets aspf=s and the MAIL FROM domain is not known", [i.domain, p.name])
}
