package lib.spf_test

import data.lib.spf

test_parse_mechanisms_and_qualifiers if {
	r := spf.parse("v=spf1 include:amazonses.com a mx:x.example/24 ip4:192.0.2.0/24 -ptr ?exists:%{i}.x.example ~all")
	r.valid
	r.all == "~"
	r.lookups == 5
	[t.qualifier | some t in r.terms] == ["+", "+", "+", "+", "-", "?", "~"]
	spf.includes(r, "AmazonSES.com.")
}

test_redirect_counts_and_no_all if {
	r := spf.parse("v=spf1 redirect=_spf.example.com")
	r.valid
	r.lookups == 1
	r.all == null
	r.modifiers == {"redirect": "_spf.example.com"}
}

test_version_required if {
	spf.is_spf("V=SPF1 -all")
	spf.is_spf("v=spf1")
	not spf.is_spf("v=spf10 -all")
	not spf.is_spf("include:amazonses.com v=spf1")
	not spf.is_spf(3)
	spf.parse("v=spf2 -all").errors == ["it does not start with v=spf1"]
	spf.errors(3) == ["it is not a string"]
}

test_unknown_mechanism_and_duplicate_modifier if {
	r := spf.parse("v=spf1 foo +redirect=x bar=1 redirect=a redirect=b :x -all")
	not r.valid
	r.errors == [
		"\"+redirect=x\" is not a mechanism or modifier",
		"\":x\" is not a mechanism or modifier",
		"\"foo\" is not a mechanism or modifier",
		"modifier redirect appears more than once",
	]
	r.modifiers.redirect == "a"
}

test_includes_ignores_fail_qualifier_and_other_domains if {
	not spf.includes(spf.parse("v=spf1 -include:amazonses.com ~all"), "amazonses.com")
	not spf.includes(spf.parse("v=spf1 include:amazonses.com.evil.example ~all"), "amazonses.com")
	not spf.includes(spf.parse("v=spf1 a:amazonses.com ~all"), "amazonses.com")
}

test_bare_all_is_pass if {
	spf.parse("v=spf1 all").all == "+"
}

test_two_all_mechanisms_first_counts_and_is_an_error if {
	spf.all_qualifier("v=spf1 include:amazonses.com ~all -all") == "~"
	r := spf.parse("v=spf1 include:amazonses.com ~all -all")
	not r.valid
	"it has more than one all mechanism" in r.errors
}
