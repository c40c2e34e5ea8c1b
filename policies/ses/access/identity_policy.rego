package ses.access

import data.lib.iam
import data.lib.resources
import data.lib.result
import data.lib.ses

# METADATA
# title: Sending-authorization policies grant no one everything
# description: |
#   An identity policy lets other accounts send as the identity. Principal `*` without a
#   condition lets every AWS account send mail as the domain, and `ses:*` (or `*`) hands over
#   management of the identity as well; either puts the account's reputation in strangers'
#   hands. Applies to sesv2 `EmailIdentityPolicy` and v1 `IdentityPolicy`. Policy text that is
#   not a JSON policy fails; a policy unknown until apply cannot be verified.
# custom:
#   id: SES-024
#   slug: identity-policy
#   severity: critical
#   enforcement: mandatory
#   remediation: |
#     Name the sending account and the actions it needs (`ses:SendEmail`, `ses:SendRawEmail`) on the
#     identity's ARN, and add a condition when the principal must be broader.
#   remediation_code:
#     python: |
#       # Name the sending account and only the actions it needs. The policy must be known at
#       # preview, so the identity's ARN is built from its name (identity.arn is unknown until apply).
#       account_id = aws.get_caller_identity().account_id
#       identity_arn = f"arn:aws:ses:{aws.config.region}:{account_id}:identity/example.com"
#       aws.sesv2.EmailIdentityPolicy("sender", email_identity=identity.email_identity, policy_name="sender",
#           policy=json.dumps({
#               "Version": "2012-10-17",
#               "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
#                              "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": identity_arn}]}))
#     typescript: |
#       // Name the sending account and only the actions it needs. The policy must be known at
#       // preview, so the identity's ARN is built from its name (identity.arn is unknown until apply).
#       const accountId = aws.getCallerIdentityOutput().accountId;
#       new aws.sesv2.EmailIdentityPolicy("sender", {
#           emailIdentity: identity.emailIdentity,
#           policyName: "sender",
#           policy: pulumi.jsonStringify({
#               Version: "2012-10-17",
#               Statement: [{
#                   Effect: "Allow",
#                   Principal: { AWS: "arn:aws:iam::111122223333:root" },
#                   Action: ["ses:SendEmail", "ses:SendRawEmail"],
#                   Resource: pulumi.interpolate`arn:aws:ses:${aws.config.region}:${accountId}:identity/example.com`,
#               }],
#           }),
#       });
#     go: |
#       // Name the sending account and only the actions it needs. The policy must be known at
#       // preview, so the identity's ARN is built from its name (identity.Arn is unknown until apply).
#       caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, nil)
#       if err != nil {
#       	return err
#       }
#       policy, err := json.Marshal(map[string]interface{}{
#       	"Version": "2012-10-17",
#       	"Statement": []interface{}{map[string]interface{}{
#       		"Effect":    "Allow",
#       		"Principal": map[string]interface{}{"AWS": "arn:aws:iam::111122223333:root"},
#       		"Action":    []string{"ses:SendEmail", "ses:SendRawEmail"},
#       		"Resource":  fmt.Sprintf("arn:aws:ses:%s:%s:identity/example.com", config.Require(ctx, "aws:region"), caller.AccountId),
#       	}},
#       })
#       if err != nil {
#       	return err
#       }
#       _, err = sesv2.NewEmailIdentityPolicy(ctx, "sender", &sesv2.EmailIdentityPolicyArgs{
#       	EmailIdentity: identity.EmailIdentity,
#       	PolicyName:    pulumi.String("sender"),
#       	Policy:        pulumi.String(string(policy)),
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       // Name the sending account and only the actions it needs. The policy must be known at
#       // preview, so the identity's ARN is built from its name (identity.Arn is unknown until apply).
#       var accountId = Aws.GetCallerIdentity.Invoke().Apply(c => c.AccountId);
#       var region = new Config("aws").Require("region");
#       new Aws.SesV2.EmailIdentityPolicy("sender", new()
#       {
#           EmailIdentity = identity.EmailIdentityDetails,
#           PolicyName = "sender",
#           Policy = Output.JsonSerialize(Output.Create(new Dictionary<string, object?>
#           {
#               ["Version"] = "2012-10-17",
#               ["Statement"] = new[]
#               {
#                   new Dictionary<string, object?>
#                   {
#                       ["Effect"] = "Allow",
#                       ["Principal"] = new Dictionary<string, object?> { ["AWS"] = "arn:aws:iam::111122223333:root" },
#                       ["Action"] = new[] { "ses:SendEmail", "ses:SendRawEmail" },
#                       ["Resource"] = Output.Format($"arn:aws:ses:{region}:{accountId}:identity/example.com"),
#                   },
#               },
#           })),
#       });
#     yaml: |
#       # Name the sending account and only the actions it needs. The policy must be known at
#       # preview, so the identity's ARN is built from its name.
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
#         senderPolicy:
#           type: aws:sesv2:EmailIdentityPolicy
#           properties:
#             emailIdentity: ${identity.emailIdentity}
#             policyName: sender
#             policy:
#               fn::toJSON:
#                 Version: "2012-10-17"
#                 Statement:
#                   - Effect: Allow
#                     Principal:
#                       AWS: arn:aws:iam::111122223333:root
#                     Action: [ses:SendEmail, ses:SendRawEmail]
#                     Resource: arn:aws:ses:${region}:${accountId}:identity/example.com
#     terraform: |
#       # Name the sending account and only the actions it needs. The policy must be known at plan,
#       # so the identity's ARN is built from its name.
#       data "aws_caller_identity" "current" {}
#       data "aws_region" "current" {}
#       resource "aws_sesv2_email_identity_policy" "sender" {
#         email_identity = aws_sesv2_email_identity.identity.email_identity
#         policy_name    = "sender"
#         policy = jsonencode({
#           Version = "2012-10-17"
#           Statement = [{
#             Effect    = "Allow"
#             Principal = { AWS = "arn:aws:iam::111122223333:root" }
#             Action    = ["ses:SendEmail", "ses:SendRawEmail"]
#             Resource  = "arn:aws:ses:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:identity/example.com"
#           }]
#         })
#       }
#     cloudformation: |
#       # CloudFormation cannot express this fix: it has no resource type for SES identity
#       # (sending-authorization) policies. Attach the policy outside the template, naming the sending
#       # account and only ses:SendEmail / ses:SendRawEmail:
#       # aws sesv2 create-email-identity-policy --email-identity example.com --policy-name sender --policy file://policy.json
#     cdk-typescript: |
#       // CloudFormation (so CDK) has no sending-authorization policy resource: grant sending to the
#       // roles that need it, by name, instead of a * principal or ses:*.
#       identity.grantSendEmail(senderRole);
#     cdk-python: |
#       # CloudFormation (so CDK) has no sending-authorization policy resource: grant sending to the
#       # roles that need it, by name, instead of a * principal or ses:*.
#       identity.grant_send_email(sender_role)
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses024
}

