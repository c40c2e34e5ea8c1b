package lib.dns_test

import data.lib.dns
import data.lib.mail_fixtures_test as fx

_zone := fx.res("aws:route53/zone:Zone", "zone", {"name": "Example.COM.", "zoneId": "ZABC"}, [])

_one(rs, name, type) := r if {
	[r] := [x | some x in dns.at(name, type)] with input as fx.doc(rs)
}

test_route53_fqdn_is_normalized if {
	r := _one([fx.r53("a", "_DMARC.Example.com.", "txt", ["v=DMARC1; p=reject"])], "_dmarc.example.com", "TXT")
	r.values == ["v=DMARC1; p=reject"]
	r.zone == null
}

test_route53_relative_name_completed_from_zone_by_id if {
	rec := fx.res(fx.route53_type, "r", {"zoneId": "ZABC", "name": "_dmarc", "type": "TXT", "records": ["x"]}, [])
	r := _one([_zone, rec], "_dmarc.example.com", "TXT")
	r.zone == "example.com"
}

test_route53_zone_traced_through_dependencies_when_id_unknown if {
	rec := fx.res(fx.route53_type, "r", {"zoneId": fx.U, "name": "mail", "type": "MX", "records": ["10 Feedback-SMTP.us-east-1.amazonses.com."]}, [_zone.urn])
	r := _one([_zone, rec], "mail.example.com", "MX")
	r.values == ["10 feedback-smtp.us-east-1.amazonses.com"]
}

test_name_already_in_zone_and_apex if {
	recs := [
		fx.res(fx.route53_type, "a", {"zoneId": "ZABC", "name": "mail.example.com", "type": "TXT", "records": ["x"]}, []),
		fx.res(fx.route53_type, "b", {"zoneId": "ZABC", "name": "", "type": "TXT", "records": ["y"]}, []),
		fx.res(fx.route53_type, "c", {"zoneId": "ZABC", "name": "example.com", "type": "MX", "records": ["10 mx.example.com"]}, []),
	]
	_one(array.concat([_zone], recs), "mail.example.com", "TXT").resource == fx.urn(fx.route53_type, "a")
	_one(array.concat([_zone], recs), "example.com", "TXT").resource == fx.urn(fx.route53_type, "b")
	_one(array.concat([_zone], recs), "example.com", "MX").resource == fx.urn(fx.route53_type, "c")
}

test_apex_without_zone_stays_as_written if {
	r := _one([fx.cf("a", "@", "TXT", "x", {"zoneId": "nowhere"})], "@", "TXT")
	r.values == ["x"]
}

test_cloudflare_relative_names_content_and_priority if {
	rs := [
		fx.cf_zone("z", "example.com"),
		fx.cf("mx", "mail", "MX", "feedback-smtp.eu-west-1.amazonses.com", {"priority": 10.0}),
		fx.cf("apex", "@", "TXT", "\"v=spf1 \" \"-all\"", {}),
	]
	_one(rs, "mail.example.com", "MX").values == ["10 feedback-smtp.eu-west-1.amazonses.com"]
	_one(rs, "example.com", "TXT").values == ["v=spf1 -all"]
}

test_cloudflare_v4_record_and_zone if {
	z := fx.res("cloudflare:index/zone:Zone", "z", {"zone": "example.org", "id": "cfz"}, [])
	rec := fx.res("cloudflare:index/record:Record", "r", {"zoneId": "cfz", "name": "mail", "type": "MX", "value": "mx.example.org", "priority": 20}, [])
	_one([z, rec], "mail.example.org", "MX").values == ["20 mx.example.org"]
}

test_cloudflare_mx_without_priority_or_with_unknowns if {
	rs := [
		fx.cf("a", "a.example.com", "MX", "mx.example.com", {}),
		fx.cf("b", "b.example.com", "MX", "mx.example.com", {"priority": fx.U}),
		fx.cf("c", "c.example.com", "MX", fx.U, {"priority": 10}),
		fx.cf("d", "d.example.com", "TXT", null, {}),
		fx.cf("e", "e.example.com", "CNAME", "Target.Example.com.", {}),
	]
	_one(rs, "a.example.com", "MX").values == ["mx.example.com"]
	_one(rs, "b.example.com", "MX").values == [fx.U]
	_one(rs, "c.example.com", "MX").values == [fx.U]
	_one(rs, "d.example.com", "TXT").values == []
	_one(rs, "e.example.com", "CNAME").values == ["target.example.com"]
}

