package ses.live

import data.lib.result

# METADATA
# title: Live identities are verified, DKIM-signed and have a working MAIL FROM
# description: |
#   A declared identity is only a request: SES sends from it once the domain is verified, Easy
#   DKIM reports SUCCESS (the three CNAMEs resolve) and the custom MAIL FROM's MX is found. An
#   identity stuck in PENDING or FAILED sends nothing — or, for MAIL FROM, falls back to or rejects
#   at amazonses.com, breaking SPF alignment. Applies only to a live account (`sesguard audit`).
# custom:
#   id: SES-040
#   slug: identity-verified
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Publish the records the identity needs (`pulumi stack output dnsRecords`, or the Route 53
#     records the stack declares) and check them with `sesguard dns DOMAIN`: the three
#     `<token>._domainkey` CNAMEs for DKIM, and the MAIL FROM MX
#     `10 feedback-smtp.<region>.amazonses.com` with its SPF TXT. SES re-checks within 72 hours;
#     a FAILED identity must be re-verified (`aws sesv2 put-email-identity-dkim-attributes`).
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _identity_verified_problems

_identity_verified_problems contains {"resource": urn_of_identity(name), "message": msg} if {
	live
	some name, f in _facts.identities
	problems := _identity_problems(f)
	count(problems) > 0
	msg := sprintf("identity %s cannot send as declared: %s", [name, concat("; ", sort(problems))])
}

_identity_verified_problems contains {"resource": null, "message": msg} if {
	live
	not _is_object_fact("identities")
	msg := "the live document carries no identity facts: whether identities are verified could not be checked"
}

_identity_verified_problems contains {"resource": null, "message": msg} if {
	live
	is_object(_facts.identities)
	count(_facts.identities) == 0
	msg := sprintf("the account has no SES identity in %v: nothing can send from this region", [input.region])
}

_identity_problems(f) := {"its attributes could not be read"} if not is_object(f)

_identity_problems(f) := {"its attributes could not be read"} if {
	is_object(f)
	f.read == false
}

_identity_problems(f) := _checks(f) if {
	is_object(f)
	object.get(f, "read", true) != false
}

_checks(f) := {m | object.get(f, "verifiedForSendingStatus", false) != true; m := "it is not verified for sending"} | {m |
	_is_domain(f)
	object.get(f, "dkimStatus", null) != "SUCCESS"
	m := sprintf("DKIM status is %v, not SUCCESS", [object.get(f, "dkimStatus", null)])
} | {m |
	_is_domain(f)
	object.get(f, "dkimSigningEnabled", null) == false
	m := "DKIM signing is turned off"
} | {m |
	is_string(f.mailFromDomain)
	f.mailFromDomain != ""
	status := object.get(f, "mailFromStatus", null)
	status != "SUCCESS"
	m := sprintf("MAIL FROM %v status is %v, not SUCCESS", [f.mailFromDomain, status])
}

# DKIM signs for a domain; an address identity is signed through its domain's identity.
_is_domain(f) if object.get(f, "identityType", "DOMAIN") != "EMAIL_ADDRESS"
