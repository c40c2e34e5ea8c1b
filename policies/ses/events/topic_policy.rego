package ses.events

import data.lib.iam
import data.lib.result
import data.lib.sending
import data.lib.topics

# METADATA
# title: Only SES, for this account, may publish to the feedback topic
# description: |
#   SES must be allowed to `sns:Publish` to a topic it sends events to, and that permission
#   must carry an `AWS:SourceAccount` or `AWS:SourceArn` condition: without one, any AWS
#   account's SES could publish forged bounces and complaints into it (the confused-deputy
#   problem), and a suppression handler would stop mailing real customers. The permission must
#   name `ses.amazonaws.com`: a statement letting Principal `*` (or `AWS: *`) publish is only
#   accepted when an `AWS:SourceArn` condition ties it to one source. SNS's default topic policy
#   (`AWS: *` under `AWS:SourceOwner` = the account) is not enough: it lets any AWS service acting
#   for any resource of the account publish, not only this account's SES, and the same holds for
#   `AWS:SourceAccount` alone on Principal `*`. No statement may allow Principal `*` without a
#   condition. The policy is a TopicPolicy (props `arn`, `policy`)
#   or the topic's own `policy`; text that is not a JSON policy fails, a policy unknown until
#   apply cannot be verified. ARNs unknown until apply inside the JSON are fine. A TopicPolicy on
#   the topic governs: the topic's `policy` as the provider reported it (SNS's default policy, read
#   when the topic was created, in a Pulumi export or preview and a Terraform plan or state: the
#   resource's `computed` lists it) counts only when no TopicPolicy targets the topic; a `policy`
#   the program or configuration sets on the topic always counts. A Terraform state carries no
#   configuration, so there the topic's `policy` is taken as the provider's.
# custom:
#   id: SES-014
#   slug: topic-policy
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Give the feedback topic a policy that allows only `ses.amazonaws.com` to `sns:Publish`, with an
#     `AWS:SourceAccount` (or `AWS:SourceArn`) condition naming this account.
#   remediation_code:
#     python: |
#       # The policy must be known at preview: build the topic's ARN from its name (topic.arn is
#       # unknown until the topic exists).
#       account_id = aws.get_caller_identity().account_id
#       topic_arn = f"arn:aws:sns:{aws.config.region}:{account_id}:ses-feedback"
#       topic = aws.sns.Topic("feedback", name="ses-feedback")
#       aws.sns.TopicPolicy("feedback", arn=topic.arn, policy=json.dumps({
#           "Version": "2012-10-17",
#           "Statement": [{"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"},
#                          "Action": "sns:Publish", "Resource": topic_arn,
#                          "Condition": {"StringEquals": {"AWS:SourceAccount": account_id}}}]}))
#     typescript: |
#       // The policy must be known at preview: build the topic's ARN from its name (topic.arn is
#       // unknown until the topic exists).
#       const accountId = aws.getCallerIdentityOutput().accountId;
#       const topicArn = pulumi.interpolate`arn:aws:sns:${aws.config.region}:${accountId}:ses-feedback`;
#       const topic = new aws.sns.Topic("feedback", { name: "ses-feedback" });
#       new aws.sns.TopicPolicy("feedback", {
#           arn: topic.arn,
#           policy: pulumi.jsonStringify({
#               Version: "2012-10-17",
#               Statement: [{
#                   Effect: "Allow",
#                   Principal: { Service: "ses.amazonaws.com" },
#                   Action: "sns:Publish",
#                   Resource: topicArn,
#                   Condition: { StringEquals: { "AWS:SourceAccount": accountId } },
#               }],
#           }),
#       });
#     go: |
#       // The policy must be known at preview: build the topic's ARN from its name (topic.Arn is
#       // unknown until the topic exists).
#       caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, nil)
#       if err != nil {
#       	return err
#       }
#       topicArn := fmt.Sprintf("arn:aws:sns:%s:%s:ses-feedback", config.Require(ctx, "aws:region"), caller.AccountId)
#       topic, err := sns.NewTopic(ctx, "feedback", &sns.TopicArgs{Name: pulumi.String("ses-feedback")})
#       if err != nil {
#       	return err
#       }
#       policy, err := json.Marshal(map[string]interface{}{
#       	"Version": "2012-10-17",
#       	"Statement": []interface{}{map[string]interface{}{
#       		"Effect":    "Allow",
#       		"Principal": map[string]interface{}{"Service": "ses.amazonaws.com"},
#       		"Action":    "sns:Publish",
#       		"Resource":  topicArn,
#       		"Condition": map[string]interface{}{
#       			"StringEquals": map[string]interface{}{"AWS:SourceAccount": caller.AccountId},
#       		},
#       	}},
#       })
#       if err != nil {
#       	return err
#       }
#       _, err = sns.NewTopicPolicy(ctx, "feedback", &sns.TopicPolicyArgs{
#       	Arn:    topic.Arn,
#       	Policy: pulumi.String(string(policy)),
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // The policy must be known at preview: build the topic's ARN from its name (topic.Arn is
#       // unknown until the topic exists).
#       var accountId = Aws.GetCallerIdentity.Invoke().Apply(c => c.AccountId);
#       var region = new Config("aws").Require("region");
#       var topic = new Aws.Sns.Topic("feedback", new() { Name = "ses-feedback" });
#       new Aws.Sns.TopicPolicy("feedback", new()
#       {
#           Arn = topic.Arn,
#           Policy = Output.JsonSerialize(Output.Create(new Dictionary<string, object?>
#           {
#               ["Version"] = "2012-10-17",
#               ["Statement"] = new[]
#               {
#                   new Dictionary<string, object?>
#                   {
#                       ["Effect"] = "Allow",
#                       ["Principal"] = new Dictionary<string, object?> { ["Service"] = "ses.amazonaws.com" },
#                       ["Action"] = "sns:Publish",
#                       ["Resource"] = Output.Format($"arn:aws:sns:{region}:{accountId}:ses-feedback"),
#                       ["Condition"] = new Dictionary<string, object?>
#                       {
#                           ["StringEquals"] = new Dictionary<string, object?> { ["AWS:SourceAccount"] = accountId },
#                       },
#                   },
#               },
#           })),
#       });
#     yaml: |
#       # The policy must be known at preview: build the topic's ARN from its name (the topic's arn
#       # is unknown until the topic exists).
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
#         feedback:
#           type: aws:sns:Topic
#           properties:
#             name: ses-feedback
#         feedbackPolicy:
#           type: aws:sns:TopicPolicy
#           properties:
#             arn: ${feedback.arn}
#             policy:
#               fn::toJSON:
#                 Version: "2012-10-17"
#                 Statement:
#                   - Effect: Allow
#                     Principal:
#                       Service: ses.amazonaws.com
#                     Action: sns:Publish
#                     Resource: arn:aws:sns:${region}:${accountId}:ses-feedback
#                     Condition:
#                       StringEquals:
#                         AWS:SourceAccount: ${accountId}
#     terraform: |
#       # The policy must be known at plan: build the topic's ARN from its name (the topic's arn is
#       # unknown until apply).
#       data "aws_caller_identity" "current" {}
#       data "aws_region" "current" {}
#       resource "aws_sns_topic" "feedback" {
#         name = "ses-feedback"
#       }
#       resource "aws_sns_topic_policy" "feedback" {
#         arn = aws_sns_topic.feedback.arn
#         policy = jsonencode({
#           Version = "2012-10-17"
#           Statement = [{
#             Effect    = "Allow"
#             Principal = { Service = "ses.amazonaws.com" }
#             Action    = "sns:Publish"
#             Resource  = "arn:aws:sns:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:ses-feedback"
#             Condition = { StringEquals = { "AWS:SourceAccount" = data.aws_caller_identity.current.account_id } }
#           }]
#         })
#       }
#     cloudformation: |
#       Resources:
#         FeedbackTopicPolicy:
#           Type: AWS::SNS::TopicPolicy
#           Properties:
#             Topics: [!Ref FeedbackTopic]
#             PolicyDocument:
#               Version: "2012-10-17"
#               Statement:
#                 - Effect: Allow
#                   Principal:
#                     Service: ses.amazonaws.com
#                   Action: sns:Publish
#                   Resource: !Ref FeedbackTopic
#                   Condition:
#                     StringEquals:
#                       AWS:SourceAccount: !Ref AWS::AccountId
#     cdk-typescript: |
#       // EventDestination.snsTopic(topic) adds this statement itself; a hand-written policy needs the condition.
#       topic.addToResourcePolicy(new iam.PolicyStatement({
#         actions: ['sns:Publish'],
#         principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
#         resources: [topic.topicArn],
#         conditions: { StringEquals: { 'AWS:SourceAccount': cdk.Stack.of(this).account } },
#       }));
#     cdk-python: |
#       # EventDestination.sns_topic(topic) adds this statement itself; a hand-written policy needs the condition.
#       topic.add_to_resource_policy(iam.PolicyStatement(
#           actions=["sns:Publish"],
#           principals=[iam.ServicePrincipal("ses.amazonaws.com")],
#           resources=[topic.topic_arn],
#           conditions={"StringEquals": {"AWS:SourceAccount": cdk.Stack.of(self).account}}))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses014
}

