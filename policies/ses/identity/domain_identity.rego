package ses.identity

import data.lib.result
import data.lib.ses

# METADATA
# title: Every sending domain has a domain identity
# description: |
#   SES grants production access to senders that own their domain. An address identity alone
#   cannot carry DKIM, a custom MAIL FROM or DMARC alignment, so every domain the stack sends
#   from must be verified as a domain identity.
# custom:
#   id: SES-001
#   slug: domain-identity
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare an aws.sesv2.EmailIdentity whose emailIdentity is the domain (not an address),
#     e.g. `aws.sesv2.EmailIdentity("identity", email_identity="example.com")`.
deny contains result.finding(rego.metadata.rule(), a.resource, msg) if {
	some a in ses.address_identities
	not a.domain in ses.domains
	msg := sprintf("%s is an address identity, but its domain %s has no domain identity in this stack", [a.address, a.domain])
}
