package lib.mail_test

import data.lib.mail
import data.lib.mail_fixtures_test as fx

# The MAIL FROM settings read on the hot path (every setting plain) are those the general reading
# gives: a setting it cannot take (here an unknown identity) sends every setting to the general
# reading, and the others come out the same.
test_mail_from_hot_path_reads_as_the_general_one if {
	rs := [
		fx.mail_from("a", " Example.COM.", "Mail.Example.com.", "REJECT_MESSAGE"),
		fx.v1_mail_from("b", "b.example", "mail.b.example", "UseDefaultValue"),
		fx.mail_from("c", "c.example", "mail.c.example", null),
		fx.v1_mail_from("d", "d.example", "mail.d.example", "RejectMessage"),
	]
	hot := mail.mail_from with input as fx.doc(rs)
	count(mail._mail_from_hot) == 4 with input as fx.doc(rs)
	odd := fx.mail_from("e", fx.U, "mail.e.example", "REJECT_MESSAGE")
	count(mail._mail_from_hot) == 4 with input as fx.doc(array.concat(rs, [odd]))
	general := mail.mail_from with input as fx.doc(array.concat(rs, [odd]))
	hot == general
	{[m.domain, m.mail_from_domain, m.behavior, m.version] | some m in hot} == {
		["example.com", "mail.example.com", "REJECT_MESSAGE", "v2"],
		["b.example", "mail.b.example", "USE_DEFAULT_VALUE", "v1"],
		["c.example", "mail.c.example", "USE_DEFAULT_VALUE", "v2"],
		["d.example", "mail.d.example", "REJECT_MESSAGE", "v1"],
	}
	by_domain := mail.mail_from_by_domain with input as fx.doc(rs)
	object.keys(by_domain) == {"example.com", "b.example", "c.example", "d.example"}
	by_domain["c.example"] == {m | some m in hot; m.domain == "c.example"}
}

# What the hot path leaves to the general reading: a behavior AWS does not spell so, an unknown
# MAIL FROM domain.
test_mail_from_general_reading if {
	rs := [
		fx.mail_from("a", "a.example", "mail.a.example", "rejectMessage"),
		fx.mail_from("b", "b.example", fx.U, null),
	]
	ms := mail.mail_from with input as fx.doc(rs)
	{[m.domain, m.mail_from_domain, m.behavior] | some m in ms} == {
		["a.example", "mail.a.example", "REJECT_MESSAGE"],
		["b.example", fx.U, "USE_DEFAULT_VALUE"],
	}
}

# Two settings for one domain are grouped under it.
test_mail_from_by_domain_groups_settings_of_one_domain if {
	rs := [
		fx.mail_from("a", "a.example", "mail.a.example", "REJECT_MESSAGE"),
		fx.v1_mail_from("b", "a.example", "bounce.a.example", "RejectMessage"),
		fx.mail_from("c", "c.example", "mail.c.example", null),
	]
	by_domain := mail.mail_from_by_domain with input as fx.doc(rs)
	{d: {m.mail_from_domain | some m in ms} | some d, ms in by_domain} == {
		"a.example": {"mail.a.example", "bounce.a.example"},
		"c.example": {"mail.c.example"},
	}
}
