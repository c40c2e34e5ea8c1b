package ses.events

import data.lib
import data.lib.iam
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
#   keeps failing on is kept, not dropped. The subscribed queues are those the subscription's
#   endpoint names; an endpoint unknown until apply is followed through the subscription's
#   dependencies, leaving out a queue another of them depends on (the dead-letter queue reached
#   through a redrive policy, or through Terraform's transitive dependencies): it is not a
#   subscriber.
# custom:
#   id: SES-015
#   slug: topic-hardening
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Use a standard (not FIFO) topic encrypted with a customer managed KMS key SES may use, and give
#     every SQS queue subscribed to it a dead-letter queue (`redrivePolicy` with
#     `deadLetterTargetArn`).
#   remediation_code:
#     python: |
#       # A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#       topic = aws.sns.Topic("feedback", fifo_topic=False, kms_master_key_id=key.id)
#       # A dead-letter queue keeps the events the handler keeps failing on; its ARN is built from
#       # its name so the redrive policy is known at preview.
#       account_id = aws.get_caller_identity().account_id
#       dlq = aws.sqs.Queue("feedback-dlq", name="ses-feedback-dlq")
#       queue = aws.sqs.Queue("feedback", redrive_policy=json.dumps({
#           "deadLetterTargetArn": f"arn:aws:sqs:{aws.config.region}:{account_id}:ses-feedback-dlq",
#           "maxReceiveCount": 5}))
#     typescript: |
#       // A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#       const topic = new aws.sns.Topic("feedback", { fifoTopic: false, kmsMasterKeyId: key.id });
#       // A dead-letter queue keeps the events the handler keeps failing on; its ARN is built from
#       // its name so the redrive policy is known at preview.
#       const accountId = aws.getCallerIdentityOutput().accountId;
#       const dlq = new aws.sqs.Queue("feedback-dlq", { name: "ses-feedback-dlq" });
#       const queue = new aws.sqs.Queue("feedback", {
#           redrivePolicy: pulumi.jsonStringify({
#               deadLetterTargetArn: pulumi.interpolate`arn:aws:sqs:${aws.config.region}:${accountId}:ses-feedback-dlq`,
#               maxReceiveCount: 5,
#           }),
#       });
#     go: |
#       // A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#       topic, err := sns.NewTopic(ctx, "feedback", &sns.TopicArgs{
#       	FifoTopic:      pulumi.Bool(false),
#       	KmsMasterKeyId: key.ID(),
#       })
#       if err != nil {
#       	return err
#       }
#       // A dead-letter queue keeps the events the handler keeps failing on; its ARN is built from
#       // its name so the redrive policy is known at preview.
#       caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, nil)
#       if err != nil {
#       	return err
#       }
#       dlq, err := sqs.NewQueue(ctx, "feedback-dlq", &sqs.QueueArgs{Name: pulumi.String("ses-feedback-dlq")})
#       if err != nil {
#       	return err
#       }
#       redrive, err := json.Marshal(map[string]interface{}{
#       	"deadLetterTargetArn": fmt.Sprintf("arn:aws:sqs:%s:%s:ses-feedback-dlq", config.Require(ctx, "aws:region"), caller.AccountId),
#       	"maxReceiveCount":     5,
#       })
#       if err != nil {
#       	return err
#       }
#       queue, err := sqs.NewQueue(ctx, "feedback", &sqs.QueueArgs{RedrivePolicy: pulumi.String(string(redrive))})
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#       var topic = new Aws.Sns.Topic("feedback", new()
#       {
#           FifoTopic = false,
#           KmsMasterKeyId = key.Id,
#       });
#       // A dead-letter queue keeps the events the handler keeps failing on; its ARN is built from
#       // its name so the redrive policy is known at preview.
#       var accountId = Aws.GetCallerIdentity.Invoke().Apply(c => c.AccountId);
#       var region = new Config("aws").Require("region");
#       var dlq = new Aws.Sqs.Queue("feedback-dlq", new() { Name = "ses-feedback-dlq" });
#       var queue = new Aws.Sqs.Queue("feedback", new()
#       {
#           RedrivePolicy = Output.JsonSerialize(Output.Create(new Dictionary<string, object?>
#           {
#               ["deadLetterTargetArn"] = Output.Format($"arn:aws:sqs:{region}:{accountId}:ses-feedback-dlq"),
#               ["maxReceiveCount"] = 5,
#           })),
#       });
#     yaml: |
#       variables:
#         accountId:
#           fn::invoke:
#             function: aws:getCallerIdentity
#             return: accountId
#         region:
#           fn::invoke:
#             function: aws:getRegion
#             return: region
#       resources:
#         # A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#         feedbackTopic:
#           type: aws:sns:Topic
#           properties:
#             fifoTopic: false
#             kmsMasterKeyId: ${key.id}
#         # A dead-letter queue keeps the events the handler keeps failing on; its ARN is built
#         # from its name so the redrive policy is known at preview.
#         feedbackDlq:
#           type: aws:sqs:Queue
#           properties:
#             name: ses-feedback-dlq
#         feedbackQueue:
#           type: aws:sqs:Queue
#           properties:
#             redrivePolicy:
#               fn::toJSON:
#                 deadLetterTargetArn: arn:aws:sqs:${region}:${accountId}:ses-feedback-dlq
#                 maxReceiveCount: 5
#     terraform: |
#       # A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#       resource "aws_sns_topic" "feedback" {
#         fifo_topic        = false
#         kms_master_key_id = aws_kms_key.feedback.id
#       }
#       # A dead-letter queue keeps the events the handler keeps failing on; its ARN is built from
#       # its name so the redrive policy is known at plan.
#       data "aws_caller_identity" "current" {}
#       data "aws_region" "current" {}
#       resource "aws_sqs_queue" "feedback_dlq" {
#         name = "ses-feedback-dlq"
#       }
#       resource "aws_sqs_queue" "feedback" {
#         redrive_policy = jsonencode({
#           deadLetterTargetArn = "arn:aws:sqs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:ses-feedback-dlq"
#           maxReceiveCount     = 5
#         })
#       }
#     cloudformation: |
#       Resources:
#         # A standard (not FIFO) topic encrypted with a customer managed KMS key SES may use.
#         FeedbackTopic:
#           Type: AWS::SNS::Topic
#           Properties:
#             FifoTopic: false
#             KmsMasterKeyId: !Ref FeedbackKey
#         # A dead-letter queue keeps the events the handler keeps failing on.
#         FeedbackQueue:
#           Type: AWS::SQS::Queue
#           Properties:
#             RedrivePolicy:
#               deadLetterTargetArn: !GetAtt FeedbackDeadLetterQueue.Arn
#               maxReceiveCount: 5
#     cdk-typescript: |
#       const topic = new sns.Topic(this, 'Events', { masterKey: new kms.Key(this, 'EventsKey', { enableKeyRotation: true }) });
#       const dlq = new sqs.Queue(this, 'EventsDlq', { encryption: sqs.QueueEncryption.SQS_MANAGED });
#       const queue = new sqs.Queue(this, 'EventsQueue', {
#         encryption: sqs.QueueEncryption.SQS_MANAGED,
#         deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
#       });
#       topic.addSubscription(new subscriptions.SqsSubscription(queue));
#     cdk-python: |
#       topic = sns.Topic(self, "Events", master_key=kms.Key(self, "EventsKey", enable_key_rotation=True))
#       dlq = sqs.Queue(self, "EventsDlq", encryption=sqs.QueueEncryption.SQS_MANAGED)
#       queue = sqs.Queue(self, "EventsQueue", encryption=sqs.QueueEncryption.SQS_MANAGED,
#           dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5))
#       topic.add_subscription(subscriptions.SqsSubscription(queue))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses015
}

