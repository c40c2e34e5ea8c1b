package ses.events

import data.lib
import data.lib.result
import data.lib.sending
import data.lib.topics
import data.lib.types

# METADATA
# title: Feedback topics are standard, encrypted, and their queues keep failed messages
# description: |
#   SES event destinations publish only to standard SNS topics: a FIFO topic silently receives
#   nothing. Bounce and complaint events carry recipient addresses, so the topic should be
#   encrypted with KMS (`kmsMasterKeyId`). An SQS queue subscribed to the topic should have a
#   dead-letter queue (`redrivePolicy` with `deadLetterTargetArn`) so an event the handler
#   keeps failing on is kept, not dropped.
# custom:
#   id: SES-015
#   slug: topic-hardening
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     `aws.sns.Topic("feedback", fifo_topic=False, kms_master_key_id=key.id)`;
#     `aws.sqs.Queue("feedback", redrive_policy=json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5}))`.
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses015
}

_ses015 contains {"resource": t, "msg": msg} if {
	some _, t in sending.ses_topics
	_fifo(t)
	msg := sprintf("SNS topic %s is a FIFO topic: SES publishes events only to standard topics", [sending.topic_name(t)])
}

_ses015 contains {"resource": t, "msg": msg} if {
	some _, t in sending.ses_topics
	object.get(t.props, "kmsMasterKeyId", null) in {null, ""}
	msg := sprintf("SNS topic %s receiving SES events is not encrypted with KMS (kmsMasterKeyId)", [sending.topic_name(t)])
}

_ses015 contains {"resource": q, "msg": msg} if {
	some _, t in sending.ses_topics
	some s in topics.subscriptions(t)
	_sqs(s)
	some q in topics.resolve_queue(object.get(s.props, "endpoint", null), s)
	states := {topics.dead_letter(p) | some p in topics.redrive_policies(q)}
	not "yes" in states
	msg := _dlq_msg(q, t, states)
}

_ses015 contains {"resource": t, "msg": msg} if {
	some _, t in sending.ses_topics
	some [prop, kind] in [["fifoTopic", "boolean"], ["kmsMasterKeyId", "string"]]
	v := object.get(t.props, prop, null)
	types.wrong(v, kind)
	msg := sprintf("SNS topic %s: %s; cannot verify it is a KMS-encrypted standard topic", [sending.topic_name(t), types.describe(prop, v, kind)])
}

_fifo(t) if t.props.fifoTopic == true

_fifo(t) if {
	is_string(t.props.name)
	endswith(t.props.name, ".fifo")
}

_sqs(s) if {
	is_string(s.props.protocol)
	lower(s.props.protocol) == "sqs"
}

_dlq_msg(q, t, states) := sprintf("SQS queue %s (subscribed to %s): its redrive policy is unknown until apply or secret; cannot verify it has a dead-letter queue", [_queue_name(q), sending.topic_name(t)]) if {
	"unknown" in states
} else := sprintf("SQS queue %s (subscribed to %s) has no dead-letter queue (redrivePolicy deadLetterTargetArn): events its consumer fails on are lost", [_queue_name(q), sending.topic_name(t)])

_queue_name(q) := q.props.name if lib.known(object.get(q.props, "name", null))

else := q.name
