package ses.dmarc

import data.lib
import data.lib.dmarc
import data.lib.dns
import data.lib.result
import data.lib.ses

# METADATA
# title: DMARC rejects spoofed mail
# description: |
#   SES's production-access review and the 2024 Gmail/Yahoo bulk-sender rules expect a domain to
#   publish DMARC; `p=reject` at `pct=100` with `sp` no weaker stops anyone else from sending as
#   the domain or its subdomains. `_dmarc.<domain>` must hold exactly one valid DMARC record (TXT
#   strings written as several quoted chunks count as one record; two records make receivers
#   ignore DMARC altogether, RFC 7489 §6.6.3). A subdomain identity without its own record is
#   governed by its parent's `sp`. A value unknown at preview cannot be judged and is reported
#   as such. When the stack says its DNS is published elsewhere and declares no record for the
#   name, nothing is required here: `sesguard dns` checks the published record.
# custom:
#   id: SES-005
#   slug: dmarc-reject
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare one TXT record at `_dmarc.<domain>`:
#     `v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@<domain>`.
#   remediation_code:
#     python: |
#       aws.route53.Record("dmarc", zone_id=zone_id, name="_dmarc.example.com", type="TXT", ttl=3600,
#           records=["v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"])
#     typescript: |
#       new aws.route53.Record("dmarc", {
#           zoneId: zoneId,
#           name: "_dmarc.example.com",
#           type: "TXT",
#           ttl: 3600,
#           records: ["v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"],
#       });
#     go: |
#       _, err = route53.NewRecord(ctx, "dmarc", &route53.RecordArgs{
#       	ZoneId:  pulumi.String(zoneId),
#       	Name:    pulumi.String("_dmarc.example.com"),
#       	Type:    pulumi.String("TXT"),
#       	Ttl:     pulumi.Int(3600),
#       	Records: pulumi.StringArray{pulumi.String("v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com")},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.Route53.Record("dmarc", new()
#       {
#           ZoneId = zoneId,
#           Name = "_dmarc.example.com",
#           Type = "TXT",
#           Ttl = 3600,
#           Records = new[] { "v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com" },
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
#             records: ["v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"]
#     terraform: |
#       resource "aws_route53_record" "dmarc" {
#         zone_id = var.zone_id
#         name    = "_dmarc.example.com"
#         type    = "TXT"
#         ttl     = 3600
#         records = ["v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"]
#       }
#     cloudformation: |
#       # Route 53 wants TXT values in double quotes inside the string.
#       Resources:
#         Dmarc:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Name: _dmarc.example.com
#             Type: TXT
#             TTL: "3600"
#             ResourceRecords:
#               - '"v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"'
#     cdk-typescript: |
#       new route53.TxtRecord(this, 'Dmarc', {
#         zone,
#         recordName: '_dmarc',
#         values: ['v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com'],
#       });
#     cdk-python: |
#       route53.TxtRecord(self, "Dmarc", zone=zone, record_name="_dmarc",
#           values=["v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@example.com"])
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dmarc_reject_problems

# The identities SES-005, SES-006 and SES-007 may report: every identity but those of a known
# domain whose `_dmarc.<domain>` holds one TXT record with one value of the clean form below and
# no CNAME. Such a record is one valid DMARC record (v=DMARC1 first, no tag twice), it applies
# p=reject at pct=100 to the domain itself with sp reject or left to p, its aspf is relaxed and
# its rua names a plain mailto: address, so none of the three rules can report the identity: it
# costs one lookup and one match instead of the lookup, the parse and every rule's walk.
_dmx_open := [] if {
	# Every identity's domain clean (the compliant stack): no identity to walk.
	count(_dmx_clean_domains) == count(ses.domains)
} else := [i |
	clean := _dmx_clean_domains
	some i in ses.domain_identities
	not i.domain in clean
]

_dmx_clean_domains := {d |
	not_known := lib._not_known
	some d in ses.domains
	not d in not_known
	name := concat(".", ["_dmarc", d])
	[rec] := dns.at(name, "TXT")
	[v] := rec.values
	is_string(v)
	regex.match(_dmx_clean, v)
	dns.at(name, "CNAME") == []
}

# Fixed tag order, each tag once, lower-case names and values, single spaces or none after `;`.
_dmx_clean := `^v=DMARC1;[ ]?p=reject;(?:[ ]?sp=reject;)?(?:[ ]?adkim=[rs];)?(?:[ ]?aspf=r;)?(?:[ ]?pct=100;)?[ ]?rua=mailto:[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+;?$`