_source_keys := {"aws:sourceaccount", "aws:sourcearn"}

# The SNS references that resolve to no topic in this stack, found once for SES-013 and SES-014.
_unresolved_refs contains ref if {
	sending.sns_unresolved
	some ref in sending.sns_refs
	count(sending.ref_topics(ref)) == 0
}

_ses014 contains {"resource": ref.from, "msg": msg} if {
	some ref in _unresolved_refs
	msg := sprintf("%s publishes to SNS topic %s, which is not declared in this stack: cannot verify its policy limits publishing to this account's SES", [ref.from.name, sending.ref_name(ref)])
}

# The SES topics a per-topic rule below may report, by URN: a topic whose every policy (one at
# least) is iam.ses_publish_only is left out first, so the usual compliant topic costs one check
# of its policy's shape instead of normalizing every statement for each rule's conditions.
_ses014_odd := {u: t | not _topics_fine; some u, t in sending.ses_topics; not u in _topic_fine; not _ses014_plain(t)}

_ses014_plain(t) if {
	ps := topics.policies(t)
	ps != set()
	every p in ps {
		iam.ses_publish_only(p.policy)
	}
}

_ses014 contains {"resource": t, "msg": msg} if {
	some _, t in _ses014_odd
	count(topics.policies(t)) == 0
	msg := sprintf("SNS topic %s has no topic policy letting ses.amazonaws.com publish under an AWS:SourceAccount or AWS:SourceArn condition", [sending.topic_name(t)])
}

