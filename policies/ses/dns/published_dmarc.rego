package ses.dns

import data.lib.dmarc
import data.lib.result

# METADATA
# title: The published DMARC record rejects spoofed mail
# description: |
#   What a receiver sees is what is published, not what a stack declares. SES-005's conditions
#   are checked on the live `_dmarc.<domain>` TXT records: exactly one record starting with
#   v=DMARC1, valid, `p=reject`, `pct` 100 (or absent) and `sp` (which defaults to p) no weaker.
# custom:
#   id: SES-050
#   slug: published-dmarc
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Publish one TXT record at _dmarc.<domain>:
#     `v=DMARC1; p=reject; rua=mailto:dmarc-reports@<domain>` (no pct below 100, no sp weaker
#     than reject), and remove any other v=DMARC1 record there. When the stack declares the record,
#     `pulumi up` publishes it; when the stack's DNS is published elsewhere (`sesguard:externalDns`),
#     hand the record to whoever runs the zone.
deny contains result.finding(rego.metadata.rule(), resource_at(_dmarc_name, "TXT"), msg) if {
	some msg in _dmarc_problems
}

_dmarc_name := concat(".", ["_dmarc", domain])

_dmarc_query := query_at(_dmarc_name, "TXT")

_dmarc_records := [a | some a in _dmarc_query.answers; dmarc.is_dmarc(a)]

_dmarc_problems contains sprintf("_dmarc.%s TXT was not queried: the published DMARC record could not be verified", [domain]) if {
	facts
	_dmarc_query == null
}

_dmarc_problems contains sprintf("no DMARC record is published at %s: %s", [_dmarc_name, absent[_dmarc_query.status]]) if {
	absent[_dmarc_query.status]
}

_dmarc_problems contains sprintf("the DMARC record at %s could not be verified: the query ended in %s", [_dmarc_name, why(_dmarc_query)]) if {
	unverifiable(_dmarc_query)
}

_dmarc_problems contains sprintf("no DMARC record is published at %s: none of its TXT records starts with v=DMARC1", [_dmarc_name]) if {
	_dmarc_query.status == "ok"
	count(_dmarc_records) == 0
}

_dmarc_problems contains sprintf("%d DMARC records are published at %s; receivers then apply none (RFC 7489 §6.6.3): keep one", [count(_dmarc_records), _dmarc_name]) if {
	count(_dmarc_records) > 1
}

_one := dmarc.parse(_dmarc_records[0]) if count(_dmarc_records) == 1

_dmarc_problems contains sprintf("the DMARC record at %s is invalid: %s", [_dmarc_name, concat("; ", _one.errors)]) if {
	not _one.valid
}

_dmarc_problems contains sprintf("the DMARC record at %s has p=%v; SES production senders need p=reject", [_dmarc_name, _one.tags.p]) if {
	_one.valid
	_one.tags.p != "reject"
}

_dmarc_problems contains sprintf("the DMARC record at %s has pct=%v; it must apply to all mail (pct=100)", [_dmarc_name, _one.tags.pct]) if {
	_one.valid
	_one.tags.pct != 100
}

_dmarc_problems contains sprintf("the DMARC record at %s has sp=%v, weaker than p=%v for subdomains", [_dmarc_name, _one.tags.sp, _one.tags.p]) if {
	_one.valid
	dmarc.strength[_one.tags.sp] < dmarc.strength[_one.tags.p]
}
