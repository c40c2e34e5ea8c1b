# METADATA
# title: Resource lookups
# description: |
#   Indexed views of input.resources. Rules join resources through these objects instead of
#   nested scans, so evaluation stays linear in the number of resources.
package lib.resources

import data.lib

# Every type token in the stack. `t := input.resources[_].type` is half the evaluation of
# `{r.type | some r in input.resources}` (one expression per resource instead of two).
types := {t | t := input.resources[_].type}

# Resources grouped by type token: by_type["aws:sns/topic:Topic"] is a list. Every index in the
# lib is a complete object whose inner comprehension compares with `==` to the key: OPA builds the
# grouping once per evaluation (comprehension indexing). Partial rules read as a whole
# (`object.get(partial, k, d)`) measured superlinear here: 7x the time for 4x the resources.
# The keys must come from the input: over a constant set of tokens, or with the type as a
# function argument, OPA does not index the comprehension and scans the resources once per type.
by_type := {t: [r | some r in input.resources; r.type == t] | some t in types}

of_type(t) := object.get(by_type, t, [])

# Resources of any of the given type tokens (SES v1 and v2 spell the same thing differently).
of_types(ts) := [r | some t in ts; some r in of_type(t)]

# A complete object, built once per evaluation: looking a key up in a partial object rule
# re-runs its body over every resource, which made every join quadratic.
by_urn := {r.urn: r | some r in input.resources}

# by_urn for the referable types only: the targets a dependency is resolved to are of these
# types, and indexing them alone is a pass over a few resources per sending domain instead of
# every resource in the stack.
_referable_by_urn := {r.urn: r | some t in referable; some r in of_type(t)}

# The same, by type first: a dependency resolves with one lookup, no type test after it.
_referable_by_type_urn := {t: {r.urn: r | some r in of_type(t)} | some t in referable}

# The types other resources point at by identifier (an ARN, id or name in a property): the
# targets of resolve() and of lib.sending's identity lookups. Indexing only these keeps by_ident
# to a few resources per sending domain instead of every resource in the stack.
referable := {
	"aws:cloudwatch/eventRule:EventRule",
	"aws:sns/topic:Topic",
	"aws:sqs/queue:Queue",
	"aws:sesv2/emailIdentity:EmailIdentity",
	"aws:ses/domainIdentity:DomainIdentity",
	"aws:ses/emailIdentity:EmailIdentity",
	"aws:route53/zone:Zone",
	"cloudflare:index/zone:Zone",
}

# Known identifiers (arn, id, name) of referable resources to the URNs that carry them; a set per
# key, since a malformed or merged stack can repeat one and a conflict must not abort evaluation.
# The inner comprehension compares with `==` to the key, so OPA groups the pairs once
# (comprehension indexing) and the object stays linear.
_ident_pairs := [[v, r.urn] |
	some r in of_types(referable)
	some k in ["arn", "id", "name"]
	v := r.props[k]
	is_string(v)
	lib.known(v)
]

by_ident := {v: {u | some [k, u] in _ident_pairs; k == v} | some v in {k | some [k, _] in _ident_pairs}}

# The resources of type t that a property value of r points at. A known value matches an
# identifier of the target; a value that is unknown at preview (an ARN not yet created)
# matches through r's dependencies, which is how Pulumi records the same reference.
# One else-chain: the three cases exclude each other, and only the one that applies is evaluated.
# `_referable_by_type_urn[t]` is defined (an object, maybe empty) exactly when t is referable: the
# test without a membership call.
resolve(value, r, t) := {x | x := _referable_by_type_urn[t][r.dependencies[_]]} if {
	lib.unknown(value)
	_referable_by_type_urn[t]
}

else := {x |
	some u in object.get(r, "dependencies", [])
	x := by_urn[u]
	x.type == t
} if lib.unknown(value)

else := {x |
	not value in lib._not_known
	some u in object.get(by_ident, value, set())
	x := _referable_by_urn[u]
	x.type == t
} if t in referable

# A type no index covers is scanned: correct for any caller, linear per call.
else := {x |
	not value in lib._not_known
	some x in of_type(t)
	some k in ["arn", "id", "name"]
	x.props[k] == value
}
