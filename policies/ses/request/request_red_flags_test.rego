package ses.request_test

import data.ses.request

flag_msgs(use_case, answers) := ms if {
	ms := msgs(request.deny, "SES-031") with input as doc_with(with_param("UseCaseDescription", use_case), answers, no_claims, [])
}

with_sentence(s) := concat(" ", [good_use_case, s])

test_no_red_flags_pass if {
	count(flag_msgs(good_use_case, good_answers)) == 0
}

test_negated_flags_pass if {
	s := "We never buy, rent or scrape lists. We do not send unsolicited mail. Customers who bought tickets get receipts."
	count(flag_msgs(with_sentence(s), good_answers)) == 0
}

test_purchased_list_fails if {
	has(flag_msgs(with_sentence("We also purchased a list of 20,000 addresses from a vendor."), good_answers), "a purchased, rented or imported list")
}

test_bought_list_case_insensitive_fails if {
	has(flag_msgs(with_sentence("Our BOUGHT CONTACT LISTS are refreshed monthly."), good_answers), "a purchased, rented or imported list")
}

test_list_we_rented_fails if {
	has(flag_msgs(with_sentence("The leads we rented last year convert well."), good_answers), "a list that was bought or rented")
}

test_rented_list_fails if {
	has(flag_msgs(with_sentence("We rent email lists for seasonal campaigns."), good_answers), "a purchased, rented or imported list")
}

test_scraped_fails if {
	has(flag_msgs(with_sentence("Addresses are scraped from public directories."), good_answers), "scraped or harvested")
}

test_harvested_fails if {
	has(flag_msgs(with_sentence("We harvest addresses at trade fairs."), good_answers), "scraped or harvested")
}

test_third_party_list_fails if {
	has(flag_msgs(with_sentence("We mail a third-party list of prospects."), good_answers), "third-party or brokered")
}

test_unsolicited_fails if {
	has(flag_msgs(with_sentence("Some of the mail is unsolicited bulk mail."), good_answers), "unsolicited mail")
}

test_cold_outreach_fails if {
	has(flag_msgs(with_sentence("Sales runs cold outreach to new prospects."), good_answers), "unsolicited mail")
}

test_email_blast_fails if {
	has(flag_msgs(with_sentence("A monthly email blast goes to everyone."), good_answers), "unsolicited mail")
}

test_without_consent_fails if {
	has(flag_msgs(with_sentence("Partners add people without their consent."), good_answers), "unsolicited mail")
}

test_negation_in_other_sentence_does_not_excuse if {
	s := "We never mail inactive users. We purchased lists from a broker."
	has(flag_msgs(with_sentence(s), good_answers), "a purchased, rented or imported list")
}

test_vague_answer_fails if {
	has(flag_msgs(good_use_case, object.union(good_answers, {"optOut": "They can unsubscribe."})), "vague one-liner (3 words)")
}

test_vague_use_case_fails if {
	has(flag_msgs("We send transactional email to our customers.", good_answers), "the use case is only 7 words")
}
