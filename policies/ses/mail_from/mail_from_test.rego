package ses.mail_from_test

import data.lib.mail_fixtures_test as fx
import data.ses.mail_from

_mf_id := fx.identity_urn("example.com")

_mf_res := fx.urn("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "m")

_mf(resources) := fs if {
	fs := mail_from.deny with input as fx.doc(resources)
}

test_mail_from_compliant_passes if {
	fx.resources_of(_mf(fx.sender("example.com")), "SES-008") == set()
}

test_mail_from_v1_reject_message_passes if {
	rs := [fx.v1_identity("d", "example.com"), fx.v1_mail_from("m", "example.com", "Mail.Example.com.", "RejectMessage")]
	fx.resources_of(_mf(rs), "SES-008") == set()
}

test_mail_from_identity_referenced_by_unknown_output_passes if {
	m := fx.res(
		"aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "m",
		{"emailIdentity": fx.U, "mailFromDomain": "mail.example.com", "behaviorOnMxFailure": "REJECT_MESSAGE"},
		[_mf_id],
	)
	fx.resources_of(_mf([fx.identity("example.com", "example.com"), m]), "SES-008") == set()
}

test_mail_from_missing_fails if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.org", "mail.example.org", "REJECT_MESSAGE")])
	fx.resources_of(fs, "SES-008") == {_mf_id}
	fx.says(fs, "SES-008", "has no custom MAIL FROM domain")
}

test_mail_from_outside_domain_fails if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mail.example.org", "REJECT_MESSAGE")])
	fx.messages_of(fs, "SES-008") == {"MAIL FROM domain mail.example.org is not a subdomain of example.com; use e.g. mail.example.com"}
}

test_mail_from_suffix_without_dot_fails if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mailexample.com", "REJECT_MESSAGE")])
	fx.resources_of(fs, "SES-008") == {_mf_res}
}

test_mail_from_equal_to_domain_fails if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "example.com", "REJECT_MESSAGE")])
	fx.resources_of(fs, "SES-008") == {_mf_res}
}

test_mail_from_use_default_value_fails if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mail.example.com", "USE_DEFAULT_VALUE")])
	fx.messages_of(fs, "SES-008") == {"MAIL FROM of example.com has behaviorOnMxFailure USE_DEFAULT_VALUE; use REJECT_MESSAGE so mail is not sent unaligned when the MX is missing"}
}

test_mail_from_behavior_left_out_or_null_fails if {
	m := fx.res("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "m", {"emailIdentity": "example.com", "mailFromDomain": "mail.example.com"}, [])
	fx.says(_mf([fx.identity("example.com", "example.com"), m]), "SES-008", "USE_DEFAULT_VALUE")
	fx.says(_mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mail.example.com", null)]), "SES-008", "USE_DEFAULT_VALUE")
}

test_mail_from_v1_use_default_value_fails if {
	rs := [fx.v1_identity("d", "example.com"), fx.v1_mail_from("m", "example.com", "mail.example.com", "UseDefaultValue")]
	fx.says(_mf(rs), "SES-008", "behaviorOnMxFailure USE_DEFAULT_VALUE")
}

test_mail_from_unknown_domain_cannot_verify if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", fx.U, "REJECT_MESSAGE")])
	fx.messages_of(fs, "SES-008") == {"cannot verify the MAIL FROM domain of example.com: mailFromDomain is not known"}
}

test_mail_from_unknown_behavior_cannot_verify if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mail.example.com", "[secret]")])
	fx.says(fs, "SES-008", "cannot verify behaviorOnMxFailure")
}

test_mail_from_unknown_identity_domain_cannot_verify if {
	fx.says(_mf([fx.identity("d", fx.U)]), "SES-008", "the identity's domain is not known")
}

test_mail_from_behavior_of_the_wrong_type_cannot_be_verified if {
	fs := _mf([fx.identity("example.com", "example.com"), fx.mail_from("m", "example.com", "mail.example.com", 5)])
	fx.messages_of(fs, "SES-008") == {"cannot verify the MAIL FROM of example.com: behaviorOnMxFailure is a number (5), not a string"}
}

# The gate (`_mfx_fine_domains`) leaves out only a domain none of SES-008's rules can report: one
# step off it (a second setting, USE_DEFAULT_VALUE, the domain itself, an unknown MAIL FROM
# domain, an unknown behavior), the domain is judged and reported.
test_mail_from_gate_one_step_off_is_judged if {
	offs := [
		[fx.v1_mail_from("m2", "example.com", "bounce.example.com", "UseDefaultValue")],
		[fx.v1_mail_from("m2", "example.com", "bounce.example.com", "RejectMessage")],
	]
	every extra in offs {
		d := fx.doc(fx.sender_with("example.com", set(), extra))
		not "example.com" in mail_from._mfx_fine_domains with input as d
	}
	singles := [
		fx.mail_from("m", "example.com", "mail.example.com", "USE_DEFAULT_VALUE"),
		fx.mail_from("m", "example.com", "example.com", "REJECT_MESSAGE"),
		fx.mail_from("m", "example.com", "mailexample.com", "REJECT_MESSAGE"),
		fx.mail_from("m", "example.com", fx.U, "REJECT_MESSAGE"),
		fx.mail_from("m", "example.com", "mail.example.com", fx.U),
		fx.mail_from("m", "example.com", "mail.example.com", 5),
	]
	every m in singles {
		d := fx.doc([fx.identity("example.com", "example.com"), m])
		not "example.com" in mail_from._mfx_fine_domains with input as d
		fs := mail_from.deny with input as d
		count(fx.messages_of(fs, "SES-008")) == 1
	}
	"example.com" in mail_from._mfx_fine_domains with input as fx.doc(fx.sender("example.com"))
}
