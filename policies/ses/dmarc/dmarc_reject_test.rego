package ses.dmarc_test

import data.lib.mail_fixtures_test as fx
import data.lib.dmarc as ldmarc
import data.ses.dmarc

_rj_id := fx.identity_urn("example.com")

_rj_rec := fx.urn(fx.route53_type, "example.com-dmarc")

# The compliant sender with its DMARC record replaced by the given records.
_rj(records) := fs if {
	fs := dmarc.deny with input as fx.doc(fx.sender_with("example.com", {"example.com-dmarc"}, records))
}

_rj_txt(values) := [fx.r53("example.com-dmarc", "_dmarc.example.com", "TXT", values)]

test_dmarc_reject_compliant_passes if {
	fs := dmarc.deny with input as fx.doc(fx.sender("example.com"))
	fx.resources_of(fs, "SES-005") == set()
}

test_dmarc_reject_literal_from_concatenation_passes if {
	# What `"v=DMARC1; p=" + policy + "; rua=mailto:" + email` looks like at preview: a literal.
	fx.resources_of(_rj(_rj_txt(["v=DMARC1;p=reject;sp=reject;pct=100;rua=mailto:d@example.com"])), "SES-005") == set()
}

test_dmarc_reject_quoted_chunks_are_one_record if {
	fx.resources_of(_rj(_rj_txt([`"v=DMARC1; p=reject; " "sp=reject; pct=100"`])), "SES-005") == set()
}

test_dmarc_reject_cloudflare_passes if {
	rs := [fx.cf_zone("z", "example.com"), fx.cf("d", "_dmarc", "TXT", "\"v=DMARC1; p=reject\"", {})]
	fx.resources_of(_rj(rs), "SES-005") == set()
}

test_dmarc_reject_no_record_fails if {
	fs := _rj([])
	fx.resources_of(fs, "SES-005") == {_rj_id}
	fx.messages_of(fs, "SES-005") == {"no DMARC record at _dmarc.example.com"}
}

test_dmarc_reject_record_on_wrong_name_fails if {
	fs := _rj([fx.r53("x", "dmarc.example.com", "TXT", [fx.dmarc_ok]), fx.r53("y", "example.com", "TXT", [fx.dmarc_ok])])
	fx.messages_of(fs, "SES-005") == {"no DMARC record at _dmarc.example.com"}
}

test_dmarc_reject_not_starting_with_version_fails if {
	fs := _rj(_rj_txt(["p=reject; v=DMARC1"]))
	fx.messages_of(fs, "SES-005") == {"no DMARC record at _dmarc.example.com (the TXT there does not start with v=DMARC1: p=reject; v=DMARC1)"}
}

test_dmarc_reject_two_records_fail if {
	second := fx.r53("second", "_DMARC.example.com.", "TXT", ["v=DMARC1; p=reject"])
	fs := _rj(array.concat(_rj_txt([fx.dmarc_ok]), [second]))
	fx.resources_of(fs, "SES-005") == {_rj_rec, second.urn}
	fx.says(fs, "SES-005", "holds 2 DMARC records")
}

test_dmarc_reject_two_strings_in_one_record_set_fail if {
	fs := _rj(_rj_txt([fx.dmarc_ok, "v=DMARC1; p=none"]))
	fx.resources_of(fs, "SES-005") == {_rj_rec}
	fx.says(fs, "SES-005", "holds 2 DMARC records")
}

test_dmarc_reject_p_none_fails if {
	fx.messages_of(_rj(_rj_txt(["v=DMARC1; p=none; sp=reject"])), "SES-005") == {"_dmarc.example.com applies p=none to example.com; use p=reject"}
}

test_dmarc_reject_p_quarantine_fails if {
	fs := _rj(_rj_txt(["v=DMARC1; p=quarantine"]))
	fx.messages_of(fs, "SES-005") == {"_dmarc.example.com applies p=quarantine to example.com; use p=reject"}
	fs2 := _rj(_rj_txt(["v=DMARC1; p=quarantine; sp=none"]))
	fx.says(fs2, "SES-005", "applies p=quarantine")
	fx.says(fs2, "SES-005", "sp=none, weaker than reject")
}

test_dmarc_reject_pct_50_fails if {
	fx.messages_of(_rj(_rj_txt(["v=DMARC1; p=reject; pct=50"])), "SES-005") == {"_dmarc.example.com has pct=50; use pct=100 so the policy covers all mail"}
}

test_dmarc_reject_sp_none_fails if {
	fx.messages_of(_rj(_rj_txt(["v=DMARC1; p=reject; sp=none"])), "SES-005") == {"_dmarc.example.com has sp=none, weaker than reject, so subdomains of example.com can be spoofed"}
}

test_dmarc_reject_sp_quarantine_fails if {
	fx.says(_rj(_rj_txt(["v=DMARC1; p=reject; sp=quarantine"])), "SES-005", "sp=quarantine")
}

test_dmarc_reject_malformed_tags_fail if {
	fx.messages_of(_rj(_rj_txt(["v=DMARC1; p=reject; pct=abc; junk"])), "SES-005") == {
		"the DMARC record at _dmarc.example.com is invalid: pct=abc is not a whole number from 0 to 100; tag \"junk\" has no '='",
	}
}

