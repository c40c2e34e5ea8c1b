package ses.dmarc_test

import data.lib.mail_fixtures_test as fx
import data.ses.dmarc

_spf(values) := fs if {
	fs := dmarc.deny with input as fx.doc([fx.r53("s", "Example.com", "TXT", values)])
}

test_spf_valid_passes if {
	fx.resources_of(_spf(["v=spf1 include:amazonses.com -all", "google-site-verification=abc"]), "SES-010") == set()
	fx.resources_of(dmarc.deny, "SES-010") == set() with input as fx.doc(fx.sender("example.com"))
}

test_spf_valid_two_records_fail if {
	fs := dmarc.deny with input as fx.doc([
		fx.r53("a", "example.com", "TXT", ["v=spf1 -all"]),
		fx.cf("b", "example.com.", "TXT", "v=spf1 include:amazonses.com ~all", {}),
	])
	fx.resources_of(fs, "SES-010") == {fx.urn(fx.route53_type, "a"), fx.urn("cloudflare:index/dnsRecord:DnsRecord", "b")}
	fx.says(fs, "SES-010", "example.com has 2 SPF records")
}

test_spf_valid_plus_all_fails if {
	fx.says(_spf(["v=spf1 include:amazonses.com +all"]), "SES-010", "ends in +all")
}

test_spf_valid_bare_all_fails if {
	fx.says(_spf(["v=spf1 all"]), "SES-010", "ends in +all")
}

test_spf_valid_neutral_all_fails if {
	fx.says(_spf(["v=spf1 ?all"]), "SES-010", "ends in ?all")
}

test_spf_valid_too_many_lookups_fails if {
	fs := _spf(["v=spf1 include:a.example include:b.example include:c.example include:d.example a mx ptr exists:x.example include:e.example include:f.example redirect=g.example"])
	fx.messages_of(fs, "SES-010") == {"the SPF record at example.com needs 11 DNS lookups, more than 10"}
	fx.resources_of(_spf(["v=spf1 a mx include:x.example -all"]), "SES-010") == set()
}

test_spf_valid_lookup_threshold_tightened_by_config if {
	fs := dmarc.deny with input as fx.doc_config(
		[fx.r53("s", "example.com", "TXT", ["v=spf1 a mx include:x.example -all"])],
		{"sesguard:thresholds": {"spf_lookups": 2}},
	)
	fx.says(fs, "SES-010", "needs 3 DNS lookups, more than 2")
}

test_spf_valid_invalid_record_fails if {
	fx.messages_of(_spf(["v=spf1 include:amazonses.com bogus -all"]), "SES-010") == {"the SPF record at example.com is invalid: \"bogus\" is not a mechanism or modifier"}
}

test_spf_valid_unknown_value_not_judged if {
	fx.resources_of(_spf([fx.U]), "SES-010") == set()
}