test_txt_chunks_are_joined if {
	dns.txt_join(`"v=DMARC1; p=reject;" " pct=100"`) == "v=DMARC1; p=reject; pct=100"
	dns.txt_join(`"say \"hi\" \\o/"`) == `say "hi" \o/`
	dns.txt_join(`v=DKIM1; p=abc""def`) == "v=DKIM1; p=abcdef"
	dns.txt_join("plain") == "plain"
}

test_other_types_and_odd_mx_kept if {
	rs := [
		fx.r53("a", "a.example.com", "A", ["192.0.2.1"]),
		fx.r53("m", "m.example.com", "MX", ["feedback-smtp.us-east-1.amazonses.com", "10 b 3", "x host"]),
		fx.r53("u", "u.example.com", "TXT", fx.U),
		fx.res(fx.route53_type, "n", {"zoneId": "Z", "name": "n.example.com", "records": ["x"]}, []),
	]
	_one(rs, "a.example.com", "A").values == ["192.0.2.1"]
	_one(rs, "m.example.com", "MX").values == ["feedback-smtp.us-east-1.amazonses.com", "10 b 3", "x host"]
	_one(rs, "u.example.com", "TXT").values == [fx.U]
	_one(rs, "n.example.com", "").values == ["x"]
}

test_unknown_names_and_dependency_index if {
	rs := fx.dkim_records("k", "example.com")
	count(dns.unknown_named) == 3 with input as fx.doc(rs)
	count(dns.by_name) == 0 with input as fx.doc(rs)
	count(dns.by_dependency[fx.identity_urn("example.com")]) == 3 with input as fx.doc(rs)
}

test_domainkey_index if {
	rs := [
		fx.r53("a", "abc._domainkey.example.com", "CNAME", ["abc.dkim.amazonses.com"]),
		fx.r53("b", "_domainkey.example.com", "TXT", ["o=~"]),
	]
	{r.resource | some r in dns.domainkey_by_domain["example.com"]} == {fx.urn(fx.route53_type, "a")} with input as fx.doc(rs)
}

test_values_at if {
	rs := [fx.r53("a", "x.example.com", "TXT", ["one", "two"]), fx.r53("b", "x.example.com", "TXT", ["three"])]
	{v.value | some v in dns.values_at("x.example.com", "TXT")} == {"one", "two", "three"} with input as fx.doc(rs)
	dns.values_at("y.example.com", "TXT") == [] with input as fx.doc(rs)
}

test_external_dns_settings if {
	dns.external("example.com") with input as fx.doc_config([], {"ses-sender:dns": "external"})
	dns.external("example.com") with input as object.union(fx.doc_config([], {"acme:dns": "External"}), {"project": "acme"})
	dns.external("example.com") with input as fx.doc_config([], {"sesguard:externalDns": true})
	dns.external("example.com") with input as fx.doc_config([], {"sesguard:externalDns": "true"})
	dns.external("mail.example.com") with input as fx.doc_config([], {"sesguard:externalDns": ["Example.com."]})
	dns.external("example.com") with input as fx.doc_config([], {"sesguard:externalDns": "[\"example.com\"]"})
	not dns.external("example.org") with input as fx.doc_config([], {"sesguard:externalDns": ["example.com"]})
	not dns.external("example.com") with input as fx.doc_config([], {"ses-sender:dns": "route53"})
	not dns.external("example.com") with input as fx.doc([])
}

test_strict_subdomain_is_label_wise if {
	dns.strict_subdomain("mail.example.com", "example.com")
	not dns.strict_subdomain("mailexample.com", "example.com")
	not dns.strict_subdomain("example.com", "example.com")
}

test_record_without_zone_id_has_no_zone if {
	rec := fx.res(fx.route53_type, "r", {"name": "x.example.com", "type": "TXT", "records": ["v"]}, [])
	_one([rec], "x.example.com", "TXT").zone == null
}

# --- fqdn output, relative names, records of the wrong shape --------------------------------------

test_route53_fqdn_output_names_a_record_relative_to_a_looked_up_zone if {
	rec := fx.res(fx.route53_type, "r", {"zoneId": "ZLOOKEDUP", "name": "abc._domainkey", "fqdn": "abc._domainkey.Example.com.", "type": "CNAME", "records": ["abc.dkim.amazonses.com"]}, [])
	_one([rec], "abc._domainkey.example.com", "CNAME").values == ["abc.dkim.amazonses.com"]
}

