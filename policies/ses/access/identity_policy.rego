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
#     Name the sending account and the actions it needs, e.g.
#     `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
#     "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": identity_arn}`,
#     and add a condition when the principal must be broader.
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