_policy_types := [ses.t.v2_identity_policy, ses.t.v1_identity_policy]

_ses024 contains {"resource": r, "msg": msg} if {
	some r in resources.of_types(_policy_types)
	st := iam.status(object.get(r.props, "policy", null))
	st != "ok"
	msg := _status_msg(r, st)
}

_ses024 contains {"resource": r, "msg": msg} if {
	some r in resources.of_types(_policy_types)
	iam.status(r.props.policy) == "ok"
	some s in iam.statements(r.props.policy)
	iam.allows_public(s)
	iam.unconditioned(s)
	msg := sprintf("identity policy %s lets any principal (*) act on the identity without a condition (statement %s)", [r.name, _sid(s)])
}

_ses024 contains {"resource": r, "msg": msg} if {
	some r in resources.of_types(_policy_types)
	iam.status(r.props.policy) == "ok"
	some s in iam.statements(r.props.policy)
	iam.allows(s)
	some a in _wildcards(s)
	msg := sprintf("identity policy %s grants %s (statement %s): name the sending actions instead", [r.name, a, _sid(s)])
}

_wildcards(s) := {a | some a in s.actions; a in {"*", "ses:*"}} if not s.not_action

else := {"everything but the actions NotAction lists"}

_status_msg(r, "unknown") := sprintf("identity policy %s is unknown until apply or secret: cannot verify who may send as the identity", [r.name])

_status_msg(r, st) := sprintf("identity policy %s is not a JSON policy document with statements", [r.name]) if st in {"invalid", "missing"}

_sid(s) := sprintf("%q", [s.sid]) if s.sid != ""

else := "without Sid"
