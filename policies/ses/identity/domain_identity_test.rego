package ses.identity_test

import data.ses.identity

_v2(name, ident) := {
	"urn": sprintf("urn:pulumi:prod::p::aws:sesv2/emailIdentity:EmailIdentity::%s", [name]),
	"type": "aws:sesv2/emailIdentity:EmailIdentity",
	"name": name,
	"props": {"emailIdentity": ident},
}

_ids(fs, id) := {f.resource | some f in fs; f.rule == id}

test_domain_identity_present_passes if {
	fs := identity.deny with input as {"resources": [_v2("d", "example.com"), _v2("a", "news@example.com")]}
	count(_ids(fs, "SES-001")) == 0
}

test_address_identity_alone_fails if {
	fs := identity.deny with input as {"resources": [_v2("a", "news@example.com")]}
	_ids(fs, "SES-001") == {"urn:pulumi:prod::p::aws:sesv2/emailIdentity:EmailIdentity::a"}
}

test_v1_address_identity_fails if {
	r := {"urn": "u1", "type": "aws:ses/emailIdentity:EmailIdentity", "name": "a", "props": {"email": "A@Example.com"}}
	fs := identity.deny with input as {"resources": [r]}
	_ids(fs, "SES-001") == {"u1"}
}

test_v1_domain_identity_covers_address if {
	r := {"urn": "u1", "type": "aws:ses/emailIdentity:EmailIdentity", "name": "a", "props": {"email": "a@example.com"}}
	d := {"urn": "u2", "type": "aws:ses/domainIdentity:DomainIdentity", "name": "d", "props": {"domain": "Example.com."}}
	fs := identity.deny with input as {"resources": [r, d]}
	count(_ids(fs, "SES-001")) == 0
}

test_identity_name_of_the_wrong_type_cannot_be_verified if {
	fs := identity.deny with input as {"resources": [_v2("d", 7), _v2("e", "example.com"), _v2("u", null)]}
	_ids(fs, "SES-001") == {"urn:pulumi:prod::p::aws:sesv2/emailIdentity:EmailIdentity::d"}
	some f in fs
	f.rule == "SES-001"
	startswith(f.message, "identity d: emailIdentity")
	endswith(f.message, "; cannot verify what it sends as")
}
