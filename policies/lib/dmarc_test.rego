package lib.dmarc_test

import data.lib.dmarc
import data.lib.mail_fixtures_test as fx

test_valid_record_with_defaults if {
	r := dmarc.parse("v=DMARC1; p=reject")
	r.valid
	r.errors == []
	r.tags.p == "reject"
	r.tags.sp == "reject"
	r.tags.pct == 100
}

test_tag_names_and_policy_values_are_case_insensitive if {
	r := dmarc.parse("v=DMARC1;P=Reject ; SP = Quarantine;ASPF=S; pct=50;")
	r.valid
	r.tags.p == "reject"
	r.tags.sp == "quarantine"
	r.tags.aspf == "s"
	r.tags.pct == 50
}

test_version_must_come_first if {
	r := dmarc.parse("p=reject; v=DMARC1")
	not r.valid
	r.errors == ["it does not start with v=DMARC1"]
	not dmarc.is_dmarc("p=reject; v=DMARC1")
}

test_version_value_is_case_sensitive if {
	not dmarc.is_dmarc("v=dmarc1; p=reject")
	dmarc.is_dmarc("V = DMARC1; p=reject")
}

test_malformed_tags_are_errors if {
	r := dmarc.parse("v=DMARC1; p=reject; p=none; sp=bad; pct=101; foo; aspf=x; adkim=y")
	not r.valid
	r.errors == [
		"adkim=y is not r or s",
		"aspf=x is not r or s",
		"pct=101 is not a whole number from 0 to 100",
		"sp=bad is not none, quarantine or reject",
		"tag \"foo\" has no '='",
		"tag p appears more than once",
	]
	r.tags.p == "reject"
}

test_missing_p_and_unknown_p if {
	"it has no p tag" in dmarc.parse("v=DMARC1; rua=mailto:a@example.com").errors
	"p=always is not none, quarantine or reject" in dmarc.parse("v=DMARC1; p=always").errors
}

test_pct_must_be_whole if {
	r := dmarc.parse("v=DMARC1; p=reject; pct=5.5")
	r.errors == ["pct=5.5 is not a whole number from 0 to 100"]
	r.tags.pct == null
}

test_empty_and_non_string if {
	dmarc.parse("").errors == ["it is empty"]
	dmarc.parse(" ; ").errors == ["it is empty"]
	dmarc.parse(7) == {"valid": false, "errors": ["the record is not a string"], "tags": {}}
}

test_rua_mailto if {
	t := dmarc.parse("v=DMARC1; p=reject; rua=https://x.example, mailto:agg@example.com!10m").tags
	dmarc.has_mailto(t, "rua")
	dmarc.uris(t, "rua") == ["https://x.example", "mailto:agg@example.com!10m"]
	not dmarc.has_mailto(dmarc.parse("v=DMARC1; p=reject; rua=mailto:").tags, "rua")
	not dmarc.has_mailto(dmarc.parse("v=DMARC1; p=reject").tags, "rua")
}

test_lookup_prefers_own_record if {
	rs := [
		fx.r53("own", "_dmarc.mail.example.com", "TXT", ["v=DMARC1; p=none"]),
		fx.r53("org", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject"]),
	]
	l := dmarc.lookup("mail.example.com") with input as fx.doc(rs)
	l.name == "_dmarc.mail.example.com"
	not l.inherited
}

test_lookup_falls_back_to_parent if {
	rs := [fx.r53("org", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject; sp=none", "not dmarc", fx.U])]
	l := dmarc.lookup("a.b.example.com") with input as fx.doc(rs)
	l.name == "_dmarc.example.com"
	l.inherited
	count(l.dmarc) == 1
	count(l.others) == 1
	count(l.unknown) == 1
	not dmarc.policy("a.b.example.com") with input as fx.doc(rs)
}

test_lookup_nothing_declared if {
	l := dmarc.lookup("example.com") with input as fx.doc([])
	l.name == "_dmarc.example.com"
	not l.declared
	l.dmarc == []
}

test_policy_of_cname_is_undefined if {
	rs := [fx.r53("c", "_dmarc.example.com", "CNAME", ["example.com.dmarc.vendor.example"])]
	l := dmarc.lookup("example.com") with input as fx.doc(rs)
	l.declared
	count(l.cnames) == 1
	not dmarc.policy("example.com") with input as fx.doc(rs)
}

test_strength_orders_policies if {
	dmarc.strength.none < dmarc.strength.quarantine
	dmarc.strength.quarantine < dmarc.strength.reject
}

# The canonical reading (builtins only) gives what the general reading gives, for the records it
# takes, and leaves every other record to the general reading.
test_canonical_parse_matches_the_general_reading if {
	canonical := [
		"v=DMARC1; p=reject",
		" v = DMARC1 ;p= Quarantine ; sp=none;; ; adkim = S; aspf=r; pct=007 ; rua=mailto:a@b.c,mailto:x@y.z!10m; fo=1:D; rf=AFRF; x=<&>;",
		"v=DMARC1;p=none;rua=x=y=z;",
	]
	every s in canonical {
		dmarc._parse_canonical(s)
		dmarc.parse(s) == dmarc._parse(s)
	}
	general := [
		"v=DMARC1; P=reject",
		"v=DMARC1; p=reject; p=none",
		"v=DMARC1;\tp=reject",
		"v=DMARC1; p=reject; rua=\"q\"",
		"v=DMARC1; p=reject; pct=101",
		"v=DMARC1; sp=reject",
		"; v=DMARC1; p=reject",
		"v=DMARC1",
		"",
	]
	every s in general {
		not dmarc._parse_canonical(s)
		dmarc.parse(s) == dmarc._parse(s)
	}
}

test_is_dmarc_plain_and_general_forms if {
	dmarc.is_dmarc(" v = DMARC1 ; p=none")
	dmarc.is_dmarc("\tV=DMARC1\t; p=none")
	dmarc.is_dmarc(";v=DMARC1")
	not dmarc.is_dmarc("v=DMARC1 x; p=none")
	not dmarc.is_dmarc(7)
}

test_has_mailto_plain_first_uri_and_general_forms if {
	dmarc.has_mailto({"rua": "mailto:dmarc@example.com"}, "rua")
	dmarc.has_mailto({"rua": "MAILTO:d@example.com!10m , https://x"}, "rua")
	dmarc.has_mailto({"rua": "https://x, mailto:d@example.com"}, "rua")
	dmarc.has_mailto({"rua": " mailto:d@example.com"}, "rua")
	not dmarc.has_mailto({"rua": "mailto:@example.com"}, "rua")
	not dmarc.has_mailto({"rua": "mailto:a b@example.com"}, "rua")
	not dmarc.has_mailto({}, "rua")
}
