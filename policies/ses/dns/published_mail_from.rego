package ses.dns

import data.lib.dns
import data.lib.result
import data.lib.spf

# METADATA
# title: The MAIL FROM domain publishes SES's MX and an SPF record including amazonses.com
# description: |
#   With a custom MAIL FROM, SES checks for its MX record and receivers check SPF at that
#   domain. Without `10 feedback-smtp.<region>.amazonses.com` SES falls back to (or, with
#   REJECT_MESSAGE, refuses to send from) amazonses.com; without an SPF record that includes
#   amazonses.com, and stays within 10 DNS lookups with no `+all`, SPF fails or means nothing.
# custom:
#   id: SES-052
#   slug: published-mail-from
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Publish at the MAIL FROM domain (e.g. mail.<domain>) exactly one MX
#     `10 feedback-smtp.<region>.amazonses.com` and exactly one TXT
#     `v=spf1 include:amazonses.com ~all`; keep the include tree within 10 DNS lookups and never
#     end an SPF record with +all.
deny contains result.finding(rego.metadata.rule(), r, msg) if {
	some [r, msg] in _mail_from_problems
}

_region := facts.region if {
	is_string(facts.region)
	facts.region != ""
}

_mx_want := sprintf("10 feedback-smtp.%s.amazonses.com", [lower(_region)])

_mx_query := query_at(mail_from, "MX")

_mx := resource_at(mail_from, "MX")

_mail_from_problems contains [null, sprintf("%s MX was not queried: the MAIL FROM MX could not be verified", [mail_from])] if {
	facts
	_mx_query == null
}

_mail_from_problems contains [_mx, sprintf("no MX record is published at the MAIL FROM domain %s: %s", [mail_from, absent[_mx_query.status]])] if {
	absent[_mx_query.status]
}

_mail_from_problems contains [_mx, sprintf("the MX record of the MAIL FROM domain %s could not be verified: the query ended in %s", [mail_from, why(_mx_query)])] if {
	unverifiable(_mx_query)
}

_mail_from_problems contains [_mx, sprintf("no region was given, so the MX of %s (%s) could not be checked against feedback-smtp.<region>.amazonses.com", [mail_from, concat(", ", _mx_query.answers)])] if {
	_mx_query.status == "ok"
	not _region
}

_mail_from_problems contains [_mx, sprintf("the MAIL FROM domain %s has MX %s; SES needs exactly one MX %s", [mail_from, concat(", ", _mx_query.answers), _mx_want])] if {
	_mx_query.status == "ok"
	_mx_query.answers != [_mx_want]
}

# --- SPF -----------------------------------------------------------------------------------------

_txt_query := query_at(mail_from, "TXT")

_txt := resource_at(mail_from, "TXT")

_spf_records := [a | some a in _txt_query.answers; spf.is_spf(a)]

_mail_from_problems contains [null, sprintf("%s TXT was not queried: the MAIL FROM SPF record could not be verified", [mail_from])] if {
	facts
	_txt_query == null
}

_mail_from_problems contains [_txt, sprintf("no SPF record is published at the MAIL FROM domain %s: %s", [mail_from, absent[_txt_query.status]])] if {
	absent[_txt_query.status]
}

_mail_from_problems contains [_txt, sprintf("the SPF record of the MAIL FROM domain %s could not be verified: the query ended in %s", [mail_from, why(_txt_query)])] if {
	unverifiable(_txt_query)
}

_mail_from_problems contains [_txt, sprintf("no SPF record is published at the MAIL FROM domain %s: none of its TXT records starts with v=spf1", [mail_from])] if {
	_txt_query.status == "ok"
	count(_spf_records) == 0
}

_mail_from_problems contains [_txt, sprintf("%d SPF records are published at %s; SPF then fails with permerror (RFC 7208 §4.5): keep one", [count(_spf_records), mail_from])] if {
	count(_spf_records) > 1
}

_spf := spf.parse(_spf_records[0]) if count(_spf_records) == 1

_mail_from_problems contains [_txt, sprintf("the SPF record at %s is invalid: %s", [mail_from, concat("; ", _spf.errors)])] if {
	not _spf.valid
}

_mail_from_problems contains [_txt, sprintf("the SPF record at %s does not include amazonses.com, so mail SES sends fails SPF: %s", [mail_from, _spf_records[0]])] if {
	_spf
	not spf.includes(_spf, "amazonses.com")
}

_mail_from_problems contains [_txt, sprintf("the SPF record at %s ends with +all, which lets anyone send as this domain", [mail_from])] if {
	_spf.all == "+"
}

# The whole include tree, as resolved by `sesguard dns` (checkdmarc); this record alone when the
# document carries no count (a hand-made document).
_spf_facts := [s | some s in object.get(facts, "spf", []); dns.normalize(s.name) == mail_from]

_lookups := _spf_facts[0].lookups if {
	count(_spf_facts) > 0
	is_number(_spf_facts[0].lookups)
} else := _spf.lookups if count(_spf_facts) == 0

_mail_from_problems contains [_txt, sprintf("the SPF record at %s needs %d DNS lookups; receivers stop at %d (RFC 7208 §4.6.4) and SPF fails", [mail_from, _lookups, result.threshold("spf_lookups")])] if {
	_spf
	_lookups > result.threshold("spf_lookups")
}

_mail_from_problems contains [_txt, sprintf("the DNS lookups of the SPF record at %s could not be counted, so the 10-lookup limit could not be verified: %s", [mail_from, _spf_error])] if {
	_spf
	count(_spf_facts) > 0
	not is_number(_spf_facts[0].lookups)
}

_spf_error := e if {
	e := _spf_facts[0].error
	is_string(e)
	e != ""
} else := "no count was recorded"
