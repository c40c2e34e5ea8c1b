# METADATA
# title: IAM policy documents
# description: |
#   Resource policies (SNS topic policies, SES sending-authorization policies) arrive as JSON
#   text, or as an object when a source already decoded them. statements() gives every statement
#   one shape, whatever way IAM lets it be spelt (a single Statement object, Action as a string
#   or a list, Principal "*" or {"AWS": ...} or {"Service": ...}), so rules ask questions instead
#   of parsing. Unknown ARNs inside the JSON are just strings and do not stop parsing.
package lib.iam

import data.lib

# What can be said about a policy value: "ok" (parsed, has statements), "missing" (null or
# empty), "unknown" (computed at apply, or a secret: cannot be judged) or "invalid" (not JSON,
# not an object, no Statement). Rules fail closed on every state but "ok".
status(p) := "missing" if {
	p in {null, ""}
} else := "unknown" if {
	not lib.known(p)
} else := "ok" if {
	_raw_statements(_doc(p))
} else := "invalid"

_doc(p) := p if is_object(p)

_doc(p) := json.unmarshal(p) if {
	is_string(p)
	json.is_valid(p)
}

_raw_statements(d) := d.Statement if is_array(d.Statement)

_raw_statements(d) := [d.Statement] if is_object(d.Statement)

# Whether a policy is exactly the shape SES-014 asks for, read without normalizing it: one
# statement (Statement a list of one object), Effect "Allow", Principal {"Service":
# "ses.amazonaws.com"}, Action "sns:Publish", no NotPrincipal or NotAction, and a Condition object
# testing AWS:SourceAccount or AWS:SourceArn. Such a policy has status "ok" and its one normalized
# statement lets SES publish, names a source and allows no one else: a topic whose policies are
# all of it gives a topic-policy rule nothing to report, so its policies need not be normalized.
# A policy of any other shape (both spellings of everything IAM accepts) is judged in full.
ses_publish_only(p) if {
	[s] := _doc(p).Statement
	s.Effect == "Allow"
	s.Action == "sns:Publish"
	s.Principal == {"Service": "ses.amazonaws.com"}
	keys := object.keys(s)
	not "NotPrincipal" in keys
	not "NotAction" in keys
	is_object(s.Condition)
	some kv in s.Condition
	is_object(kv)
	some k, _ in kv
	lower(k) in {"aws:sourceaccount", "aws:sourcearn"}
}

# The policy's statements, normalized:
# {sid, effect ("allow"/"deny"), principals (set: "*", "aws:<arn>", "service:<name>"),
#  not_principal, actions (lower-case set), not_action, condition (object)}.
statements(p) := [normalize(s) | some s in _raw_statements(_doc(p)); is_object(s)]

normalize(s) := {
	"sid": object.get(s, "Sid", ""),
	"effect": lower(_str(object.get(s, "Effect", ""))),
	"principals": _principals(object.get(s, "Principal", null)),
	"not_principal": "NotPrincipal" in object.keys(s),
	"actions": _actions(s),
	"not_action": "NotAction" in object.keys(s),
	"condition": _condition(object.get(s, "Condition", {})),
}

# The usual statement names one action as a string: read it without the general walk.
_actions(s) := {lower(s.Action)} if is_string(s.Action)

else := {lower(a) | some a in _strings(object.get(s, "Action", object.get(s, "NotAction", [])))}

_str(x) := x if is_string(x)

else := ""

_strings(x) := {x} if is_string(x)

_strings(x) := {v | some v in x; is_string(v)} if is_array(x)

_condition(c) := c if is_object(c)

else := {}

_principals(p) := {"*"} if p == "*"

_principals(p) := set() if {
	p != "*"
	not is_object(p)
}

_principals(p) := {v |
	some k, vs in p
	some x in _strings(vs)
	v := _principal(k, x)
} if is_object(p)

_principal(_, x) := "*" if x == "*"

_principal(k, x) := sprintf("%s:%s", [lower(k), x]) if x != "*"

# Every condition key a statement tests, lower-case (IAM condition keys are case-insensitive).
condition_keys(stmt) := {lower(k) |
	some _, kv in stmt.condition
	is_object(kv)
	some k, _ in kv
}

allows(stmt) if stmt.effect == "allow"

# Anyone at all: Principal "*" or {"AWS": "*"}; an Allow with NotPrincipal grants everyone else.
public(stmt) if "*" in stmt.principals

public(stmt) if stmt.not_principal

allows_public(stmt) if {
	allows(stmt)
	public(stmt)
}

unconditioned(stmt) if count(stmt.condition) == 0

# The principal as written in lower case (the usual `ses.amazonaws.com`) is one set lookup; only
# otherwise are the principals lower-cased.
has_service(stmt, service) := true if {
	sprintf("service:%s", [lower(service)]) in stmt.principals
} else := true if {
	sprintf("service:%s", [lower(service)]) in {lower(p) | some p in stmt.principals}
}

# Whether a statement's actions cover an action, IAM wildcards included; NotAction covers
# every action it does not list.
grants_action(stmt, action) if {
	not stmt.not_action
	_listed(stmt, action)
}

grants_action(stmt, action) if {
	stmt.not_action
	not _listed(stmt, action)
}

_listed(stmt, action) if {
	some a in stmt.actions
	_matches(a, lower(action))
}

_matches(pattern, action) if pattern == action

# IAM wildcards (* and ?); a pattern with other glob syntax is not an IAM action and is only
# compared literally (glob.match would fail on it).
_matches(pattern, action) if {
	regex.match(`^[a-z0-9:_*?-]+$`, pattern)
	glob.match(pattern, [], action)
}
