package ses.dmarc

import data.lib.dns
import data.lib.result
import data.lib.spf

# METADATA
# title: SPF records are valid
# description: |
#   A name with two SPF records, or one that cannot be parsed, is a permanent error for every
#   receiver (RFC 7208 §4.5), and SPF then fails for SES's MAIL FROM domain. `+all` (or a bare
#   `all`) and `?all` authorize every sender on the internet. More than 10 DNS-querying terms
#   (include, a, mx, ptr, exists, redirect; RFC 7208 §4.6.4) is a permerror too; the limit is the
#   `spf_lookups` threshold and counts the record's own terms (`sesguard dns` follows includes).
#   TXT values unknown at preview are not known to be SPF and are not judged here (SES-009 covers
#   the MAIL FROM domain's record).
# custom:
#   id: SES-010
#   slug: spf-valid
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Publish one SPF record per name, e.g. `v=spf1 include:amazonses.com ~all`, merging any other
#     senders' includes into it, ending in `~all` or `-all`.
#   remediation_code:
#     python: |
#       # One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       aws.route53.Record("mail-from-spf", zone_id=zone_id, name="mail.example.com", type="TXT", ttl=3600,
#           records=["v=spf1 include:amazonses.com ~all"])
#     typescript: |
#       // One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       new aws.route53.Record("mail-from-spf", {
#           zoneId: zoneId, name: "mail.example.com", type: "TXT", ttl: 3600,
#           records: ["v=spf1 include:amazonses.com ~all"],
#       });
#     go: |
#       // One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       _, err = route53.NewRecord(ctx, "mail-from-spf", &route53.RecordArgs{
#       	ZoneId: pulumi.String(zoneId), Name: pulumi.String("mail.example.com"),
#       	Type: pulumi.String("TXT"), Ttl: pulumi.Int(3600),
#       	Records: pulumi.StringArray{pulumi.String("v=spf1 include:amazonses.com ~all")},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       new Aws.Route53.Record("mail-from-spf", new()
#       {
#           ZoneId = zoneId, Name = "mail.example.com", Type = "TXT", Ttl = 3600,
#           Records = new[] { "v=spf1 include:amazonses.com ~all" },
#       });
#     yaml: |
#       # One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       resources:
#         mailFromSpf:
#           type: aws:route53:Record
#           properties:
#             zoneId: ${zoneId}
#             name: mail.example.com
#             type: TXT
#             ttl: 3600
#             records: ["v=spf1 include:amazonses.com ~all"]
#     terraform: |
#       # One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       resource "aws_route53_record" "mail_from_spf" {
#         zone_id = var.zone_id
#         name    = "mail.example.com"
#         type    = "TXT"
#         ttl     = 3600
#         records = ["v=spf1 include:amazonses.com ~all"]
#       }
#     cloudformation: |
#       # One SPF record per name; merge other senders' includes into it; end in ~all or -all.
#       Resources:
#         MailFromSpf:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Name: mail.example.com
#             Type: TXT
#             TTL: "3600"
#             ResourceRecords:
#               - '"v=spf1 include:amazonses.com ~all"'
#     cdk-typescript: |
#       // One SPF record per name, ending in ~all or -all, within 10 DNS lookups.
#       new route53.TxtRecord(this, 'Spf', { zone, values: ['v=spf1 include:amazonses.com -all'] });
#     cdk-python: |
#       # One SPF record per name, ending in ~all or -all, within 10 DNS lookups.
#       route53.TxtRecord(self, "Spf", zone=zone, values=["v=spf1 include:amazonses.com -all"])
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _spf_problems

# Every known SPF string the stack declares, by name, one entry per value (a value written twice
# counts twice): name -> [[record, value]]. Read per name from the TXT records already grouped by
# name, so counting a name's SPF strings needs no second grouping pass.
_spf_by_name := {name: vals |
	some name, recs in dns.txt_by_name
	vals := [[rec, value] |
		some rec in recs
		some value in rec.values
		spf.is_spf(value)
	]
	vals != []
}

_spf_problems contains {"resource": rec.resource, "message": msg} if {
	some name, vals in _spf_by_name
	count(vals) > 1
	some [rec, _] in vals
	msg := sprintf("%s has %d SPF records; receivers treat that as a permanent error: keep one", [name, count(vals)])
}

# A list, not a set of [name, record, …]: a set would hash every record it holds, and a value
# written twice gives the same problem twice, which `_spf_problems` (a set) keeps once.
_spf_parsed := [[name, rec, spf.parse(value)] | some name, vals in _spf_by_name; some [rec, value] in vals]

_spf_problems contains {"resource": rec.resource, "message": msg} if {
	some [name, rec, parsed] in _spf_parsed
	not parsed.valid
	msg := sprintf("the SPF record at %s is invalid: %s", [name, concat("; ", parsed.errors)])
}

_spf_problems contains {"resource": rec.resource, "message": msg} if {
	some [name, rec, parsed] in _spf_parsed
	parsed.all in {"+", "?"}
	msg := sprintf("the SPF record at %s ends in %sall, which lets any host pass or stay neutral: use ~all or -all", [name, parsed.all])
}

_spf_problems contains {"resource": rec.resource, "message": msg} if {
	some [name, rec, parsed] in _spf_parsed
	parsed.lookups > result.threshold("spf_lookups")
	msg := sprintf("the SPF record at %s needs %d DNS lookups, more than %v", [name, parsed.lookups, result.threshold("spf_lookups")])
}
