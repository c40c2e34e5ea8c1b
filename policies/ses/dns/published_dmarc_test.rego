package ses.dns_test

import data.ses.dns

# A document as `sesguard dns` builds it: one record resource per query.
doc(queries, extra) := object.union(
	{
		"source": "dns",
		"config": {},
		"resources": [{
			"urn": sprintf("urn:pulumi:example.com::published-dns::sesguard:dns/record:Record::%s/%s", [q.name, q.type]),
			"type": "sesguard:dns/record:Record",
			"name": sprintf("%s/%s", [q.name, q.type]),
			"props": {"name": q.name, "type": q.type, "records": q.answers, "status": q.status},
		} |
			some q in queries
		],
		"facts": {"dns": object.union(
			{
				"domain": "example.com",
				"mailFrom": "mail.example.com",
				"region": "us-east-1",
				"nameserver": "127.0.0.1:53",
				"dkimTokens": [],
				"queries": queries,
				"spf": [],
			},
			extra,
		)},
	},
	{},
)

q(name, type, status, answers) := {"name": name, "type": type, "status": status, "answers": answers}

dmarc_q(answers) := q("_dmarc.example.com", "TXT", "ok", answers)

msgs(fs, id) := {f.message | some f in fs; f.rule == id}

dmarc_msgs(queries) := ms if {
	ms := msgs(dns.deny, "SES-050") with input as doc(queries, {})
}

has(ms, s) if {
	some m in ms
	contains(m, s)
}

test_dmarc_reject_passes if {
	count(dmarc_msgs([dmarc_q(["v=DMARC1; p=reject; rua=mailto:d@example.com"])])) == 0
}

test_dmarc_with_other_txt_passes if {
	count(dmarc_msgs([dmarc_q(["google-site-verification=x", "v=DMARC1; p=reject; sp=reject; pct=100"])])) == 0
}

test_dmarc_finding_names_the_record if {
	fs := dns.deny with input as doc([dmarc_q(["v=DMARC1; p=none"])], {})
	some f in fs
	f.rule == "SES-050"
	f.resource == "urn:pulumi:example.com::published-dns::sesguard:dns/record:Record::_dmarc.example.com/TXT"
}

test_dmarc_nxdomain_fails if {
	has(dmarc_msgs([q("_dmarc.example.com", "TXT", "nxdomain", [])]), "NXDOMAIN")
}

test_dmarc_nodata_fails if {
	has(dmarc_msgs([q("_dmarc.example.com", "TXT", "nodata", [])]), "NODATA")
}

test_dmarc_servfail_cannot_verify if {
	has(dmarc_msgs([object.union(q("_dmarc.example.com", "TXT", "servfail", []), {"detail": "SERVFAIL"})]), "could not be verified: the query ended in servfail (SERVFAIL)")
}

test_dmarc_timeout_cannot_verify if {
	has(dmarc_msgs([q("_dmarc.example.com", "TXT", "timeout", [])]), "could not be verified")
}

test_dmarc_not_queried_fails if {
	has(dmarc_msgs([]), "was not queried")
}

test_dmarc_only_other_txt_fails if {
	has(dmarc_msgs([dmarc_q(["v=spf1 -all"])]), "none of its TXT records starts with v=DMARC1")
}

test_dmarc_two_records_fail if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; p=reject", "v=DMARC1; p=none"])]), "2 DMARC records")
}

test_dmarc_p_none_fails if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; p=none; rua=mailto:d@example.com"])]), "p=none")
}

test_dmarc_p_quarantine_fails if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; p=quarantine"])]), "p=quarantine")
}

test_dmarc_pct_fails if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; p=reject; pct=50"])]), "pct=50")
}

test_dmarc_weak_sp_fails if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; p=reject; sp=none"])]), "sp=none")
}

test_dmarc_invalid_fails if {
	has(dmarc_msgs([dmarc_q(["v=DMARC1; rua=mailto:d@example.com"])]), "is invalid: it has no p tag")
}

test_dmarc_case_insensitive_names if {
	fs := dns.deny with input as object.union(doc([q("_DMARC.Example.COM.", "txt", "ok", ["v=DMARC1; p=reject"])], {}), {"facts": {"dns": {"domain": "EXAMPLE.com"}}})
	count(msgs(fs, "SES-050")) == 0
}

test_other_sources_ignored if {
	fs := dns.deny with input as object.union(doc([], {}), {"source": "program"})
	count(fs) == 0
}
