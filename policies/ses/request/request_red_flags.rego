package ses.request

import data.lib.result

# METADATA
# title: The production-access request raises no red flags
# description: |
#   AWS denies requests that describe mail to purchased, rented, scraped or harvested lists,
#   unsolicited bulk mail, or that answer its questions with a vague line. A red-flag phrase in
#   a sentence that negates it ("we never buy or rent lists") is not a flag.
# custom:
#   id: SES-031
#   slug: request-red-flags
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Send only to people who asked for the mail, and say how (sign-up, double opt-in, a
#     purchase). Stop using any bought, rented, scraped or third-party list before asking for
#     production access. Answer each of AWS's questions with specifics: numbers, mechanisms and
#     time frames, in a few sentences.
deny contains result.finding(rego.metadata.rule(), null, msg) if {
	some msg in _red_flags
}

_list_words := `(e-?mail |mailing |contact |marketing )?(lists?|addresses|contacts|leads|databases?|data ?sets?)`

# Each flag is a case-insensitive word pattern; RE2 has no look-behind, so negation is checked
# on the sentence around the match instead.
flags := {
	"a purchased, rented or imported list": concat("", [`\b(buy|buys|buying|bought|purchas(e|es|ed|ing)|rent(s|ed|ing)?|acquir(e|es|ed|ing)|import(s|ed|ing)?)\b(\s+\S+){0,3}?\s+`, _list_words, `\b`]),
	"a list that was bought or rented": concat("", [`\b`, _list_words, `\b\s+(that\s+|which\s+)?(we\s+)?(have\s+)?(bought|purchased|rented|acquired)\b`]),
	"scraped or harvested addresses": `\b(scrap(e|es|ed|ing)|harvest(s|ed|ing)?|crawl(s|ed|ing)?)\b`,
	"third-party or brokered lists": `\b(third[- ]party|partner|broker(ed)?)\s+(e-?mail\s+)?(lists?|data|contacts|leads|addresses)\b|\blist\s+(broker|rental|vendor)s?\b|\bco-?registration\b`,
	"unsolicited mail": `\bunsolicited\b|\bcold\s+(e-?mail|e-?mails|emailing|outreach|prospect(s|ing)?)\b|\b(e-?mail|mass)\s+blasts?\b|\bmass\s+(e-?mail|e-?mailing|mailing)s?\b|\bwithout\s+(their\s+|prior\s+)?(consent|permission)\b`,
}

_negation := `\b(never|not|no|nor|neither|don't|do not|doesn't|does not|won't|will not|cannot|can't)\b`

# Sentences, lower-cased: split on sentence ends and line breaks, kept only when not empty.
_sentences := [s | some p in regex.split(`[.!?;\n]+\s*`, lower(use_case)); s := trim_space(p); s != ""]

_red_flags contains sprintf("the use case mentions %s: %q", [what, s]) if {
	some what, pattern in flags
	some s in _sentences
	regex.match(pattern, s)
	not regex.match(concat("", [_negation, `.*(?:`, pattern, `)`]), s)
}

# Vague one-liners: an answer of a few words tells the reviewer nothing.
min_words := 8

_red_flags contains sprintf("the answer to %s is a vague one-liner (%d words): %q", [questions[k], words(answer(k)), answer(k)]) if {
	some k, _ in questions
	answer(k) != ""
	words(answer(k)) < min_words
}

_red_flags contains sprintf("the use case is only %d words; AWS asks for a specific description of the mail and its recipients", [words(use_case)]) if {
	use_case != ""
	words(use_case) < 40
}
