package ses.identity_test

import data.lib.mail_fixtures_test as fx
import data.ses.identity

_dk(rs) := ids if {
	fs := identity.deny with input as fx.doc(rs)
	ids := fx.resources_of(fs, "SES-004")
}

_dk_id := fx.identity_urn("example.com")

test_dkim_records_preview_three_unknown_cnames_pass if {
	_dk(array.concat([fx.identity("example.com", "example.com")], fx.dkim_records("k", "example.com"))) == set()
}

test_dkim_records_zero_fails if {
	fs := identity.deny with input as fx.doc([fx.identity("example.com", "example.com")])
	fx.resources_of(fs, "SES-004") == {_dk_id}
	fx.says(fs, "SES-004", "0 of the 3 DKIM CNAMEs")
}

test_dkim_records_one_and_two_fail if {
	rs := fx.dkim_records("k", "example.com")
	fs1 := identity.deny with input as fx.doc([fx.identity("example.com", "example.com"), rs[0]])
	fx.says(fs1, "SES-004", "1 of the 3")
	fs2 := identity.deny with input as fx.doc([fx.identity("example.com", "example.com"), rs[0], rs[1]])
	fx.says(fs2, "SES-004", "2 of the 3")
}

test_dkim_records_unrelated_unknown_cnames_do_not_count if {
	rs := [fx.r53_dep(sprintf("k%d", [i]), fx.U, "CNAME", [fx.U], ["urn:other"]) | some i in numbers.range(0, 2)]
	_dk(array.concat([fx.identity("example.com", "example.com")], rs)) == {_dk_id}
}

test_dkim_records_wrong_target_fails if {
	bad := fx.r53_dep("k2", fx.U, "CNAME", ["x.dkim.example.net"], [_dk_id])
	rs := array.concat([fx.identity("example.com", "example.com"), bad], array.slice(fx.dkim_records("k", "example.com"), 0, 2))
	fs := identity.deny with input as fx.doc(rs)
	fx.resources_of(fs, "SES-004") == {_dk_id, bad.urn}
	fx.says(fs, "SES-004", "value x.dkim.example.net")
}

test_dkim_records_wrong_domain_fails if {
	bad := fx.r53_dep("k2", "tok._domainkey.example.org", "CNAME", [fx.U], [_dk_id])
	deep := fx.r53_dep("k3", "a.b._domainkey.example.com", "CNAME", [fx.U], [_dk_id])
	rs := array.concat([fx.identity("example.com", "example.com"), bad, deep], array.slice(fx.dkim_records("k", "example.com"), 0, 2))
	_dk(rs) == {_dk_id, bad.urn, deep.urn}
}

test_dkim_records_wrong_zone_fails if {
	zone := fx.res("aws:route53/zone:Zone", "z", {"name": "example.org", "zoneId": "ZORG"}, [])
	recs := [object.union(r, {"props": {"zoneId": "ZORG"}}) | some r in fx.dkim_records("k", "example.com")]
	fs := identity.deny with input as fx.doc(array.concat([fx.identity("example.com", "example.com"), zone], recs))
	fx.says(fs, "SES-004", "zone example.org")
	fx.says(fs, "SES-004", "0 of the 3")
}

test_dkim_records_in_parent_zone_pass if {
	zone := fx.res("aws:route53/zone:Zone", "z", {"name": "example.com", "zoneId": "ZCOM"}, [])
	recs := [object.union(r, {"props": {"zoneId": "ZCOM"}}) | some r in fx.dkim_records("k", "mail.example.com")]
	_dk(array.concat([fx.identity("mail.example.com", "mail.example.com"), zone], recs)) == set()
}

test_dkim_records_known_names_without_dependency_pass if {
	rs := [
		fx.identity("example.com", "example.com"),
		fx.r53("a", "a._domainkey.example.com", "CNAME", ["a.dkim.amazonses.com"]),
		fx.r53("b", "b._domainkey.example.com", "CNAME", ["b.dkim.amazonses.com."]),
		fx.cf("c", "c._domainkey.example.com", "CNAME", "c.dkim.amazonses.com", {}),
		fx.r53("s", "s1._domainkey.example.com", "CNAME", ["s1.domainkey.u1.wl.sendgrid.net"]),
	]
	_dk(rs) == set()
}

