package ses.marketing_test

import data.lib.sesfix_test as fx
import data.ses.marketing

_t := "aws:sesv2/contactList:ContactList"

_list(topics) := fx.res(_t, "list", {"contactListName": "newsletter", "topics": topics}, [])

_topic := {"topicName": "news", "displayName": "News", "defaultSubscriptionStatus": "OPT_OUT"}

_deny(extra, config) := fs if {
	fs := marketing.deny with input as fx.stack_config(array.concat(fx.sender, extra), config)
}

_marketing := {"ses-sender:mailType": "MARKETING"}

test_ses025_marketing_with_list if count(_deny([_list([_topic])], _marketing)) == 0

test_ses025_marketing_without_list if {
	fs := _deny([], _marketing)
	fx.of(fs, "SES-025") == {""}
}

test_ses025_generic_key_lower_case if fx.of(_deny([], {"sesguard:mailType": "marketing"}), "SES-025") == {""}

test_ses025_project_key if {
	fs := marketing.deny with input as object.union(fx.stack_config(fx.sender, {"news:mailType": "MARKETING"}), {"project": "news"})
	fx.of(fs, "SES-025") == {""}
}

test_ses025_list_without_topics if {
	fs := _deny([_list([])], _marketing)
	fx.of(fs, "SES-025") == {fx.urn(_t, "list")}
	some m in fx.msgs(fs, "SES-025")
	contains(m, "has no topic")
}

test_ses025_list_topics_absent if {
	r := fx.res(_t, "list", {"contactListName": "newsletter"}, [])
	fx.of(_deny([r], _marketing), "SES-025") == {fx.urn(_t, "list")}
}

test_ses025_list_topics_unknown if {
	fs := _deny([_list(fx.U)], _marketing)
	some m in fx.msgs(fs, "SES-025")
	contains(m, "cannot verify")
}

test_ses025_transactional_without_list if count(_deny([], {"ses-sender:mailType": "TRANSACTIONAL"})) == 0

test_ses025_no_mail_type_without_list if count(_deny([], {})) == 0