test_unknown_fqdn_keeps_the_name_as_written if {
	rec := fx.res(fx.route53_type, "r", {"zoneId": "ZLOOKEDUP", "name": "abc._domainkey", "fqdn": fx.U, "type": "CNAME", "records": ["x"]}, [])
	_one([rec], "abc._domainkey", "CNAME").zone == null
}

test_relative_match_completes_with_the_domain_or_a_parent_zone if {
	dns.relative_match({"zone": null, "name": "abc._domainkey"}, "abc._domainkey.example.com", "example.com")
	dns.relative_match({"zone": null, "name": "abc._domainkey.mail"}, "abc._domainkey.mail.example.com", "mail.example.com")
	not dns.relative_match({"zone": null, "name": "abc._domainkey"}, "abc._domainkey.example.com", "other.org")
	not dns.relative_match({"zone": "example.com", "name": "abc._domainkey"}, "abc._domainkey.example.com", "example.com")
	not dns.relative_match({"zone": null, "name": fx.U}, "abc._domainkey.example.com", "example.com")
	not dns.relative_match({"zone": null, "name": "abc._domainkey.example"}, "abc._domainkey.example.com", "example.com")
}

test_records_of_the_wrong_shape_are_set_apart if {
	rs := [
		fx.res(fx.route53_type, "obj", {"zoneId": "Z", "name": "_dmarc.example.com", "type": "TXT", "records": {"0": "v=DMARC1; p=reject"}}, []),
		fx.res(fx.route53_type, "list", {"zoneId": "Z", "name": ["mail.example.com"], "type": "MX", "records": ["10 x"]}, []),
		fx.cf("cf", "mail.example.com", "MX", "feedback-smtp.us-east-1.amazonses.com", {"priority": "10"}),
		fx.r53("ok", "ok.example.com", "TXT", ["fine"]),
	]
	{r.name | some r in dns.records} == {"ok.example.com"} with input as fx.doc(rs)
	{[m.label, m.name] | some m in dns.malformed} == {["obj", "_dmarc.example.com"], ["list", null], ["cf", "mail.example.com"]} with input as fx.doc(rs)
	{m.label | some m in dns.malformed_at("mail.example.com")} == {"list", "cf"} with input as fx.doc(rs)
	[m] := [m | some m in dns.malformed; m.label == "obj"] with input as fx.doc(rs)
	dns.malformed_message(m, "the DMARC policy of example.com") == `cannot verify the DMARC policy of example.com: in DNS record obj, records is an object ({"0":"v=DMARC1; p=reject"}), not an array`
}

# --- the Route53 hot path and the indexes ----------------------------------------------------------

_r53_mix := [
	_zone,
	fx.res(fx.route53_type, "rel", {"zoneId": "ZABC", "name": "Mail", "type": "mx", "records": ["10 MX.example.com."], "priority": 5}, []),
	fx.res(fx.route53_type, "fq", {"zoneId": "ZLOOKEDUP", "name": "abc._domainkey", "fqdn": "abc._domainkey.Example.com.", "type": "CNAME", "records": ["abc.dkim.amazonses.com"]}, []),
	fx.res(fx.route53_type, "unk", {"zoneId": "ZABC", "name": fx.U, "fqdn": fx.U, "type": "CNAME", "records": [fx.U]}, ["urn:x"]),
	fx.res(fx.route53_type, "apex", {"zoneId": "ZABC", "name": "@", "type": "TXT", "records": ["\"v=spf1 \" \"-all\""]}, []),
	fx.res(fx.route53_type, "noname", {"zoneId": "ZABC", "type": "TXT", "records": ["x"]}, []),
	fx.r53("dup", "mail.example.com", "TXT", ["v=spf1 include:amazonses.com ~all"]),
]

# A stack of Route53 records only reads them on the hot path, record for record as the general
# reading does; one record the hot path does not take sends every record to the general reading.
test_hot_path_reads_as_the_general_reading if {
	dns._all_hot with input as fx.doc(_r53_mix)
	dns.records == [dns._record(r) | some r in dns._all] with input as fx.doc(_r53_mix)
	dns.malformed == [] with input as fx.doc(_r53_mix)
	mixed := array.concat(_r53_mix, [fx.cf("cf", "mail.example.com", "MX", "mx.example.com", {"priority": 10})])
	not dns._all_hot with input as fx.doc(mixed)
	{r.name | some r in dns.records} == {"mail.example.com", "abc._domainkey.example.com", fx.U, "example.com"} with input as fx.doc(mixed)
	count(dns.records) == 7 with input as fx.doc(mixed)
}