_ses015 contains {"resource": t, "msg": msg} if {
	some t in _ses015_odd
	_fifo(t)
	msg := sprintf("SNS topic %s is a FIFO topic: SES publishes events only to standard topics", [sending.topic_name(t)])
}

_ses015 contains {"resource": t, "msg": msg} if {
	some t in _ses015_odd
	object.get(t.props, "kmsMasterKeyId", null) in {null, ""}
	msg := sprintf("SNS topic %s receiving SES events is not encrypted with KMS (kmsMasterKeyId)", [sending.topic_name(t)])
}

_ses015 contains {"resource": q, "msg": msg} if {
	not _topics_fine
	some u, t in sending.ses_topics
	not u in _topic_fine
	some s in topics.subscriptions(t)
	_sqs(s)
	some q in topics.subscribed_queues(s)
	not _ses015_dead_letter(q)
	states := {topics.dead_letter(p) | some p in topics.redrive_policies(q)}
	not "yes" in states
	msg := _dlq_msg(q, t, states)
}

_ses015 contains {"resource": t, "msg": msg} if {
	some t in _ses015_odd
	not _ses015_typed(t)
	some [prop, kind] in [["fifoTopic", "boolean"], ["kmsMasterKeyId", "string"]]
	v := object.get(t.props, prop, null)
	types.wrong(v, kind)
	msg := sprintf("SNS topic %s: %s; cannot verify it is a KMS-encrypted standard topic", [sending.topic_name(t), types.describe(prop, v, kind)])
}