# Every policy governing a topic SES publishes to, with its status, and every statement of the
# ones that parse, each worked out once: the rules below all read these (calling iam.status and
# iam.statements in each rule parsed and normalized every policy once per rule).
_ses014_governing contains [t, p, iam.status(p.policy)] if {
	some _, t in _ses014_odd
	some p in topics.policies(t)
}

_ses014_statements contains [t, p, s] if {
	some [t, p, "ok"] in _ses014_governing
	some s in iam.statements(p.policy)
}

# URNs of the topics some policy of which is not "ok".
_ses014_not_ok := {t.urn | some [t, _, st] in _ses014_governing; st != "ok"}

# URNs of the topics a statement of whose policies lets SES publish: ses.amazonaws.com, or
# Principal "*" tied to one source (Principal "*" includes SES too, but only when tied to one
# source: it is reported below otherwise).
_ses014_publishable := {t.urn | some [t, _, s] in _ses014_statements; _ses_publish(s)} | {t.urn |
	some [t, _, s] in _ses014_public
	iam.grants_action(s, "sns:Publish")
	"aws:sourcearn" in iam.condition_keys(s)
}

# The statements that allow any principal, picked once for the rules that judge them.
_ses014_public contains [t, p, s] if {
	some [t, p, s] in _ses014_statements
	iam.allows_public(s)
}

_ses014 contains {"resource": p.resource, "msg": msg} if {
	some [t, p, "unknown"] in _ses014_governing
	msg := sprintf("the policy of SNS topic %s is unknown until apply or secret: cannot verify who may publish", [sending.topic_name(t)])
}

_ses014 contains {"resource": p.resource, "msg": msg} if {
	some [t, p, st] in _ses014_governing
	st in {"invalid", "missing"}
	msg := sprintf("the policy of SNS topic %s is not a JSON policy document with statements", [sending.topic_name(t)])
}

_ses014 contains {"resource": t, "msg": msg} if {
	some _, t in _ses014_odd
	count(topics.policies(t)) > 0
	not t.urn in _ses014_not_ok
	not t.urn in _ses014_publishable
	msg := sprintf("no statement of the policy of SNS topic %s lets ses.amazonaws.com sns:Publish: SES cannot deliver events to it", [sending.topic_name(t)])
}

_ses014 contains {"resource": p.resource, "msg": msg} if {
	some [t, p, s] in _ses014_statements
	_ses_publish(s)
	count(iam.condition_keys(s) & _source_keys) == 0
	msg := sprintf("the policy of SNS topic %s lets ses.amazonaws.com publish (statement %s) without an AWS:SourceAccount or AWS:SourceArn condition: any account's SES could publish to it", [sending.topic_name(t), _sid(s)])
}

_ses014 contains {"resource": p.resource, "msg": msg} if {
	some [t, p, s] in _ses014_public
	iam.unconditioned(s)
	msg := sprintf("the policy of SNS topic %s allows any principal (*) without a condition (statement %s)", [sending.topic_name(t), _sid(s)])
}

# Principal * with a condition that does not tie it to one source: SNS's default policy
# (AWS:SourceOwner) and AWS:SourceAccount admit every service acting for the account.
_ses014 contains {"resource": p.resource, "msg": msg} if {
	some [t, p, s] in _ses014_public
	iam.grants_action(s, "sns:Publish")
	not iam.unconditioned(s)
	not "aws:sourcearn" in iam.condition_keys(s)
	msg := sprintf(
		"the policy of SNS topic %s lets any principal (*) sns:Publish under %s only (statement %s): any AWS service acting for a resource of the account could publish forged events, not only SES; grant ses.amazonaws.com under AWS:SourceAccount or AWS:SourceArn instead",
		[sending.topic_name(t), concat(", ", sort(iam.condition_keys(s))), _sid(s)],
	)
}

_ses_publish(s) if {
	iam.allows(s)
	iam.has_service(s, "ses.amazonaws.com")
	iam.grants_action(s, "sns:Publish")
}

_sid(s) := sprintf("%q", [s.sid]) if s.sid != ""

else := "without Sid"