_dk_state(tokens, recs) := array.concat(
	[fx.identity_attrs("example.com", "example.com", {"tokens": tokens, "nextSigningKeyLength": "RSA_2048_BIT"})],
	recs,
)

_dk_cname(t) := fx.r53(t, sprintf("%s._domainkey.example.com", [t]), "CNAME", [sprintf("%s.dkim.amazonses.com", [t])])

test_dkim_records_known_tokens_matching_pass if {
	_dk(_dk_state(["Aa1", "bb2", "cc3"], [_dk_cname("aa1"), _dk_cname("bb2"), _dk_cname("cc3")])) == set()
}

test_dkim_records_known_tokens_not_matching_fail if {
	fs := identity.deny with input as fx.doc(_dk_state(["aa1", "bb2", "cc3"], [_dk_cname("aa1"), _dk_cname("bb2"), _dk_cname("zz9")]))
	fx.messages_of(fs, "SES-004") == {"no CNAME cc3._domainkey.example.com -> cc3.dkim.amazonses.com is declared; SES cannot verify DKIM for example.com"}
}

test_dkim_records_v1_domain_dkim_tokens if {
	k := fx.v1_dkim("k", "example.com", ["aa1", "bb2", "cc3"])
	_dk([fx.v1_identity("d", "example.com"), k, _dk_cname("aa1"), _dk_cname("bb2"), _dk_cname("cc3")]) == set()
	_dk([fx.v1_identity("d", "example.com"), k, _dk_cname("aa1")]) == {fx.urn("aws:ses/domainIdentity:DomainIdentity", "d")}
}

test_dkim_records_v1_preview_traced_to_domain_dkim if {
	k := fx.v1_dkim("k", "example.com", fx.U)
	recs := [fx.r53_dep(sprintf("c%d", [i]), fx.U, "CNAME", [fx.U], [k.urn]) | some i in numbers.range(0, 2)]
	_dk(array.concat([fx.v1_identity("d", "example.com"), k], recs)) == set()
}

test_dkim_records_external_dns_skips if {
	fs := identity.deny with input as fx.doc_config([fx.identity("example.com", "example.com")], {"ses-sender:dns": "external"})
	fx.resources_of(fs, "SES-004") == set()
}

test_dkim_records_external_dns_still_judges_declared_records if {
	rs := [fx.identity("example.com", "example.com"), fx.dkim_records("k", "example.com")[0]]
	fs := identity.deny with input as fx.doc_config(rs, {"sesguard:externalDns": true})
	fx.says(fs, "SES-004", "1 of the 3")
}

test_dkim_records_byodkim_txt if {
	id := fx.identity_attrs("example.com", "example.com", {"domainSigningSelector": "Sel", "domainSigningPrivateKey": "[secret]"})
	_dk([id, fx.r53("t", "sel._domainkey.example.com", "TXT", ["v=DKIM1; k=rsa; p=MIIB"])]) == set()
	fs := identity.deny with input as fx.doc([id])
	fx.says(fs, "SES-004", "no TXT record sel._domainkey.example.com")
}

test_dkim_records_byodkim_unknown_selector if {
	id := fx.identity_attrs("example.com", "example.com", {"domainSigningSelector": fx.U, "domainSigningPrivateKey": "[secret]"})
	fs := identity.deny with input as fx.doc([id])
	fx.says(fs, "SES-004", "selector is not known")
}

test_dkim_records_unknown_domain_cannot_verify if {
	fs := identity.deny with input as fx.doc([fx.identity("d", fx.U)])
	fx.says(fs, "SES-004", "cannot verify DKIM records")
}

test_dkim_records_two_domain_dkims_fall_back_to_shape if {
	# Two DomainDkim resources for one domain: their tokens are not comparable, so the records are
	# matched by shape, and known-named CNAMEs to dkim.amazonses.com satisfy it.
	rs := [
		fx.v1_identity("d", "example.com"),
		fx.v1_dkim("k1", "example.com", ["aa1", "bb2", "cc3"]),
		fx.v1_dkim("k2", "example.com", ["dd4", "ee5", "ff6"]),
		_dk_cname("aa1"), _dk_cname("bb2"), _dk_cname("dd4"),
	]
	_dk(rs) == set()
	fs := identity.deny with input as fx.doc(array.slice(rs, 0, 4))
	fx.says(fs, "SES-004", "1 of the 3")
}