test_by_name_type_and_txt_by_name_agree_with_at if {
	doc := fx.doc(_r53_mix)
	by_name_type := dns.by_name_type with input as doc
	count(by_name_type) == 3
	from_at := {n: {t: dns.at(n, t) | some t, _ in types} | some n, types in by_name_type} with input as doc
	from_at == by_name_type
	txt := dns.txt_by_name with input as doc
	txt == {n: types.TXT | some n, types in by_name_type; types.TXT}
	domainkey := dns.domainkey_by_domain with input as doc
	domainkey == {"example.com": by_name_type["abc._domainkey.example.com"].CNAME}
}

# The hot path's per-record value reading (one call per record and type) and its name reading
# (plain arguments) give `_record`'s reading for the other cases too: a secret or empty name, a
# name already in the zone, an unknown or secret value of each type, quoted TXT, a decimal MX
# preference, NS and PTR names, a type it does not rewrite, and a record sharing its values list.
_r53_more := [
	_zone,
	fx.res(fx.route53_type, "secret", {"zoneId": "ZABC", "name": "[secret]", "type": "TXT", "records": ["[secret]", fx.U]}, []),
	fx.res(fx.route53_type, "empty", {"zoneId": "ZABC", "name": "", "type": "mx", "records": ["10.0 Mx.Example.com.", fx.U, "[secret]", "bad mx value"]}, []),
	fx.res(fx.route53_type, "inzone", {"zoneId": "ZABC", "name": "Mail.Example.com.", "type": "NS", "records": ["NS1.Example.com.", fx.U]}, []),
	fx.res(fx.route53_type, "ptr", {"zoneId": "ZNONE", "name": " Host.Other.org. ", "type": "ptr", "records": ["Target.Example.com."]}, []),
	fx.res(fx.route53_type, "a", {"zoneId": "ZABC", "name": "www", "type": "A", "records": ["192.0.2.1", fx.U]}, []),
	fx.res(fx.route53_type, "quoted", {"zoneId": "ZABC", "name": "q", "type": "TXT", "records": [" \"a\\\"b\" \"c\" ", "x\"\"y", "[secret]"]}, []),
	fx.res(fx.route53_type, "same", {"zoneId": "ZABC", "name": "q2", "type": "TXT", "records": [" \"a\\\"b\" \"c\" ", "x\"\"y", "[secret]"]}, []),
	fx.res(fx.route53_type, "fqdnempty", {"zoneId": "ZABC", "name": "f", "fqdn": "", "type": "CNAME", "records": ["T.Example.com."]}, []),
	fx.res(fx.route53_type, "fqdnsecret", {"zoneId": "ZABC", "name": "g", "fqdn": "[secret]", "type": "CNAME", "records": []}, []),
]

test_hot_path_reads_as_the_general_reading_in_every_case if {
	dns._all_hot with input as fx.doc(_r53_more)
	dns.records == [dns._record(r) | some r in dns._all] with input as fx.doc(_r53_more)
	dns.malformed == [] with input as fx.doc(_r53_more)
}

# A name, type, zone id or value of another JSON type, or no `records`, is not the hot path's.
test_hot_path_leaves_other_shapes_to_the_general_reading if {
	every props in [
		{"zoneId": "ZABC", "name": null, "type": "TXT", "records": ["x"]},
		{"zoneId": "ZABC", "name": ["a"], "type": "TXT", "records": ["x"]},
		{"zoneId": "ZABC", "name": "a", "type": 5, "records": ["x"]},
		{"zoneId": "ZABC", "name": "a", "type": "TXT", "records": ["x", 5]},
		{"zoneId": "ZABC", "name": "a", "type": "TXT", "records": {"a": "x"}},
		{"zoneId": "ZABC", "name": "a", "type": "TXT"},
		{"zoneId": fx.U, "name": "a", "type": "TXT", "records": ["x"]},
	] {
		not dns._all_hot with input as fx.doc([_zone, fx.res(fx.route53_type, "odd", props, [])])
	}
}
