package ses.dns_test

import data.ses.dns

tokens := ["aaaa", "bbbb", "cccc"]

dkim_q(t, status, answers) := q(sprintf("%s._domainkey.example.com", [t]), "CNAME", status, answers)

good_dkim := [dkim_q(t, "ok", [sprintf("%s.dkim.amazonses.com", [t])]) | some t in tokens]

dkim_msgs(queries, toks) := ms if {
	ms := msgs(dns.deny, "SES-051") with input as doc(queries, {"dkimTokens": toks})
}

test_dkim_three_cnames_pass if {
	count(dkim_msgs(good_dkim, tokens)) == 0
}

test_dkim_upper_case_token_passes if {
	count(dkim_msgs(good_dkim, ["AAAA", "bbbb", "cccc"])) == 0
}

test_dkim_no_tokens_cannot_verify if {
	has(dkim_msgs([], []), "no DKIM tokens were given")
}

test_dkim_two_tokens_fail if {
	has(dkim_msgs(array.slice(good_dkim, 0, 2), ["aaaa", "bbbb"]), "only 2 of the three")
}

test_dkim_missing_cname_fails if {
	queries := [good_dkim[0], good_dkim[1], dkim_q("cccc", "nxdomain", [])]
	ms := dkim_msgs(queries, tokens)
	ms == {"no DKIM CNAME is published at cccc._domainkey.example.com: the name does not exist (NXDOMAIN)"}
}

test_dkim_wrong_target_fails if {
	queries := [good_dkim[0], good_dkim[1], dkim_q("cccc", "ok", ["cccc.dkim.example.net"])]
	has(dkim_msgs(queries, tokens), "points to cccc.dkim.example.net")
}

test_dkim_other_tokens_target_fails if {
	queries := [good_dkim[0], good_dkim[1], dkim_q("cccc", "ok", ["aaaa.dkim.amazonses.com"])]
	has(dkim_msgs(queries, tokens), "not cccc.dkim.amazonses.com")
}

test_dkim_servfail_cannot_verify if {
	queries := [good_dkim[0], good_dkim[1], dkim_q("cccc", "servfail", [])]
	has(dkim_msgs(queries, tokens), "could not be verified")
}

test_dkim_not_queried_fails if {
	has(dkim_msgs(array.slice(good_dkim, 0, 2), tokens), "cccc._domainkey.example.com CNAME was not queried")
}