# The SES topics the FIFO, encryption and wrong-type rules may report. A plain topic (fifoTopic
# false or absent, a name that is absent or a string not ending .fifo, a non-empty string
# kmsMasterKeyId) is standard, encrypted and typed: one body instead of the three rules' walks.
_ses015_odd contains t if {
	not _topics_fine
	some u, t in sending.ses_topics
	not u in _topic_fine
	not _ses015_plain(t)
}

# The usual SES topic, by URN, found compliant for SES-013, SES-014 and SES-015 at once: standard
# and KMS-encrypted (_ses015_plain), every policy (one at least) SES-only (iam.ses_publish_only), one
# subscription at least, each plain (_ses013_plain) and, over SQS, to queues that keep failed
# messages (_ses015_dead_letter). Worked out once per topic with one walk of its subscriptions;
# the per-topic rules of the three checks walk only the other topics, and none when every topic
# is fine (_topics_fine). It leaves out only what each rule's own test leaves out. The joins are
# read by URN (a key is there only with one element at least), not through topics.policies(t).
_topic_fine contains u if {
	some u, t in sending.ses_topics
	_ses015_plain(t)
	ps := topics.policies_by_topic[u]
	every p in ps {
		iam.ses_publish_only(p.policy)
	}
	ss := topics.subscriptions_by_topic[u]
	every s in ss {
		_ses013_plain(s)
		_ses015_kept(s)
	}
}

_topics_fine if count(_topic_fine) == count(sending.ses_topics)

# SES-013's plain subscription (protocol a string other than http, endpoint absent or a string),
# read by the gate above and by feedback_consumer.rego. It lives here, not there, because files of
# one package must not call each other both ways: a server that compiles each file as it arrives
# (OPA's REST API, `--opa-url`) could then accept neither.
_ses013_plain(s) if {
	p := s.props.protocol
	is_string(p)
	lower(p) != "http"
	is_string(object.get(s.props, "endpoint", ""))
}

# A subscription over SQS whose queues all have a dead-letter queue (the usual one, tried
# first), or one not over SQS.
_ses015_kept(s) if {
	_sqs(s)
	every q in topics.subscribed_queues(s) {
		_ses015_dead_letter(q)
	}
} else if not _sqs(s)

_ses015_plain(t) if {
	object.get(t.props, "fifoTopic", false) == false
	k := t.props.kmsMasterKeyId
	is_string(k)
	k != ""
	not _fifo_name(t)
}

_fifo_name(t) if {
	is_string(t.props.name)
	endswith(t.props.name, ".fifo")
}

# Both properties absent or of their type: the usual topic, with nothing of the wrong type to say.
_ses015_typed(t) if {
	is_boolean(object.get(t.props, "fifoTopic", false))
	is_string(object.get(t.props, "kmsMasterKeyId", ""))
}

_fifo(t) if t.props.fifoTopic == true

_fifo(t) if {
	is_string(t.props.name)
	endswith(t.props.name, ".fifo")
}

# The usual queue: no standalone redrive policy, its own a JSON text naming a dead-letter queue.
# Its one redrive policy is then known and says "yes" (topics.dead_letter), read in one body
# instead of gathering the policies and their states.
_ses015_dead_letter(q) if {
	not topics.redrive_by_queue[q.urn]
	p := q.props.redrivePolicy
	is_string(p)
	json.is_valid(p)
	d := json.unmarshal(p)
	is_object(d)
	not object.get(d, "deadLetterTargetArn", null) in {null, ""}
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
