package ses.dns

import data.lib.dns
import data.lib.result

# METADATA
# title: The three Easy DKIM CNAMEs are published
# description: |
#   SES signs with Easy DKIM only once receivers can find the keys: each of the identity's three
#   tokens needs `<token>._domainkey.<domain>` CNAME `<token>.dkim.amazonses.com`. Without them
#   the identity stays unverified and mail is unsigned or not sent at all.
# custom:
#   id: SES-051
#   slug: published-dkim
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Publish, for each of the three tokens SES shows for the identity
#     (`aws sesv2 get-email-identity --email-identity <domain>` → DkimAttributes.Tokens),
#     `<token>._domainkey.<domain>. CNAME <token>.dkim.amazonses.com.` Give the tokens to
#     `sesguard dns` with --dkim-token (three times) or --stack so they can be checked.
deny contains result.finding(rego.metadata.rule(), r, msg) if {
	some [r, msg] in _dkim_problems
}

_tokens := [lower(t) | some t in object.get(facts, "dkimTokens", [])]

_dkim_problems contains [null, sprintf("no DKIM tokens were given for %s, so its DKIM CNAMEs could not be verified: give --dkim-token (three times) or --stack", [domain])] if {
	facts
	count(_tokens) == 0
}

_dkim_problems contains [null, sprintf("only %d of the three Easy DKIM tokens of %s were given; the others could not be verified", [count(_tokens), domain])] if {
	count(_tokens) > 0
	count(_tokens) < 3
}

_dkim_name(t) := concat(".", [t, "_domainkey", domain])

_dkim_target(t) := concat(".", [t, "dkim.amazonses.com"])

_dkim_problems contains [null, sprintf("%s CNAME was not queried: it could not be verified", [_dkim_name(t)])] if {
	some t in _tokens
	query_at(_dkim_name(t), "CNAME") == null
}

_dkim_problems contains [resource_at(_dkim_name(t), "CNAME"), sprintf("no DKIM CNAME is published at %s: %s", [_dkim_name(t), absent[q.status]])] if {
	some t in _tokens
	q := query_at(_dkim_name(t), "CNAME")
	absent[q.status]
}

_dkim_problems contains [resource_at(_dkim_name(t), "CNAME"), sprintf("the DKIM CNAME at %s could not be verified: the query ended in %s", [_dkim_name(t), why(q)])] if {
	some t in _tokens
	q := query_at(_dkim_name(t), "CNAME")
	unverifiable(q)
}

_dkim_problems contains [resource_at(_dkim_name(t), "CNAME"), sprintf("the DKIM CNAME at %s points to %s, not %s", [_dkim_name(t), concat(", ", q.answers), _dkim_target(t)])] if {
	some t in _tokens
	q := query_at(_dkim_name(t), "CNAME")
	q.status == "ok"
	{dns.normalize(a) | some a in q.answers} != {_dkim_target(t)}
}
