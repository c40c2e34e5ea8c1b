# Stack-document builders shared by the DKIM, DMARC, SPF and MAIL FROM rule tests.
package lib.mail_fixtures_test

U := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

urn(type, name) := sprintf("urn:pulumi:prod::p::%s::%s", [type, name])

res(type, name, props, deps) := {
	"urn": urn(type, name),
	"type": type,
	"name": name,
	"props": props,
	"parent": null,
	"dependencies": deps,
}

identity_type := "aws:sesv2/emailIdentity:EmailIdentity"

# An sesv2 identity as preview sees it: Easy DKIM with unknown tokens.
identity(name, domain) := res(
	identity_type, name,
	{"emailIdentity": domain, "dkimSigningAttributes": {"nextSigningKeyLength": "RSA_2048_BIT", "tokens": U}},
	[],
)

identity_attrs(name, domain, attrs) := res(identity_type, name, {"emailIdentity": domain, "dkimSigningAttributes": attrs}, [])

identity_urn(name) := urn(identity_type, name)

v1_identity(name, domain) := res("aws:ses/domainIdentity:DomainIdentity", name, {"domain": domain}, [])

v1_dkim(name, domain, tokens) := res("aws:ses/domainDkim:DomainDkim", name, {"domain": domain, "dkimTokens": tokens}, [])

mail_from(name, domain, mfd, behavior) := res(
	"aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", name,
	{"emailIdentity": domain, "mailFromDomain": mfd, "behaviorOnMxFailure": behavior},
	[],
)

v1_mail_from(name, domain, mfd, behavior) := res(
	"aws:ses/mailFrom:MailFrom", name,
	{"domain": domain, "mailFromDomain": mfd, "behaviorOnMxFailure": behavior},
	[],
)

route53_type := "aws:route53/record:Record"

r53(name, rname, type, records) := res(route53_type, name, {"zoneId": "Z0123456789", "name": rname, "type": type, "ttl": 3600, "records": records}, [])

r53_dep(name, rname, type, records, deps) := res(
	route53_type, name,
	{"zoneId": "Z0123456789", "name": rname, "type": type, "ttl": 1800, "records": records},
	deps,
)

cf(name, rname, type, content, extra) := res(
	"cloudflare:index/dnsRecord:DnsRecord", name,
	object.union({"zoneId": "cf-zone-1", "name": rname, "type": type, "ttl": 1, "content": content}, extra),
	[],
)

cf_zone(name, domain) := res("cloudflare:index/zone:Zone", name, {"name": domain, "id": "cf-zone-1"}, [])

# The three DKIM CNAMEs as a preview shows them: names and values unknown, built from the identity.
dkim_records(prefix, identity_name) := [r53_dep(sprintf("%s-%d", [prefix, i]), U, "CNAME", [U], [identity_urn(identity_name)]) | some i in numbers.range(0, 2)]

dmarc_ok := "v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc@example.com"

spf_ok := "v=spf1 include:amazonses.com ~all"

mx_ok := "10 feedback-smtp.us-east-1.amazonses.com"

# Everything a compliant sender declares for one domain, Route53 flavour.
sender(domain) := array.concat(
	[
		identity(domain, domain),
		mail_from(sprintf("%s-mf", [domain]), domain, sprintf("mail.%s", [domain]), "REJECT_MESSAGE"),
		r53(sprintf("%s-dmarc", [domain]), sprintf("_dmarc.%s", [domain]), "TXT", [dmarc_ok]),
		r53(sprintf("%s-mx", [domain]), sprintf("mail.%s", [domain]), "MX", [mx_ok]),
		r53(sprintf("%s-spf", [domain]), sprintf("mail.%s", [domain]), "TXT", [spf_ok]),
	],
	dkim_records(sprintf("%s-dkim", [domain]), domain),
)

# The sender without the resources named in drop, plus extra ones.
sender_with(domain, drop, extra) := array.concat([r | some r in sender(domain); not r.name in drop], extra)

doc(resources) := {"project": "p", "stack": "prod", "region": "us-east-1", "config": {}, "resources": resources}

doc_config(resources, config) := object.union(doc(resources), {"config": config})

# Findings of one rule: resource URNs, and messages.
resources_of(fs, id) := {f.resource | some f in fs; f.rule == id}

messages_of(fs, id) := {f.message | some f in fs; f.rule == id}

# True when some finding of the rule has a message containing the text.
says(fs, id, text) if {
	some f in fs
	f.rule == id
	contains(f.message, text)
}
