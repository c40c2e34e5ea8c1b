package ses.alarms

import data.lib
import data.lib.alarms
import data.lib.result
import data.lib.sending
import data.lib.topics

# METADATA
# title: Reputation alarms reach a subscribed topic
# description: |
#   An alarm whose action is a topic nobody subscribes to changes state in silence. Every action
#   of an alarm on `Reputation.BounceRate` or `Reputation.ComplaintRate` should be an SNS topic
#   declared in this stack with at least one subscription; an action elsewhere (another stack,
#   another service) cannot be verified and is reported.
# custom:
#   id: SES-023
#   slug: alarm-routing
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     Send both reputation alarms to an SNS topic declared in this stack with at least one
#     subscription (e.g. the on-call address).
#   remediation_code:
#     python: |
#       alerts = aws.sns.Topic("alerts")
#       aws.sns.TopicSubscription("oncall", topic=alerts.arn, protocol="email", endpoint="oncall@example.com")
#       # and alarm_actions=[alerts.arn] on both reputation alarms.
#     typescript: |
#       const alerts = new aws.sns.Topic("alerts");
#       new aws.sns.TopicSubscription("oncall", { topic: alerts.arn, protocol: "email", endpoint: "oncall@example.com" });
#       // and alarmActions: [alerts.arn] on both reputation alarms.
#     go: |
#       alerts, err := sns.NewTopic(ctx, "alerts", nil)
#       if err != nil {
#       	return err
#       }
#       _, err = sns.NewTopicSubscription(ctx, "oncall", &sns.TopicSubscriptionArgs{
#       	Topic:    alerts.Arn,
#       	Protocol: pulumi.String("email"),
#       	Endpoint: pulumi.String("oncall@example.com"),
#       })
#       if err != nil {
#       	return err
#       }
#       // and AlarmActions: pulumi.Array{alerts.Arn} on both reputation alarms.
#     csharp: |
#       var alerts = new Aws.Sns.Topic("alerts");
#       new Aws.Sns.TopicSubscription("oncall", new()
#       {
#           Topic = alerts.Arn,
#           Protocol = "email",
#           Endpoint = "oncall@example.com",
#       });
#       // and AlarmActions = new[] { alerts.Arn } on both reputation alarms.
#     yaml: |
#       resources:
#         alerts:
#           type: aws:sns:Topic
#         oncall:
#           type: aws:sns:TopicSubscription
#           properties:
#             topic: ${alerts.arn}
#             protocol: email
#             endpoint: oncall@example.com
#       # and alarmActions: ["${alerts.arn}"] on both reputation alarms.
#     terraform: |
#       resource "aws_sns_topic" "alerts" {}
#       resource "aws_sns_topic_subscription" "oncall" {
#         topic_arn = aws_sns_topic.alerts.arn
#         protocol  = "email"
#         endpoint  = "oncall@example.com"
#       }
#       # and alarm_actions = [aws_sns_topic.alerts.arn] on both reputation alarms.
#     cloudformation: |
#       Resources:
#         AlertsTopic:
#           Type: AWS::SNS::Topic
#         OncallSubscription:
#           Type: AWS::SNS::Subscription
#           Properties:
#             TopicArn: !Ref AlertsTopic
#             Protocol: email
#             Endpoint: oncall@example.com
#       # and AlarmActions: [!Ref AlertsTopic] on both reputation alarms.
#     cdk-typescript: |
#       // The alarms' topic needs a subscriber, or an alarm reaches no one.
#       const alarmTopic = new sns.Topic(this, 'Alarms');
#       alarmTopic.addSubscription(new subscriptions.EmailSubscription('deliverability@example.com'));
#       bounceRate.addAlarmAction(new actions.SnsAction(alarmTopic));
#     cdk-python: |
#       # The alarms' topic needs a subscriber, or an alarm reaches no one.
#       alarm_topic = sns.Topic(self, "Alarms")
#       alarm_topic.add_subscription(subscriptions.EmailSubscription("deliverability@example.com"))
#       bounce_rate.add_alarm_action(actions.SnsAction(alarm_topic))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses023
}

_reputation_metrics := ["Reputation.BounceRate", "Reputation.ComplaintRate"]

_ses023_actions contains [a.resource, action] if {
	some m in _reputation_metrics
	some a in alarms.alarms(m)
	acts := a.resource.props.alarmActions
	is_array(acts)
	some action in acts
}

_ses023 contains {"resource": r, "msg": msg} if {
	some [r, action] in _ses023_actions
	count(topics.resolve_topic(action, r)) == 0
	msg := sprintf("alarm %s: action %s is not an SNS topic declared in this stack; cannot verify anyone is notified", [r.name, _action_name(action)])
}

_ses023 contains {"resource": r, "msg": msg} if {
	some [r, action] in _ses023_actions
	some t in topics.resolve_topic(action, r)
	count(topics.subscriptions(t)) == 0
	msg := sprintf("alarm %s notifies SNS topic %s, which has no subscription", [r.name, sending.topic_name(t)])
}

_action_name(a) := "(unknown until apply)" if lib.unknown(a)

else := a if is_string(a)

else := sprintf("%v", [a])
