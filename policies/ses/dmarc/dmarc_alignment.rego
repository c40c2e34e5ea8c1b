package ses.dmarc

import data.lib
import data.lib.dmarc
import data.lib.dns
import data.lib.mail
import data.lib.result
import data.lib.ses

# METADATA
# title: DMARC SPF alignment is relaxed while MAIL FROM is a subdomain
# description: |
#   SES's custom MAIL FROM is a subdomain of the identity (mail.example.com). With strict SPF
#   alignment (`aspf=s`) the MAIL FROM domain must equal the From domain exactly, so SPF never
#   aligns and DMARC rests on DKIM alone. Relaxed alignment (the default) lets SPF count.
# custom:
#   id: SES-007
#   slug: dmarc-alignment
#   severity: low
#   enforcement: advisory
#   remediation: |
#     Drop `aspf=s` from the DMARC record (relaxed, `aspf=r`, is the default).
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dmarc_alignment_problems

_strict_spf contains [i, p] if {
	some i in ses.domain_identities
	lib.known(i.domain)
	p := dmarc.policy(i.domain)
	object.get(p.tags, "aspf", "r") == "s"
}

_dmarc_alignment_problems contains {"resource": p.record.resource, "message": msg} if {
	some [i, p] in _strict_spf
	some m in object.get(mail.mail_from_by_domain, i.domain, set())
	dns.strict_subdomain(m.mail_from_domain, i.domain)
	msg := sprintf(
		"%s sets aspf=s while %s sends with MAIL FROM %s, a subdomain: SPF will never align",
		[p.name, i.domain, m.mail_from_domain],
	)
}

_dmarc_alignment_problems contains {"resource": p.record.resource, "message": msg} if {
	some [i, p] in _strict_spf
	some m in object.get(mail.mail_from_by_domain, i.domain, set())
	not lib.known(m.mail_from_domain)
	msg := sprintf("cannot verify SPF alignment of %s: %s sets aspf=s and the MAIL FROM domain is not known", [i.domain, p.name])
}
