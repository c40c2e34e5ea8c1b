package ses.request

import data.lib.result

# METADATA
# title: The production-access request is complete and within AWS's limits
# description: |
#   AWS reviews the request by hand and denies vague or incomplete ones. put_account_details
#   needs a mail type, the sender's website, 1-4 contact addresses and EN or JA; the use case
#   (at most 5,000 characters) must say how the list is built, how bounces and complaints are
#   handled, how recipients opt out and how the rate and volume were chosen. botocore enforces
#   none of these limits (a fifth address, "FR" or 5,001 characters pass its validation).
# custom:
#   id: SES-030
#   slug: request-complete
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Fill in sesguard:request in the stack config: websiteUrl (https://…), contactEmails
#     (1-4 addresses), contactLanguage (EN or JA), expectedDailyVolume, and a few sentences each
#     for listBuilding, bounceHandling, optOut and volumeRationale. Keep them together under
#     5,000 characters.
deny contains result.finding(rego.metadata.rule(), null, msg) if {
	some msg in _incomplete
}

mail_types := {"MARKETING", "TRANSACTIONAL"}

languages := {"EN", "JA"}

_incomplete contains sprintf("MailType is %v; it must be MARKETING or TRANSACTIONAL", [_show(object.get(params, "MailType", null))]) if {
	req
	not object.get(params, "MailType", null) in mail_types
}

_incomplete contains "the request has no WebsiteURL: AWS reviews the website the mail comes from" if {
	req
	not is_string(object.get(params, "WebsiteURL", null))
}

_incomplete contains sprintf("WebsiteURL %q is not an https:// URL of a website", [params.WebsiteURL]) if {
	is_string(params.WebsiteURL)
	not regex.match(`^https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,63}(:[0-9]{1,5})?([/?#]\S*)?$`, params.WebsiteURL)
}

_incomplete contains sprintf("WebsiteURL is %d characters; AWS accepts at most 1000", [count(params.WebsiteURL)]) if {
	is_string(params.WebsiteURL)
	count(params.WebsiteURL) > 1000
}

_incomplete contains sprintf("ContactLanguage is %v; AWS accepts EN or JA", [_show(object.get(params, "ContactLanguage", null))]) if {
	req
	not object.get(params, "ContactLanguage", null) in languages
}

_contacts := params.AdditionalContactEmailAddresses if is_array(params.AdditionalContactEmailAddresses)

else := []

_incomplete contains "the request names no contact address (AdditionalContactEmailAddresses): AWS needs 1 to 4" if {
	req
	count(_contacts) == 0
}

_incomplete contains sprintf("the request names %d contact addresses; AWS accepts at most 4", [count(_contacts)]) if {
	count(_contacts) > 4
}

_incomplete contains sprintf("contact address %v is not a valid address of 6 to 254 characters", [_show(c)]) if {
	some c in _contacts
	not _valid_address(c)
}

_incomplete contains sprintf("contact address %s is listed more than once", [c]) if {
	some i, c in _contacts
	some j, d in _contacts
	i < j
	is_string(c)
	lower(c) == lower(d)
}

_valid_address(c) if {
	is_string(c)
	count(c) >= 6
	count(c) <= 254
	regex.match(`^[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`, c)
}

_incomplete contains "the request has no use case description" if {
	req
	trim_space(use_case) == ""
}

_incomplete contains sprintf("the use case is %d characters; AWS accepts at most 5000", [count(use_case)]) if {
	count(use_case) > 5000
}

_incomplete contains sprintf("the use case does not say %s (sesguard:request.%s is empty)", [q, k]) if {
	req
	some k, q in questions
	answer(k) == ""
}

# An answer that does not touch its question: it is there, but it answers something else.
_topics := {
	"listBuilding": `(?i)opt[- ]?in|sign(s|ed|ing)?[- ]?up|subscri|regist|account|customer|checkout|order|purchas|consent|request|staff|employee|member|user|join`,
	"optOut": `(?i)unsubscri|opt[- ]?out|preference|remov|stop|leave|delete|setting|withdraw`,
	"volumeRationale": `[0-9]`,
}

_incomplete contains sprintf("the answer to %s (sesguard:request.%s) does not address it: %q", [questions[k], k, answer(k)]) if {
	some k, pattern in _topics
	answer(k) != ""
	not regex.match(pattern, answer(k))
}

_incomplete contains sprintf("the answer to %s does not mention %s (sesguard:request.bounceHandling)", [questions.bounceHandling, what]) if {
	a := answer("bounceHandling")
	a != ""
	some [what, pattern] in [["bounces", `(?i)\bbounc`], ["complaints", `(?i)\bcomplain`]]
	not regex.match(pattern, a)
}

_show(x) := sprintf("%q", [x]) if is_string(x)

else := "missing" if x == null

else := sprintf("%v", [x])
