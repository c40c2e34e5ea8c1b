package ses.identity_test

import data.lib.mail_fixtures_test as fx
import data.ses.identity

test_dkim_2048_explicit_and_default_pass if {
	rs := [
		fx.identity("a", "a.example.com"),
		fx.res(fx.identity_type, "b", {"emailIdentity": "b.example.com"}, []),
		fx.identity_attrs("c", "c.example.com", {"currentSigningKeyLength": "RSA_2048_BIT"}),
		fx.identity_attrs("e", "e.example.com", {"currentSigningKeyLength": "RSA_1024_BIT", "nextSigningKeyLength": "RSA_2048_BIT"}),
	]
	count(fx.resources_of(identity.deny, "SES-003")) == 0 with input as fx.doc(rs)
}

test_dkim_1024_fails if {
	rs := [fx.identity_attrs("d", "example.com", {"nextSigningKeyLength": "RSA_1024_BIT"})]
	fs := identity.deny with input as fx.doc(rs)
	fx.resources_of(fs, "SES-003") == {fx.identity_urn("d")}
	fx.says(fs, "SES-003", "RSA_1024_BIT")
}

test_dkim_current_1024_without_rotation_fails if {
	rs := [fx.identity_attrs("d", "example.com", {"currentSigningKeyLength": "RSA_1024_BIT"})]
	fs := identity.deny with input as fx.doc(rs)
	fx.says(fs, "SES-003", "currently signs with a 1024-bit")
}

test_dkim_key_length_unknown_cannot_verify if {
	rs := [fx.identity_attrs("d", "example.com", {"nextSigningKeyLength": fx.U})]
	fs := identity.deny with input as fx.doc(rs)
	fx.says(fs, "SES-003", "cannot verify")
}

test_dkim_2048_v1_and_byodkim_not_judged if {
	rs := [
		fx.v1_identity("v1", "v1.example.com"),
		fx.v1_dkim("k", "v1.example.com", fx.U),
		fx.identity_attrs("b", "b.example.com", {"domainSigningSelector": "s", "domainSigningPrivateKey": "[secret]", "nextSigningKeyLength": "RSA_1024_BIT"}),
	]
	count(fx.resources_of(identity.deny, "SES-003")) == 0 with input as fx.doc(rs)
}
