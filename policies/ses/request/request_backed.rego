package ses.request

import data.lib.alarms
import data.lib.result
import data.lib.sending
import data.lib.ses

# METADATA
# title: What the request claims, the stack declares
# description: |
#   A request that promises bounce handling, a suppression list, alarms or one-click unsubscribe
#   the stack does not have is a promise AWS may check later, when a complaint spike puts the
#   account under review. Every claim in the use case must be backed by a declared resource, and
#   the mail type must be the stack's.
# custom:
#   id: SES-032
#   slug: request-backed
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare what the request says (configuration set event destinations for BOUNCE and
#     COMPLAINT to a subscribed topic, aws.sesv2.AccountSuppressionAttributes with BOUNCE and
#     COMPLAINT, CloudWatch alarms on Reputation.BounceRate and Reputation.ComplaintRate, an
#     SQS queue, an aws.sesv2.ContactList with topics for marketing mail), or correct the
#     answers in the stack's sesguard:request (or <project>:request) so the request says only
#     what is true.
deny contains result.finding(rego.metadata.rule(), null, msg) if {
	some msg in _unbacked
}

# The stack's mail type as every rule reads it: `<project>:mailType`, `ses-sender:mailType` or
# `sesguard:mailType` (lib.sending.setting); TRANSACTIONAL when none is set.
_config_mail_type := t if {
	t := sending.setting("mailType")
	t != null
} else := "TRANSACTIONAL"

_unbacked contains sprintf("the request's MailType is %v but the stack declares mailType %v", [params.MailType, _config_mail_type]) if {
	req
	params.MailType != _config_mail_type
}

_said(k) := sprintf(" (%q)", [evidence[k]]) if is_string(evidence[k])

else := ""

_unbacked contains sprintf("the use case says bounces and complaints are handled%s, but no enabled event destination sends BOUNCE and COMPLAINT events anywhere", [_said("bounceHandling")]) if {
	claims.bounceHandling == true
	not _feedback_declared
}

_feedback_declared if {
	some d in ses.event_destinations
	d.enabled == true
	{"BOUNCE", "COMPLAINT"} & d.types == {"BOUNCE", "COMPLAINT"}
	_has_target(d)
}

_feedback_declared if {
	{t.type | some t in ses.notification_topics; t.topic != null} & {"BOUNCE", "COMPLAINT"} == {"BOUNCE", "COMPLAINT"}
}

_has_target(d) if d.sns_topic != null

_has_target(d) if d.event_bus != null

_unbacked contains sprintf("the use case claims the suppression list%s, but the stack declares no account suppression covering BOUNCE and COMPLAINT", [_said("suppression")]) if {
	claims.suppression == true
	not _suppression_declared
}

_suppression_declared if {
	some r in input.resources
	r.type == ses.t.v2_account_suppression
	reasons := {upper(x) | some x in object.get(r.props, "suppressedReasons", [])}
	{"BOUNCE", "COMPLAINT"} & reasons == {"BOUNCE", "COMPLAINT"}
}

_unbacked contains sprintf("the use case claims unsubscribe handling%s, but the stack declares no SES contact list with a topic", [_said("unsubscribe")]) if {
	claims.unsubscribe == true
	not _contact_list_declared
}

_unbacked contains "the request is for MARKETING mail, but the stack declares no SES contact list with a topic for one-click unsubscribe" if {
	params.MailType == "MARKETING"
	not claims.unsubscribe == true
	not _contact_list_declared
}

_contact_list_declared if {
	some r in input.resources
	r.type == ses.t.v2_contact_list
	count(object.get(r.props, "topics", [])) > 0
}

_unbacked contains sprintf("the use case mentions alarms%s, but the stack declares no CloudWatch alarm on AWS/SES %s", [_said("alarms"), m]) if {
	claims.alarms == true
	some m in ["Reputation.BounceRate", "Reputation.ComplaintRate"]
	count(alarms.alarms(m)) == 0
}

_unbacked contains sprintf("the use case mentions a queue%s, but the stack declares no SQS queue", [_said("queue")]) if {
	claims.queue == true
	count([r | some r in input.resources; r.type == ses.t.queue]) == 0
}
