package ses.identity_test

import data.lib.mail_fixtures_test as fx
import data.ses.identity

test_easy_dkim_by_default_passes if {
	rs := [fx.res(fx.identity_type, "d", {"emailIdentity": "example.com"}, [])]
	count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
}

test_byodkim_with_selector_and_secret_key_passes if {
	rs := [fx.identity_attrs("d", "example.com", {"domainSigningSelector": "sel", "domainSigningPrivateKey": "[secret]"})]
	count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
}

test_byodkim_without_key_fails if {
	rs := [fx.identity_attrs("d", "example.com", {"domainSigningSelector": "sel"})]
	fs := identity.deny with input as fx.doc(rs)
	fx.resources_of(fs, "SES-002") == {fx.identity_urn("d")}
	fx.says(fs, "SES-002", "no domainSigningPrivateKey")
}

test_byodkim_without_selector_fails if {
	rs := [fx.identity_attrs("d", "example.com", {"domainSigningPrivateKey": "[secret]", "domainSigningSelector": ""})]
	fs := identity.deny with input as fx.doc(rs)
	fx.says(fs, "SES-002", "no domainSigningSelector")
}

test_v1_identity_with_domain_dkim_passes if {
	rs := [fx.v1_identity("d", "Example.com"), fx.v1_dkim("k", "example.com.", fx.U)]
	count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
}

test_v1_domain_dkim_from_unknown_domain_output_passes if {
	k := fx.res("aws:ses/domainDkim:DomainDkim", "k", {"domain": fx.U}, [fx.urn("aws:ses/domainIdentity:DomainIdentity", "d")])
	rs := [fx.v1_identity("d", "example.com"), k]
	count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
}

test_v1_identity_without_domain_dkim_fails if {
	rs := [fx.v1_identity("d", "example.com"), fx.v1_dkim("k", "example.org", fx.U)]
	fs := identity.deny with input as fx.doc(rs)
	fx.resources_of(fs, "SES-002") == {fx.urn("aws:ses/domainIdentity:DomainIdentity", "d")}
}

test_dkim_signing_on_passes if {
	rs := [fx.res(fx.identity_type, "d", {"emailIdentity": "example.com", "dkimSigningEnabled": true}, [])]
	count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
}

test_dkim_signing_off_fails if {
	rs := [fx.res(fx.identity_type, "d", {"emailIdentity": "example.com", "dkimSigningEnabled": false}, [])]
	fs := identity.deny with input as fx.doc(rs)
	fx.resources_of(fs, "SES-002") == {fx.identity_urn("d")}
	fx.says(fs, "SES-002", "DKIM signing turned off")
}

test_dkim_signing_of_the_wrong_type_cannot_be_verified if {
	rs := [fx.res(fx.identity_type, "d", {"emailIdentity": "example.com", "dkimSigningEnabled": "false"}, [])]
	fs := identity.deny with input as fx.doc(rs)
	fx.says(fs, "SES-002", "cannot verify")
}

test_dkim_attributes_of_the_wrong_type_cannot_be_verified if {
	rs := [fx.res(fx.identity_type, "d", {"emailIdentity": "example.com", "dkimSigningAttributes": "RSA_2048_BIT"}, [])]
	fs := identity.deny with input as fx.doc(rs)
	fx.messages_of(fs, "SES-002") == {`example.com: dkimSigningAttributes is a string ("RSA_2048_BIT"), not an object; cannot verify SES signs its mail with DKIM`}
}

# What SES reports decides (issue 20): `terraform show -json` keeps Easy DKIM's private key as a
# sensitive "" which older readers turned into "[secret]"; origin AWS_SES is Easy DKIM all the same.
test_origin_aws_ses_is_easy_dkim_whatever_the_inputs_look_like if {
	every attrs in [
		{"signingAttributesOrigin": "AWS_SES", "domainSigningPrivateKey": "[secret]", "domainSigningSelector": ""},
		{"signingAttributesOrigin": "AWS_SES", "domainSigningPrivateKey": "", "domainSigningSelector": ""},
		{"signingAttributesOrigin": "AWS_SES_EU_WEST_1", "domainSigningPrivateKey": "[secret]"},
	] {
		rs := [fx.identity_attrs("d", "example.com", attrs)]
		count(fx.resources_of(identity.deny, "SES-002")) == 0 with input as fx.doc(rs)
	}
}

test_origin_external_without_a_selector_is_byodkim_and_fails if {
	rs := [fx.identity_attrs("d", "example.com", {"signingAttributesOrigin": "EXTERNAL", "domainSigningPrivateKey": "[secret]", "domainSigningSelector": ""})]
	fs := identity.deny with input as fx.doc(rs)
	fx.says(fs, "SES-002", "no domainSigningSelector")
}
