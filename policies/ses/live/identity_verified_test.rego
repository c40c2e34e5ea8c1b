package ses.live_test

import data.ses.live

_ident(name) := {
	"urn": sprintf("urn:sesguard:live::1::aws:sesv2/emailIdentity:EmailIdentity::%s", [name]),
	"type": "aws:sesv2/emailIdentity:EmailIdentity",
	"name": name,
	"props": {"emailIdentity": name},
}

_ok := {
	"read": true, "identityType": "DOMAIN", "verifiedForSendingStatus": true, "dkimStatus": "SUCCESS",
	"dkimSigningEnabled": true, "mailFromDomain": "mail.example.com", "mailFromStatus": "SUCCESS",
}

_doc(facts) := {
	"source": "live", "region": "us-east-1", "stack": "prod",
	"resources": [_ident("example.com")], "facts": facts,
}

_rule(fs, id) := {f | some f in fs; f.rule == id}

test_verified_identity_passes if {
	count(_rule(live.deny, "SES-040")) == 0 with input as _doc({"identities": {"example.com": _ok}})
}

test_unverified_identity_fails if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {"example.com": object.union(_ok, {"verifiedForSendingStatus": false})}})
	count(fs) == 1
	some f in fs
	f.resource == "urn:sesguard:live::1::aws:sesv2/emailIdentity:EmailIdentity::example.com"
	contains(f.message, "not verified for sending")
	f.enforcement == "mandatory"
}

test_dkim_pending_fails if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {"example.com": object.union(_ok, {"dkimStatus": "PENDING"})}})
	some f in fs
	contains(f.message, "DKIM status is PENDING")
}

test_dkim_signing_off_fails if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {"example.com": object.union(_ok, {"dkimSigningEnabled": false})}})
	some f in fs
	contains(f.message, "DKIM signing is turned off")
}

test_mail_from_failed_fails if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {"example.com": object.union(_ok, {"mailFromStatus": "FAILED"})}})
	some f in fs
	contains(f.message, "MAIL FROM mail.example.com status is FAILED")
}

test_no_mail_from_is_left_to_ses_008 if {
	f := object.union(_ok, {"mailFromDomain": null, "mailFromStatus": null})
	count(_rule(live.deny, "SES-040")) == 0 with input as _doc({"identities": {"example.com": f}})
}

test_address_identity_needs_no_dkim if {
	f := {"read": true, "identityType": "EMAIL_ADDRESS", "verifiedForSendingStatus": true, "dkimStatus": "NOT_STARTED"}
	count(_rule(live.deny, "SES-040")) == 0 with input as _doc({"identities": {"a@example.com": f}})
}

test_unread_identity_fails_closed if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {"example.com": {"read": false}}})
	some f in fs
	contains(f.message, "could not be read")
}

test_no_identity_facts_fails_closed if {
	count(_rule(live.deny, "SES-040")) == 1 with input as _doc({})
}

test_empty_region_fails if {
	fs := _rule(live.deny, "SES-040") with input as _doc({"identities": {}})
	some f in fs
	contains(f.message, "no SES identity in us-east-1")
}

test_only_live_documents if {
	doc := object.union(_doc({"identities": {"example.com": {"read": false}}}), {"source": "program"})
	count(live.deny) == 0 with input as doc
}
