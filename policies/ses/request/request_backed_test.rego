package ses.request_test

import data.ses.request

all_claims := {"mailType": "TRANSACTIONAL", "bounceHandling": true, "suppression": true, "unsubscribe": true, "alarms": true, "queue": true}

res(name, type, props) := {"urn": sprintf("urn:pulumi:s::p::%s::%s", [type, name]), "type": type, "name": name, "props": props}

destination := res("ed", "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", {
	"configurationSetName": "cs",
	"eventDestinationName": "feedback",
	"eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": "arn:aws:sns:us-east-1:1:t"}},
})

suppression := res("sup", "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes", {"suppressedReasons": ["BOUNCE", "COMPLAINT"]})

contact_list := res("cl", "aws:sesv2/contactList:ContactList", {"contactListName": "news", "topics": [{"topicName": "weekly"}]})

queue := res("q", "aws:sqs/queue:Queue", {"name": "feedback"})

alarm(metric) := res(metric, "aws:cloudwatch/metricAlarm:MetricAlarm", {"namespace": "AWS/SES", "metricName": metric, "threshold": 0.01, "statistic": "Average", "comparisonOperator": "GreaterThanOrEqualToThreshold", "alarmActions": ["arn:aws:sns:us-east-1:1:a"]})

everything := [destination, suppression, contact_list, queue, alarm("Reputation.BounceRate"), alarm("Reputation.ComplaintRate")]

backed_msgs(params, claims, resources) := ms if {
	ms := msgs(request.deny, "SES-032") with input as doc_with(params, good_answers, claims, resources)
}

without(resources, name) := [r | some r in resources; r.name != name]

test_all_claims_backed_pass if {
	count(backed_msgs(good_params, all_claims, everything)) == 0
}

test_no_claims_nothing_needed if {
	count(backed_msgs(good_params, no_claims, [])) == 0
}

test_v1_notification_topics_back_bounce_handling if {
	topics := [res(t, "aws:ses/identityNotificationTopic:IdentityNotificationTopic", {"identity": "example.com", "notificationType": t, "topicArn": "arn:t"}) | some t in ["Bounce", "Complaint"]]
	count(backed_msgs(good_params, object.union(no_claims, {"bounceHandling": true}), topics)) == 0
}

test_mail_type_differs_fails if {
	has(backed_msgs(with_param("MailType", "MARKETING"), all_claims, everything), "MailType is MARKETING but the stack declares mailType TRANSACTIONAL")
}

# The mail type in any project: `sesguard:mailType`, or `<project>:mailType`.
mail_type_doc(config, project, mail_type) := object.union(
	object.remove(doc_with(with_param("MailType", mail_type), good_answers, object.union(all_claims, {"mailType": mail_type}), everything), ["config"]),
	{"config": config, "project": project},
)

test_mail_type_from_the_generic_key_matches if {
	not has(msgs(request.deny, "SES-032"), "MailType") with input as mail_type_doc({"sesguard:mailType": "MARKETING"}, "newsletter", "MARKETING")
}

test_mail_type_from_the_generic_key_differs_fails if {
	has(msgs(request.deny, "SES-032"), "MailType is TRANSACTIONAL but the stack declares mailType MARKETING") with input as mail_type_doc({"sesguard:mailType": "MARKETING"}, "newsletter", "TRANSACTIONAL")
}

test_mail_type_from_the_project_key_matches if {
	not has(msgs(request.deny, "SES-032"), "MailType") with input as mail_type_doc({"newsletter:mailType": "MARKETING"}, "newsletter", "MARKETING")
}

test_mail_type_from_the_project_key_differs_fails if {
	has(msgs(request.deny, "SES-032"), "MailType is TRANSACTIONAL but the stack declares mailType MARKETING") with input as mail_type_doc({"newsletter:mailType": "MARKETING"}, "newsletter", "TRANSACTIONAL")
}

test_bounce_claim_without_destination_fails if {
	has(backed_msgs(good_params, all_claims, without(everything, "ed")), "no enabled event destination")
}

test_bounce_claim_with_disabled_destination_fails if {
	off := json.patch(destination, [{"op": "replace", "path": "/props/eventDestination/enabled", "value": false}])
	has(backed_msgs(good_params, all_claims, array.concat(without(everything, "ed"), [off])), "no enabled event destination")
}

test_bounce_claim_with_bounce_only_destination_fails if {
	bounce_only := json.patch(destination, [{"op": "replace", "path": "/props/eventDestination/matchingEventTypes", "value": ["BOUNCE"]}])
	has(backed_msgs(good_params, all_claims, array.concat(without(everything, "ed"), [bounce_only])), "no enabled event destination")
}

test_suppression_claim_without_suppression_fails if {
	has(backed_msgs(good_params, all_claims, without(everything, "sup")), "no account suppression")
}

test_suppression_claim_bounce_only_fails if {
	partial := json.patch(suppression, [{"op": "replace", "path": "/props/suppressedReasons", "value": ["BOUNCE"]}])
	has(backed_msgs(good_params, all_claims, array.concat(without(everything, "sup"), [partial])), "no account suppression")
}

test_unsubscribe_claim_without_contact_list_fails if {
	has(backed_msgs(good_params, all_claims, without(everything, "cl")), "no SES contact list")
}

test_marketing_without_contact_list_fails if {
	params := with_param("MailType", "MARKETING")
	d := object.union(doc_with(params, good_answers, object.union(no_claims, {"mailType": "MARKETING"}), []), {"config": {"ses-sender:mailType": "MARKETING"}})
	has(msgs(request.deny, "SES-032"), "MARKETING mail, but the stack declares no SES contact list") with input as d
}

test_contact_list_without_topics_fails if {
	empty := json.patch(contact_list, [{"op": "replace", "path": "/props/topics", "value": []}])
	has(backed_msgs(good_params, all_claims, array.concat(without(everything, "cl"), [empty])), "no SES contact list")
}

test_alarm_claim_without_alarm_fails if {
	has(backed_msgs(good_params, all_claims, without(everything, "Reputation.ComplaintRate")), "no CloudWatch alarm on AWS/SES Reputation.ComplaintRate")
}

test_queue_claim_without_queue_fails if {
	has(backed_msgs(good_params, all_claims, without(everything, "q")), "no SQS queue")
}

test_evidence_quoted if {
	d := json.patch(doc_with(good_params, good_answers, all_claims, without(everything, "q")), [{"op": "replace", "path": "/request/evidence", "value": {"queue": "Events go to an SQS queue."}}])
	has(msgs(request.deny, "SES-032"), `mentions a queue ("Events go to an SQS queue.")`) with input as d
}