test_dmarc_reject_unknown_value_cannot_verify if {
	fs := _rj(_rj_txt([fx.U]))
	fx.messages_of(fs, "SES-005") == {"cannot verify DMARC for example.com: the TXT value at _dmarc.example.com is not known (unknown or secret)"}
	fx.says(_rj(_rj_txt(["[secret]"])), "SES-005", "cannot verify DMARC")
	fx.says(_rj(_rj_txt(fx.U)), "SES-005", "cannot verify DMARC")
}

test_dmarc_reject_cname_cannot_verify if {
	fs := _rj([fx.r53("c", "_dmarc.example.com", "CNAME", ["example.com._d.vendor.example"])])
	fx.says(fs, "SES-005", "is a CNAME to example.com._d.vendor.example")
}

test_dmarc_reject_subdomain_inherits_parent_sp if {
	rs := fx.sender_with("mail.example.com", {"mail.example.com-dmarc"}, [fx.r53("org", "_dmarc.example.com", "TXT", [fx.dmarc_ok])])
	fx.resources_of(dmarc.deny, "SES-005") == set() with input as fx.doc(rs)
	weak := fx.sender_with("mail.example.com", {"mail.example.com-dmarc"}, [fx.r53("org", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject; sp=none"])])
	fs := dmarc.deny with input as fx.doc(weak)
	fx.messages_of(fs, "SES-005") == {"_dmarc.example.com applies p=none to mail.example.com; use p=reject"}
}

test_dmarc_reject_external_dns_skips_missing_record if {
	rs := fx.sender_with("example.com", {"example.com-dmarc"}, [])
	fs := dmarc.deny with input as fx.doc_config(rs, {"ses-sender:dns": "external"})
	fx.resources_of(fs, "SES-005") == set()
	fs2 := dmarc.deny with input as fx.doc_config(fx.sender_with("example.com", {"example.com-dmarc"}, _rj_txt(["v=DMARC1; p=none"])), {"ses-sender:dns": "external"})
	fx.says(fs2, "SES-005", "p=none")
}

test_dmarc_reject_unknown_domain_cannot_verify if {
	fs := dmarc.deny with input as fx.doc([fx.identity("d", fx.U)])
	fx.messages_of(fs, "SES-005") == {"cannot verify DMARC: the identity's domain is not known"}
}

# The clean form the three DMARC rules leave out first: every record matching it is one valid
# record that p=reject covers fully, with relaxed SPF alignment and a plain rua=mailto:, so none
# of SES-005/006/007 can report it; anything else is judged by the rules.
test_dmarc_clean_form_is_a_record_no_rule_reports if {
	clean := [
		fx.dmarc_ok,
		"v=DMARC1;p=reject;rua=mailto:d@example.com",
		"v=DMARC1; p=reject; sp=reject; adkim=s; aspf=r; pct=100; rua=mailto:dmarc+agg@mail.example.com;",
		"v=DMARC1; p=reject; adkim=r; rua=mailto:A.B_c-d@Example.COM",
	]
	every v in clean {
		regex.match(dmarc._dmx_clean, v)
		p := ldmarc.parse(v)
		p.valid
		p.tags.p == "reject"
		p.tags.sp == "reject"
		p.tags.pct == 100
		object.get(p.tags, "aspf", "r") == "r"
		ldmarc.has_mailto(p.tags, "rua")
	}
	not_clean := [
		"v=DMARC1; p=none; rua=mailto:d@example.com",
		"v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",
		"v=DMARC1; p=reject; aspf=s; rua=mailto:d@example.com",
		"v=DMARC1; p=reject; pct=50; rua=mailto:d@example.com",
		"v=DMARC1; p=reject",
		"v=DMARC1; p=reject; rua=https://x.example",
		"v=DMARC1; p=reject; p=reject; rua=mailto:d@example.com",
		"v=DMARC1; p=reject; rua=mailto:d@example.com; p=none",
		"V=DMARC1; p=reject; rua=mailto:d@example.com",
	]
	every v in not_clean {
		not regex.match(dmarc._dmx_clean, v)
	}
}

test_dmarc_clean_domain_is_left_out_first if {
	dmarc._dmx_open == [] with input as fx.doc(fx.sender("example.com"))
	two := fx.sender_with("example.com", {"example.com-dmarc"}, _rj_txt([fx.dmarc_ok, fx.dmarc_ok]))
	count(dmarc._dmx_open) == 1 with input as fx.doc(two)
	cname := fx.sender_with("example.com", set(), [fx.r53("c", "_dmarc.example.com", "CNAME", ["x.example.net"])])
	count(dmarc._dmx_open) == 1 with input as fx.doc(cname)
	count(dmarc._dmx_open) == 1 with input as fx.doc([fx.identity("d", fx.U)])
}

# A record of the wrong shape at the name is reported even beside a clean record: while any record
# is malformed, SES-005 judges every identity.
test_dmarc_reject_malformed_record_beside_a_clean_one_cannot_be_verified if {
	bad := fx.r53("bad", "_dmarc.example.com", "TXT", "not-a-list")
	fs := _rj(array.concat(_rj_txt([fx.dmarc_ok]), [bad]))
	fx.resources_of(fs, "SES-005") == {bad.urn}
	fx.says(fs, "SES-005", "cannot verify the DMARC policy of example.com")
}