# A record of the wrong shape is reported for the identity it may belong to: by its dependency on
# the identity, or by its name; one elsewhere is not.
test_dkim_records_malformed_record_of_the_identity_cannot_be_verified if {
	rs := fx.dkim_records("k", "example.com")
	bad := fx.r53_dep("k-bad", fx.U, "CNAME", "not-a-list", [_dk_id])
	fs := identity.deny with input as fx.doc(array.concat([fx.identity("example.com", "example.com"), bad], rs))
	fx.resources_of(fs, "SES-004") == {fx.urn(fx.route53_type, "k-bad")}
	fx.says(fs, "SES-004", "cannot verify the DKIM records of example.com")
	named := fx.r53("named", "x._domainkey.example.com", "CNAME", "not-a-list")
	fs2 := identity.deny with input as fx.doc(array.concat([fx.identity("example.com", "example.com"), named], rs))
	fx.resources_of(fs2, "SES-004") == {fx.urn(fx.route53_type, "named")}
	other := fx.r53("other", "x._domainkey.example.org", "CNAME", "not-a-list")
	_dk(array.concat([fx.identity("example.com", "example.com"), other], rs)) == set()
}

# The clean identity the DKIM rules leave out first, and what keeps an identity in their walk.
test_dkim_clean_identity_is_left_out_first if {
	id := fx.identity("example.com", "example.com")
	recs := fx.dkim_records("k", "example.com")
	identity._dkimx_open == [] with input as fx.doc(array.concat([id], recs))
	zone := fx.res("aws:route53/zone:Zone", "z", {"name": "example.com", "zoneId": "Z0123456789"}, [])
	identity._dkimx_open == [] with input as fx.doc(array.concat([id, zone], recs))
	# Two records only; a fourth record of another kind; a known name; a zone of another domain.
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([id], array.slice(recs, 0, 2)))
	txt := fx.r53_dep("t", fx.U, "TXT", [fx.U], [_dk_id])
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([id, txt], recs))
	named := fx.r53_dep("n", "tok._domainkey.example.com", "CNAME", [fx.U], [_dk_id])
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([id, named], array.slice(recs, 0, 2)))
	org := fx.res("aws:route53/zone:Zone", "z", {"name": "example.org", "zoneId": "Z0123456789"}, [])
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([id, org], recs))
	# Not Easy DKIM at 2048 bits with signing on, or not a v2 identity of a known domain.
	every attrs in [
		{"nextSigningKeyLength": "RSA_1024_BIT", "tokens": fx.U},
		{"tokens": fx.U},
		{"nextSigningKeyLength": "RSA_2048_BIT", "tokens": ["a", "b", "c"]},
		{"nextSigningKeyLength": "RSA_2048_BIT", "tokens": fx.U, "domainSigningSelector": "s1"},
		{"nextSigningKeyLength": "RSA_2048_BIT", "tokens": fx.U, "domainSigningPrivateKey": "[secret]"},
	] {
		count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([fx.identity_attrs("example.com", "example.com", attrs)], recs))
	}
	off := object.union(id, {"props": {"dkimSigningEnabled": false}})
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([off], recs))
	count(identity._dkimx_open) == 1 with input as fx.doc(array.concat([fx.identity("example.com", fx.U)], recs))
}

# Easy DKIM by origin (issue 20): three CNAMEs for the tokens, no BYODKIM TXT asked for.
test_dkim_records_origin_aws_ses_with_secret_key_wants_the_cnames if {
	tokens := ["a1", "b2", "c3"]
	attrs := {"tokens": tokens, "signingAttributesOrigin": "AWS_SES", "domainSigningPrivateKey": "[secret]", "domainSigningSelector": ""}
	rs := array.concat([fx.identity_attrs("example.com", "example.com", attrs)], [_dk_cname(t) | some t in tokens])
	_dk(rs) == set()
	_dk([fx.identity_attrs("example.com", "example.com", attrs)]) == {_dk_id}
}
