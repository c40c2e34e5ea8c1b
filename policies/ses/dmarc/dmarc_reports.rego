package ses.dmarc

import data.lib
import data.lib.dmarc
import data.lib.result
import data.lib.ses

# METADATA
# title: DMARC aggregate reports are requested
# description: |
#   Aggregate reports (`rua=mailto:`) are how a sender sees who sends as the domain and whether
#   SES mail passes SPF and DKIM alignment; without them a p=reject policy fails silently.
#   Judged on the one valid DMARC record that governs each domain identity; a missing, duplicate,
#   invalid or unknown record is SES-005's finding.
# custom:
#   id: SES-006
#   slug: dmarc-reports
#   severity: low
#   enforcement: advisory
#   remediation: |
#     Add `rua=mailto:dmarc-reports@example.com` to the DMARC record (an address outside the
#     domain must publish `<domain>._report._dmarc.<its domain>`, RFC 7489 §7.1).
deny contains result.finding(rego.metadata.rule(), p.record.resource, msg) if {
	some i in ses.domain_identities
	lib.known(i.domain)
	p := dmarc.policy(i.domain)
	not dmarc.has_mailto(p.tags, "rua")
	msg := sprintf("the DMARC record at %s names no rua=mailto: address for aggregate reports", [p.name])
}
