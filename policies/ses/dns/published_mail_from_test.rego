package ses.dns_test

import data.ses.dns

mx_ok := q("mail.example.com", "MX", "ok", ["10 feedback-smtp.us-east-1.amazonses.com"])

spf_ok := q("mail.example.com", "TXT", "ok", ["v=spf1 include:amazonses.com ~all"])

spf_count(n) := {"spf": [{"name": "mail.example.com", "lookups": n, "error": null}]}

mf_msgs(queries, extra) := ms if {
	ms := msgs(dns.deny, "SES-052") with input as doc(queries, extra)
}

test_mail_from_passes if {
	count(mf_msgs([mx_ok, spf_ok], spf_count(1))) == 0
}

test_mail_from_passes_without_count_record_alone if {
	count(mf_msgs([mx_ok, spf_ok], {})) == 0
}

test_mx_missing_fails if {
	has(mf_msgs([q("mail.example.com", "MX", "nodata", []), spf_ok], {}), "no MX record is published")
}

test_mx_nxdomain_fails if {
	has(mf_msgs([q("mail.example.com", "MX", "nxdomain", []), spf_ok], {}), "NXDOMAIN")
}

test_mx_wrong_region_fails if {
	has(mf_msgs([q("mail.example.com", "MX", "ok", ["10 feedback-smtp.eu-west-1.amazonses.com"]), spf_ok], {}), "needs exactly one MX 10 feedback-smtp.us-east-1.amazonses.com")
}

test_mx_wrong_preference_fails if {
	has(mf_msgs([q("mail.example.com", "MX", "ok", ["20 feedback-smtp.us-east-1.amazonses.com"]), spf_ok], {}), "has MX 20")
}

test_mx_extra_record_fails if {
	mx := q("mail.example.com", "MX", "ok", ["10 feedback-smtp.us-east-1.amazonses.com", "20 mx.example.net"])
	has(mf_msgs([mx, spf_ok], {}), "exactly one MX")
}

test_mx_timeout_cannot_verify if {
	has(mf_msgs([q("mail.example.com", "MX", "timeout", []), spf_ok], {}), "could not be verified")
}

test_no_region_cannot_verify if {
	has(mf_msgs([mx_ok, spf_ok], {"region": null}), "no region was given")
}

test_mail_from_not_queried_fails if {
	ms := mf_msgs([], {})
	has(ms, "MX was not queried")
	has(ms, "TXT was not queried")
}

test_spf_missing_fails if {
	has(mf_msgs([mx_ok, q("mail.example.com", "TXT", "nxdomain", [])], {}), "no SPF record is published")
}

test_spf_only_other_txt_fails if {
	has(mf_msgs([mx_ok, q("mail.example.com", "TXT", "ok", ["hello"])], {}), "none of its TXT records starts with v=spf1")
}

test_spf_servfail_cannot_verify if {
	has(mf_msgs([mx_ok, q("mail.example.com", "TXT", "servfail", [])], {}), "could not be verified")
}

test_two_spf_records_fail if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 include:amazonses.com ~all", "v=spf1 -all"])
	has(mf_msgs([mx_ok, txt], {}), "2 SPF records")
}

test_spf_without_amazonses_fails if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 include:_spf.google.com ~all"])
	has(mf_msgs([mx_ok, txt], {}), "does not include amazonses.com")
}

test_spf_fail_qualified_include_fails if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 -include:amazonses.com ~all"])
	has(mf_msgs([mx_ok, txt], {}), "does not include amazonses.com")
}

test_spf_plus_all_fails if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 include:amazonses.com +all"])
	has(mf_msgs([mx_ok, txt], {}), "+all")
}

test_spf_bare_all_is_plus_all if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 include:amazonses.com all"])
	has(mf_msgs([mx_ok, txt], {}), "+all")
}

test_spf_invalid_fails if {
	txt := q("mail.example.com", "TXT", "ok", ["v=spf1 include:amazonses.com bogus ~all"])
	has(mf_msgs([mx_ok, txt], {}), "is invalid")
}

test_spf_too_many_lookups_fails if {
	has(mf_msgs([mx_ok, spf_ok], spf_count(11)), "needs 11 DNS lookups; receivers stop at 10")
}

test_spf_too_many_lookups_in_record_alone_fails if {
	incs := concat(" ", [sprintf("include:s%d.example.net", [i]) | some i in numbers.range(1, 10)])
	txt := q("mail.example.com", "TXT", "ok", [sprintf("v=spf1 include:amazonses.com %s ~all", [incs])])
	has(mf_msgs([mx_ok, txt], {}), "needs 11 DNS lookups")
}

test_spf_threshold_tightened_by_config if {
	d := object.union(doc([mx_ok, spf_ok], spf_count(4)), {"config": {"sesguard:thresholds": {"spf_lookups": 3}}})
	has(msgs(dns.deny, "SES-052"), "needs 4 DNS lookups; receivers stop at 3") with input as d
}

test_spf_uncounted_cannot_verify if {
	extra := {"spf": [{"name": "mail.example.com", "lookups": null, "error": "SPFRecordNotFound: include:amazonses.com"}]}
	has(mf_msgs([mx_ok, spf_ok], extra), "could not be counted")
}
