package ses.request_test

import data.ses.request

good_answers := {
	"listBuilding": "Customers who buy a ticket or create an account confirm their address by double opt-in.",
	"bounceHandling": "Bounce and complaint events go through SNS to an SQS queue and the address is suppressed at once.",
	"optOut": "Customers change notification settings in their profile or delete their account at any time.",
	"volumeRationale": "About 9,000 order messages a day, peaking at four times that on big on-sale days.",
}

good_use_case := concat("\n\n", [
	"We send order confirmations, e-tickets and password resets from example.com, verified in SES with Easy DKIM and a custom MAIL FROM domain.",
	good_answers.listBuilding,
	good_answers.bounceHandling,
	good_answers.optOut,
	good_answers.volumeRationale,
])

good_params := {
	"MailType": "TRANSACTIONAL",
	"WebsiteURL": "https://www.example.com",
	"ContactLanguage": "EN",
	"UseCaseDescription": good_use_case,
	"AdditionalContactEmailAddresses": ["ops@example.com", "security@example.com"],
	"ProductionAccessEnabled": true,
}

no_claims := {"mailType": "TRANSACTIONAL", "bounceHandling": false, "suppression": false, "unsubscribe": false, "alarms": false, "queue": false}

doc_with(params, answers, claims, resources) := {
	"source": "request",
	"project": "ses-sender",
	"config": {"ses-sender:mailType": "TRANSACTIONAL"},
	"resources": resources,
	"request": {"params": params, "answers": answers, "claims": claims, "evidence": {}},
}

msgs(fs, id) := {f.message | some f in fs; f.rule == id}

has(ms, s) if {
	some m in ms
	contains(m, s)
}

complete_msgs(params, answers) := ms if {
	ms := msgs(request.deny, "SES-030") with input as doc_with(params, answers, no_claims, [])
}

with_param(k, v) := object.union(good_params, {k: v})

without_param(k) := object.remove(good_params, {k})

test_complete_request_passes if {
	count(complete_msgs(good_params, good_answers)) == 0
}

test_japanese_marketing_passes if {
	count(complete_msgs(with_param("ContactLanguage", "JA"), good_answers)) == 0
}

test_other_sources_ignored if {
	fs := request.deny with input as object.union(doc_with({}, {}, {}, []), {"source": "program"})
	count(fs) == 0
}

test_mail_type_missing_fails if {
	has(complete_msgs(without_param("MailType"), good_answers), "MailType is missing")
}

test_mail_type_wrong_fails if {
	has(complete_msgs(with_param("MailType", "transactional"), good_answers), `MailType is "transactional"`)
}

test_website_missing_fails if {
	has(complete_msgs(without_param("WebsiteURL"), good_answers), "no WebsiteURL")
}

test_website_http_fails if {
	has(complete_msgs(with_param("WebsiteURL", "http://www.example.com"), good_answers), "is not an https:// URL")
}

test_website_not_a_url_fails if {
	has(complete_msgs(with_param("WebsiteURL", "https://localhost"), good_answers), "is not an https:// URL")
}

test_website_too_long_fails if {
	long := concat("", ["https://www.example.com/", concat("", ["a" | some _ in numbers.range(1, 1000)])])
	has(complete_msgs(with_param("WebsiteURL", long), good_answers), "AWS accepts at most 1000")
}

test_language_fr_fails if {
	has(complete_msgs(with_param("ContactLanguage", "FR"), good_answers), `ContactLanguage is "FR"`)
}

test_language_missing_fails if {
	has(complete_msgs(without_param("ContactLanguage"), good_answers), "ContactLanguage is missing")
}

test_no_contacts_fails if {
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", []), good_answers), "names no contact address")
}

test_five_contacts_fail if {
	five := [sprintf("ops%d@example.com", [i]) | some i in numbers.range(1, 5)]
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", five), good_answers), "5 contact addresses; AWS accepts at most 4")
}

test_invalid_contact_fails if {
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", ["not-an-address"]), good_answers), `contact address "not-an-address" is not a valid address`)
}

test_short_contact_fails if {
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", ["a@b.c"]), good_answers), "is not a valid address of 6 to 254")
}

test_long_contact_fails if {
	local := concat("", ["a" | some _ in numbers.range(1, 250)])
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", [sprintf("%s@example.com", [local])]), good_answers), "is not a valid address")
}

test_duplicate_contact_fails if {
	has(complete_msgs(with_param("AdditionalContactEmailAddresses", ["ops@example.com", "OPS@example.com"]), good_answers), "listed more than once")
}

test_no_use_case_fails if {
	has(complete_msgs(with_param("UseCaseDescription", " "), good_answers), "no use case description")
}

test_use_case_5001_fails if {
	long := concat("", [good_use_case, concat("", ["x" | some _ in numbers.range(1, 5001 - count(good_use_case))])])
	count(long) == 5001
	has(complete_msgs(with_param("UseCaseDescription", long), good_answers), "5001 characters; AWS accepts at most 5000")
}

test_use_case_5000_passes if {
	long := concat("", [good_use_case, concat("", ["x" | some _ in numbers.range(1, 5000 - count(good_use_case))])])
	count(complete_msgs(with_param("UseCaseDescription", long), good_answers)) == 0
}

test_each_missing_answer_fails if {
	every k, _ in good_answers {
		has(complete_msgs(good_params, object.union(good_answers, {k: ""})), sprintf("sesguard:request.%s is empty", [k]))
	}
}

test_absent_answers_fail if {
	count(complete_msgs(good_params, {})) == 4
}

test_off_topic_list_building_fails if {
	has(complete_msgs(good_params, object.union(good_answers, {"listBuilding": "We think about this a great deal every single week."})), "does not address it")
}

test_opt_out_off_topic_fails if {
	has(complete_msgs(good_params, object.union(good_answers, {"optOut": "Our messages are beautifully designed and very friendly to read."})), "how recipients opt out")
}

test_volume_without_numbers_fails if {
	has(complete_msgs(good_params, object.union(good_answers, {"volumeRationale": "We send a moderate amount that grows with the business over time."})), "how the sending rate and volume were chosen")
}

test_bounce_answer_without_complaints_fails if {
	has(complete_msgs(good_params, object.union(good_answers, {"bounceHandling": "Bounces go through SNS to an SQS queue and the address is suppressed at once."})), "does not mention complaints")
}
