package ses.events

import data.lib
import data.lib.resources
import data.lib.result
import data.lib.sending
import data.lib.ses
import data.lib.topics
import data.lib.types

# METADATA
# title: Bounce and complaint events have a consumer
# description: |
#   Published events only protect the account if something acts on them. An SNS topic that
#   receives bounces or complaints (from an enabled event destination or a v1 notification
#   topic) needs at least one subscription, and none over plain `http` (events carry recipient
#   addresses). An EventBridge destination needs a rule on the default bus matching source
#   `aws.ses` with at least one target. A topic that is not declared in this stack, and a rule
#   whose event bus is unknown until apply (it may be a custom bus, where SES puts nothing),
#   cannot be checked and are reported as such.
# custom:
#   id: SES-013
#   slug: feedback-consumer
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Subscribe a consumer to the feedback topic, e.g. an SQS queue (use `https`, never `http`, for
#     webhooks). For EventBridge, add a rule on the default bus matching source `aws.ses` with a
#     target.
#   remediation_code:
#     python: |
#       # A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       aws.sns.TopicSubscription("feedback", topic=topic.arn, protocol="sqs", endpoint=queue.arn)
#       # EventBridge destination: aws.cloudwatch.EventRule("ses", event_pattern=json.dumps({"source": ["aws.ses"]}))
#       # plus an aws.cloudwatch.EventTarget for that rule.
#     typescript: |
#       // A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       new aws.sns.TopicSubscription("feedback", { topic: topic.arn, protocol: "sqs", endpoint: queue.arn });
#     go: |
#       // A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       _, err = sns.NewTopicSubscription(ctx, "feedback", &sns.TopicSubscriptionArgs{
#       	Topic:    topic.Arn,
#       	Protocol: pulumi.String("sqs"),
#       	Endpoint: queue.Arn,
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       new Aws.Sns.TopicSubscription("feedback", new()
#       {
#           Topic = topic.Arn,
#           Protocol = "sqs",
#           Endpoint = queue.Arn,
#       });
#     yaml: |
#       # A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       resources:
#         feedbackSubscription:
#           type: aws:sns:TopicSubscription
#           properties:
#             topic: ${topic.arn}
#             protocol: sqs
#             endpoint: ${queue.arn}
#     terraform: |
#       # A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       resource "aws_sns_topic_subscription" "feedback" {
#         topic_arn = aws_sns_topic.feedback.arn
#         protocol  = "sqs"
#         endpoint  = aws_sqs_queue.feedback.arn
#       }
#     cloudformation: |
#       # A consumer for the feedback topic, e.g. an SQS queue (use https, never http, for webhooks).
#       Resources:
#         FeedbackSubscription:
#           Type: AWS::SNS::Subscription
#           Properties:
#             TopicArn: !Ref FeedbackTopic
#             Protocol: sqs
#             Endpoint: !GetAtt FeedbackQueue.Arn
#     cdk-typescript: |
#       // Something must read the events: a queue (or an https endpoint) subscribed to the topic.
#       topic.addSubscription(new subscriptions.SqsSubscription(queue));
#     cdk-python: |
#       # Something must read the events: a queue (or an https endpoint) subscribed to the topic.
#       topic.add_subscription(subscriptions.SqsSubscription(queue))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses013
}

_ses013_refs contains ref if {
	some ref in sending.sns_refs
	ref.enabled
	ref.feedback
}

_ses013 contains {"resource": ref.from, "msg": msg} if {
	some ref in _unresolved_refs
	ref.enabled
	ref.feedback
	msg := sprintf("%s sends bounces/complaints to SNS topic %s, which is not declared in this stack: cannot verify it has a subscriber", [ref.from.name, sending.ref_name(ref)])
}

# The feedback refs and their topics that a rule below may report: one walk of refs and topics
# for the three rules. A served topic (one subscription at least, every one plain) has a
# consumer and nothing over http or of a wrong type, so it is left out here.
_ses013_unserved contains [ref, t] if {
	not _topics_fine
	some ref in _ses013_refs
	some t in sending.ref_topics(ref)
	not t.urn in _topic_fine
	not _ses013_served(t)
}

_ses013_served(t) if {
	ss := topics.subscriptions(t)
	ss != set()
	every s in ss {
		_ses013_plain(s)
	}
}

_ses013 contains {"resource": t, "msg": msg} if {
	some [ref, t] in _ses013_unserved
	count(topics.subscriptions(t)) == 0
	msg := sprintf("SNS topic %s receives bounces/complaints (from %s) but has no subscription: the events are lost", [sending.topic_name(t), ref.from.name])
}

# The subscriptions of those topics that the two rules below may report. A plain subscription
# (protocol a string other than http, endpoint absent or a string) is neither over http nor of a
# wrong type, so it is left out here.
_ses013_odd contains [t, s] if {
	some [_, t] in _ses013_unserved
	some s in topics.subscriptions(t)
	not _ses013_plain(s)
}

# _ses013_plain(s), a plain subscription, is defined in topic_hardening.rego beside the topic gate
# that reads it too (see there why).

_ses013 contains {"resource": s, "msg": msg} if {
	some [t, s] in _ses013_odd
	_ses013_http(s)
	msg := sprintf("subscription %s delivers bounce/complaint events of topic %s over plain http", [s.name, sending.topic_name(t)])
}

# A protocol or endpoint of the wrong type: where the events go cannot be told.
_ses013 contains {"resource": s, "msg": msg} if {
	some [t, s] in _ses013_odd
	not _ses013_typed(s)
	some [prop, kind] in [["protocol", "string"], ["endpoint", "string"]]
	v := object.get(s.props, prop, null)
	types.wrong(v, kind)
	msg := sprintf("subscription %s of topic %s: %s; cannot verify it delivers the bounce/complaint events", [s.name, sending.topic_name(t), types.describe(prop, v, kind)])
}

# Both properties absent or strings: the usual subscription, with nothing of the wrong type to say.
_ses013_typed(s) if {
	is_string(object.get(s.props, "protocol", ""))
	is_string(object.get(s.props, "endpoint", ""))
}

_ses013_http(s) if {
	is_string(s.props.protocol)
	lower(s.props.protocol) == "http"
}

# EventBridge destinations: SES puts events on the default bus; a rule matching source aws.ses
# must route them to a target.
_ses013 contains {"resource": d.resource, "msg": msg} if {
	some d in ses.event_destinations
	d.event_bus != null
	d.event_bus != ""
	sending.enabled(d)
	_carries(d)
	not _ses013_routed
	msg := _ses013_bus_msg(d)
}

_carries(d) if count(sending.known_types(d) & sending.feedback_types) > 0

_carries(d) if sending.types_unknown(d)

_ses013_bus_msg(d) := sprintf("EventBridge destination %s: an event rule matching source aws.ses has an event pattern unknown until apply; cannot verify the events reach a target", [d.resource.name]) if {
	some r in resources.of_type(ses.t.event_rule)
	_ses013_bus(r) == "default"
	_ses013_pattern(r) == "unknown"
} else := sprintf("EventBridge destination %s: event rule %s may match source aws.ses, but its event bus is unknown until apply; cannot verify it is the default bus, the only one SES puts events on", [d.resource.name, concat(", ", names)]) if {
	names := sort([r.name |
		some r in resources.of_type(ses.t.event_rule)
		_ses013_bus(r) == "unknown"
		_ses013_pattern(r) != "other"
	])
	count(names) > 0
} else := sprintf("EventBridge destination %s sends bounces/complaints to the default bus, but no event rule matching source aws.ses routes them to a target", [d.resource.name])

_ses013_routed if {
	some r in resources.of_type(ses.t.event_rule)
	_ses013_bus(r) == "default"
	_ses013_pattern(r) == "ses"
	count(object.get(_ses013_targets, r.urn, set())) > 0
}

_ses013_targets[r.urn] contains t if {
	some t in resources.of_type(ses.t.event_target)
	some r in resources.resolve(object.get(t.props, "rule", null), t, ses.t.event_rule)
}

# The bus a rule listens on: "default" (no name, "default", or the default bus's ARN), "unknown"
# (a name or ARN unknown until apply, or redacted), else "other". SES puts events on the default
# bus only, so an unknown bus is never taken for it: a rule on a custom bus routes nothing.
_ses013_bus(r) := "default" if {
	object.get(r.props, "eventBusName", null) in {null, "", "default"}
} else := "default" if {
	is_string(r.props.eventBusName)
	endswith(r.props.eventBusName, ":event-bus/default")
} else := "unknown" if {
	not lib.known(r.props.eventBusName)
} else := "other"

# "ses" when the rule's pattern matches source aws.ses, "unknown" when it cannot be read.
_ses013_pattern(r) := "unknown" if {
	not lib.known(object.get(r.props, "eventPattern", null))
	object.get(r.props, "eventPattern", null) != null
} else := "ses" if {
	is_string(r.props.eventPattern)
	json.is_valid(r.props.eventPattern)
	p := json.unmarshal(r.props.eventPattern)
	"aws.ses" in _ses013_list(p.source)
} else := "other"

_ses013_list(x) := [x] if is_string(x)

else := x
