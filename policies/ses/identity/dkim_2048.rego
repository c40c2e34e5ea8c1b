package ses.identity

import data.lib
import data.lib.mail
import data.lib.result
import data.lib.ses

# METADATA
# title: DKIM keys are 2048-bit
# description: |
#   1024-bit RSA keys are considered weak and some receivers discount them; SES signs with
#   RSA_2048_BIT by default for Easy DKIM. A sesv2 EmailIdentity that sets nextSigningKeyLength
#   must set RSA_2048_BIT (left out, AWS's default 2048 applies); a state or live document whose
#   currentSigningKeyLength is still RSA_1024_BIT needs the next key length raised. SES v1
#   DomainDkim offers no key-length setting (AWS picks its default), and a BYODKIM key is the
#   owner's own, so neither is judged here.
# custom:
#   id: SES-003
#   slug: dkim-2048
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Set `dkim_signing_attributes={"next_signing_key_length": "RSA_2048_BIT"}` on the
#     aws.sesv2.EmailIdentity (SES rotates to the new key length within a day).
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dkim_2048_problems

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some i in ses.domain_identities
	d := mail.dkim(i)
	d.mode == "easy"
	i.version == "v2"
	lib.known(d.key_length)
	d.key_length != "RSA_2048_BIT"
	msg := sprintf("%s signs DKIM with nextSigningKeyLength %v; use RSA_2048_BIT", [i.domain, d.key_length])
}

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some i in ses.domain_identities
	d := mail.dkim(i)
	d.mode == "easy"
	i.version == "v2"
	d.key_length != null
	not lib.known(d.key_length)
	msg := sprintf("cannot verify the DKIM key length of %s: nextSigningKeyLength is not known", [i.domain])
}

_dkim_2048_problems contains {"resource": i.resource, "message": msg} if {
	some i in ses.domain_identities
	d := mail.dkim(i)
	d.mode == "easy"
	i.version == "v2"
	d.current_key_length == "RSA_1024_BIT"
	d.key_length == null
	msg := sprintf("%s currently signs with a 1024-bit DKIM key and no RSA_2048_BIT rotation is set", [i.domain])
}
