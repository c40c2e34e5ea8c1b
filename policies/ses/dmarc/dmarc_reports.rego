package ses.dmarc

import data.lib
import data.lib.dmarc
import data.lib.result
import data.lib.ses

# METADATA
# title: DMARC aggregate reports are requested
# description: |
#   Aggregate reports (`rua=mailto:`) are how a sender sees who sends as the domain and whether
#   SES mail passes SPF and DKIM alignment; without them a p=reject policy fails silently.
#   Judged on the one valid DMARC record that governs each domain identity; a missing, duplicate,
#   invalid or unknown record is SES-005's finding.
# custom:
#   id: SES-006
#   slug: dmarc-reports
#   severity: low
#   enforcement: advisory
#   remediation: |
#     Add `rua=mailto:dmarc-reports@<domain>` to the DMARC record (an address outside the domain must
#     publish `<domain>._report._dmarc.<its domain>`, RFC 7489 §7.1).
#   remediation_code:
#     python: |
#       # rua= asks receivers for aggregate reports (an address outside the domain must publish
#       # <domain>._report._dmarc.<its domain>, RFC 7489 section 7.1).
#       aws.route53.Record("dmarc", zone_id=zone_id, name="_dmarc.example.com", type="TXT", ttl=3600,
#           records=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"])
#     typescript: |
#       // rua= asks receivers for aggregate reports.
#       new aws.route53.Record("dmarc", {
#           zoneId: zoneId,
#           name: "_dmarc.example.com",
#           type: "TXT",
#           ttl: 3600,
#           records: ["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"],
#       });
#     go: |
#       // rua= asks receivers for aggregate reports.
#       _, err = route53.NewRecord(ctx, "dmarc", &route53.RecordArgs{
#       	ZoneId:  pulumi.String(zoneId),
#       	Name:    pulumi.String("_dmarc.example.com"),
#       	Type:    pulumi.String("TXT"),
#       	Ttl:     pulumi.Int(3600),
#       	Records: pulumi.StringArray{pulumi.String("v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com")},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // rua= asks receivers for aggregate reports.
#       new Aws.Route53.Record("dmarc", new()
#       {
#           ZoneId = zoneId,
#           Name = "_dmarc.example.com",
#           Type = "TXT",
#           Ttl = 3600,
#           Records = new[] { "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com" },
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
#             # rua= asks receivers for aggregate reports.
#             records: ["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"]
#     terraform: |
#       # rua= asks receivers for aggregate reports.
#       resource "aws_route53_record" "dmarc" {
#         zone_id = var.zone_id
#         name    = "_dmarc.example.com"
#         type    = "TXT"
#         ttl     = 3600
#         records = ["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"]
#       }
#     cloudformation: |
#       # rua= asks receivers for aggregate reports.
#       Resources:
#         Dmarc:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Name: _dmarc.example.com
#             Type: TXT
#             TTL: "3600"
#             ResourceRecords:
#               - '"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"'
#     cdk-typescript: |
#       // rua= names where receivers send aggregate reports.
#       new route53.TxtRecord(this, 'Dmarc', {
#         zone,
#         recordName: '_dmarc',
#         values: ['v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com'],
#       });
#     cdk-python: |
#       # rua= names where receivers send aggregate reports.
#       route53.TxtRecord(self, "Dmarc", zone=zone, record_name="_dmarc",
#           values=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"])
deny contains result.finding(rego.metadata.rule(), p.record.resource, msg) if {
	some i in _dmx_open
	lib.known(i.domain)
	p := dmarc.policy(i.domain)
	not dmarc.has_mailto(p.tags, "rua")
	msg := sprintf("the DMARC record at %s names no rua=mailto: address for aggregate reports", [p.name])
}
