# METADATA
# title: Resource lookups
# description: |
#   Indexed views of input.resources. Rules join resources through these objects instead of
#   nested scans, so evaluation stays linear in the number of resources.
package lib.resources

import data.lib

types := {r.type | some r in input.resources}

# Resources grouped by type token: by_type["aws:sns/topic:Topic"] is a list.
by_type[t] := [r | some r in input.resources; r.type == t] if some t in types

of_type(t) := object.get(by_type, t, [])

# Resources of any of the given type tokens (SES v1 and v2 spell the same thing differently).
of_types(ts) := [r | some t in ts; some r in of_type(t)]

# A complete object, built once per evaluation: looking a key up in a partial object rule
# re-runs its body over every resource, which made every join quadratic.
by_urn := {r.urn: r | some r in input.resources}

# Known identifiers (arn, id, name) to the URNs that carry them; a set per key, since a
# malformed or merged stack can repeat one and a conflict must not abort evaluation.
# Built from sorted (identifier, urn) pairs, one run per identifier: a partial set rule
# grouping ~15,000 keys cost more than the rest of the pack together.
_ident_pairs := sort([[v, r.urn] |
	some r in input.resources
	some k in ["arn", "id", "name"]
	v := r.props[k]
	is_string(v)
	lib.known(v)
])

_run_starts := [i | some i, p in _ident_pairs; _run_start(i, p)]

_run_start(0, _)

_run_start(i, p) if {
	i > 0
	_ident_pairs[i - 1][0] != p[0]
}

_run_end(j) := _run_starts[j + 1] if j + 1 < count(_run_starts)

else := count(_ident_pairs)

by_ident := {_ident_pairs[st][0]: {_ident_pairs[m][1] | some m in numbers.range(st, _run_end(j) - 1)} | some j, st in _run_starts}

# The resources of type t that a property value of r points at. A known value matches an
# identifier of the target; a value that is unknown at preview (an ARN not yet created)
# matches through r's dependencies, which is how Pulumi records the same reference.
resolve(value, r, t) := {x |
	lib.known(value)
	some u in object.get(by_ident, value, set())
	x := by_urn[u]
	x.type == t
} if not lib.unknown(value)

resolve(value, r, t) := {x |
	lib.unknown(value)
	some u in object.get(r, "dependencies", [])
	x := by_urn[u]
	x.type == t
} if lib.unknown(value)

prop(r, path) := object.get(r.props, path, null)