# SES-005 also reports a record of the wrong shape at the name: while there is one anywhere, it
# judges every identity.
_dmx_reject_judged := _dmx_open if dns.malformed == []

else := [i | some i in ses.domain_identities]

# Domain identities whose DMARC this stack is responsible for, with where receivers look.
_dmarc_domains contains [i, l] if {
	some i in _dmx_reject_judged
	lib.known(i.domain)
	l := dmarc.lookup(i.domain)
	not _external_undeclared(i, l)
}

# The domains in the common good state (one valid record that applies p=reject to all of their
# mail, no unknown or CNAME value, no record of the wrong shape in the stack) raise none of the
# problems below, which each walk only the other domains: one check per domain instead of one
# per problem.
_dmarc_open contains [i, l] if {
	some [i, l] in _dmarc_domains
	not _dmarc_fine(l)
}

# (Lists compared with [] rather than counted: one comparison instead of a call and one.)
_dmarc_fine(l) if {
	l.unknown == []
	l.cnames == []
	[x] := l.dmarc
	x.parsed.valid
	tags := x.parsed.tags
	_applied(l, tags) == "reject"
	tags.pct == 100
	not _weak_sp(l, tags)
	dns.malformed == []
}

_external_undeclared(i, l) if {
	dns.external(i.domain)
	not l.declared
}

_dmarc_reject_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dmx_open
	not lib.known(i.domain)
	msg := "cannot verify DMARC: the identity's domain is not known"
}

_dmarc_reject_problems contains {"resource": x.record.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	some x in l.unknown
	msg := sprintf("cannot verify DMARC for %s: the TXT value at %s is not known (unknown or secret)", [i.domain, l.name])
}

_dmarc_reject_problems contains {"resource": rec.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	some rec in l.cnames
	msg := sprintf(
		"cannot verify DMARC for %s: %s is a CNAME to %s, whose record is not in this stack (check it with `sesguard dns`)",
		[i.domain, l.name, concat(", ", rec.values)],
	)
}

_dmarc_reject_problems contains {"resource": i.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	count(l.dmarc) == 0
	count(l.unknown) == 0
	count(l.cnames) == 0
	msg := sprintf("no DMARC record at %s%s", [dmarc.record_name(i.domain), _not_dmarc(l)])
}

_not_dmarc(l) := sprintf(" (the TXT there does not start with v=DMARC1: %s)", [concat(" | ", [x.value | some x in l.others])]) if {
	count(l.others) > 0
} else := ""

_dmarc_reject_problems contains {"resource": x.record.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	count(l.dmarc) > 1
	some x in l.dmarc
	msg := sprintf(
		"%s holds %d DMARC records; receivers then apply no DMARC policy at all (RFC 7489 §6.6.3): keep one",
		[l.name, count(l.dmarc)],
	)
}

_dmarc_reject_problems contains {"resource": x.record.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	count(l.dmarc) == 1
	x := l.dmarc[0]
	parsed := x.parsed
	not parsed.valid
	msg := sprintf("the DMARC record at %s is invalid: %s", [l.name, concat("; ", parsed.errors)])
}

# A valid record: the policy that applies to the domain must be reject, for all of its mail.
_dmarc_reject_problems contains {"resource": x.record.resource, "message": msg} if {
	some [i, l] in _dmarc_open
	count(l.dmarc) == 1
	x := l.dmarc[0]
	parsed := x.parsed
	parsed.valid
	tags := parsed.tags
	some msg in {m |
		_applied(l, tags) != "reject"
		m := sprintf("%s applies p=%s to %s; use p=reject", [l.name, _applied(l, tags), i.domain])
	} | {m |
		tags.pct != 100
		m := sprintf("%s has pct=%v; use pct=100 so the policy covers all mail", [l.name, tags.pct])
	} | {m |
		_weak_sp(l, tags)
		m := sprintf("%s has sp=%s, weaker than reject, so subdomains of %s can be spoofed", [l.name, tags.sp, i.domain])
	}
}

# A subdomain governed by its parent's record gets the parent's sp.
_applied(l, tags) := tags.sp if l.inherited

else := tags.p

# An sp left out defaults to p, whose finding already says it: report sp only when it differs.
_weak_sp(l, tags) if {
	not l.inherited
	tags.sp != "reject"
	tags.sp != tags.p
}

_dmarc_reject_problems contains {"resource": m.resource, "message": dns.malformed_message(m, sprintf("the DMARC policy of %s", [i.domain]))} if {
	some [i, l] in _dmarc_open
	some name in {l.name, dmarc.record_name(i.domain)}
	some m in dns.malformed_at(name)
}
