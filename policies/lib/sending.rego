# METADATA
# title: How an identity's mail is sent and where its feedback goes
# description: |
#   Joins identities to the configuration sets they name, configuration sets to their event
#   destinations, and identities to SES v1 notification topics, all keyed by URN so rules stay
#   linear. A name known at preview joins by name; a name unknown until apply joins through the
#   referring resource's dependencies, which is how Pulumi records the same reference.
package lib.sending

import data.lib
import data.lib.resources
import data.lib.ses
import data.lib.topics
import data.lib.types

identity_types := {ses.t.v2_identity, ses.t.v1_domain_identity, ses.t.v1_email_identity}

feedback_types := {"BOUNCE", "COMPLAINT"}

# Does the stack declare anything of SES at all? Stack-level rules only judge SES stacks: the
# pack runs on every Pulumi program. A scan that stops at the first SES resource (OPA ends a rule
# whose value is constant at its first solution): no set of every type is built for it.
ses_stack if {
	t := input.resources[_].type
	startswith(t, "aws:ses")
}

# A setting the stack's config gives for the sender: `<project>:<key>`, `ses-sender:<key>` (this
# repository's program) or the generic `sesguard:<key>`; null when none does.
# The first prefix that sets the key wins: a stack that sets two of them (an example copied into
# another project) gets one answer, not a conflict that stops the evaluation.
setting(key) := vs[0] if {
	vs := [v |
		some prefix in [object.get(input, "project", ""), "ses-sender", "sesguard"]
		v := input.config[sprintf("%s:%s", [prefix, key])]
		v != null
	]
	count(vs) > 0
} else := null

# Pulumi hands booleans in config to programs as text; both spellings count.
is_false(v) if v == false

is_false(v) if {
	is_string(v)
	lower(trim_space(v)) == "false"
}

# Indexes are complete objects or read with object.get: a key looked up in a partial rule
# re-runs the rule's body for every lookup, which makes joins quadratic.
configuration_sets := {c.resource.urn: c | some c in ses.configuration_sets}

# The configuration sets (URNs) a name, as a property of resource r, refers to.
# (`not x in lib._not_known` is lib.known(x) without the cost of a call, for a defined x.)
sets_named(value, r) := object.get(_set_urns_by_name, value, set()) if {
	is_string(value)
	not value in lib._not_known
} else := {u | some u in object.get(r, "dependencies", []); configuration_sets[u]} if {
	value == lib.unknown_value
} else := set()

# Configuration set URNs by name, built once: sets_named reads one key instead of building a set
# per call.
# When every set has a string name of its own (the usual stack) each name holds one URN, and the
# object is one pass over the sets instead of grouping them by name.
_set_urns_by_name := {c.name: {c.resource.urn} | some c in ses.configuration_sets} if {
	count(ses.set_names) == count(ses.configuration_sets)
} else := {n: {c.resource.urn | some c in cs} | some n, cs in ses.configuration_set_by_name}

# Every identity that can send, domain or address: {resource, version, configuration_set, domain,
# and address for an address identity}.
identities := ses.domain_identities | ses.address_identities

# Identity URN -> the configuration sets (URNs) it names as its default.
identity_sets := {i.resource.urn: sets_named(i.configuration_set, i.resource) | some i in identities}

_named := {u | some _, s in identity_sets; some u in s}

# Configuration sets used for sending: those identities name as their default. A stack whose
# identities name none (a v1 program names the set on each send) sends through all it declares.
used_sets := _named if count(_named) > 0

else := {u | some u, _ in configuration_sets}

# The used sets whose reputation metrics, sending and TLS settings are not all on as written in
# the common case (true, true, "REQUIRE"; v1: "Require"): the only ones SES-018/019/020 can report.
# One cheap body per set leaves the compliant ones out before each rule reads its own property.
used_sets_to_judge := {u | some u in used_sets; not _settings_on(configuration_sets[u])}

_settings_on(c) if {
	c.version == "v2"
	p := c.resource.props
	p.reputationOptions.reputationMetricsEnabled == true
	p.sendingOptions.sendingEnabled == true
	p.deliveryOptions.tlsPolicy == "REQUIRE"
}

_settings_on(c) if {
	c.version == "v1"
	p := c.resource.props
	p.reputationMetricsEnabled == true
	p.sendingEnabled == true
	p.deliveryOptions.tlsPolicy in {"Require", "REQUIRE"}
}

# Event destinations by the URN of their configuration set.
destinations_by_set := _destinations_by_known_set if {
	not _destination_set_unknown
} else := {u: {v | some [k, v] in _destination_pairs; k == u} | some u in {k | some [k, _] in _destination_pairs}}

# When no destination names its set by a value unknown until apply, every destination joins by
# name alone: lib.ses's grouping by name, keyed by the URNs of the sets of that name, is the same
# object without a [set, destination] pair per destination.
_destination_set_unknown if {
	some d in ses.event_destinations
	d.configuration_set == lib.unknown_value
}

_destinations_by_known_set := {u: ds |
	some n, ds in ses.event_destinations_by_set
	not n in lib._not_known
	some u in object.get(_set_urns_by_name, n, set())
}

_destination_pairs contains [u, d] if {
	some d in ses.event_destinations
	some u in sets_named(d.configuration_set, d.resource)
}

destinations(set_urn) := object.get(destinations_by_set, set_urn, set())

# The event types a destination matches, as written: v2 matchingEventTypes, v1 matchingTypes.
raw_types(d) := object.get(d.resource.props, ["eventDestination", "matchingEventTypes"], null) if d.version == "v2"

else := object.get(d.resource.props, "matchingTypes", null) if d.version == "v1"

# Types known at preview (upper-case); a list computed at apply, or one with an unknown item,
# cannot be verified.
# When no item is unknown or secret that is the destination's own upper-cased `types` (lib.ses
# reads the same list), which saves a second pass over the list.
known_types(d) := d.types if {
	raw := raw_types(d)
	is_array(raw)
	not lib.unknown_value in raw
	not lib.secret_value in raw
} else := {upper(x) | some x in raw_types(d); is_string(x); not x in lib._not_known} if is_array(raw_types(d))

else := set()

types_unknown(d) if not lib.known(raw_types(d))

types_unknown(d) if {
	some x in raw_types(d)
	not lib.known(x)
}

enabled(d) if d.enabled == true

enabled_unknown(d) if {
	d.enabled != null
	not lib.known(d.enabled)
}

# SES v1 identity notification topics by the URN of the identity they belong to. A topic that is
# null or empty turns notifications off, so it does not count.
notifications_by_identity := {u: {v | some [k, v] in _notification_pairs; k == u} | some u in {k | some [k, _] in _notification_pairs}}

_notification_pairs contains [u, n] if {
	some n in ses.notification_topics
	not n.topic in {null, ""}
	some u in identities_named(n.identity, n.resource)
}

notification_types(identity_urn) := object.get(_notification_types, identity_urn, set())

_notification_types := {u: {n.type | some n in ns} | some u, ns in notifications_by_identity}

_by_domain := {d: {i.resource.urn | some i in ses.domain_identities; i.domain == d} | some d in ses.domains}

_norm(v) := lower(trim_suffix(v, "."))

# An identity value names a domain, an identity ARN (arn:…:ses:…:identity/<domain>), or an
# identifier of the identity resource.
_identity_name(v) := substring(v, indexof(v, ":identity/") + 10, -1) if {
	startswith(v, "arn:")
	contains(v, ":identity/")
} else := v

_by_address := {a: {i.resource.urn | some i in ses.address_identities; i.address == a} | some a in {i.address | some i in ses.address_identities}}

identities_named(v, r) := {u | some u in object.get(_by_domain, _norm(_identity_name(v)), set())} | {u | some u in object.get(_by_address, _norm(_identity_name(v)), set())} | {u |
	some u in object.get(resources.by_ident, v, set())
	resources.by_urn[u].type in identity_types
} if {
	is_string(v)
	lib.known(v)
} else := {u |
	some u in object.get(r, "dependencies", [])
	resources.by_urn[u].type in identity_types
} if {
	lib.unknown(v)
} else := set()

# Whether SES v1 notification topics carry both bounces and complaints of an identity.
notified(identity_urn) if (feedback_types & notification_types(identity_urn)) == feedback_types

# A configuration set's property, v2 or v1 spelling: the value, null when absent, or the unknown
# sentinel when it or an object on the way to it is computed at apply.
# One else-chain: the two versions exclude each other, and only the head that applies is evaluated.
set_prop(c, v2path, v1path) := _path_value(c.resource.props, v2path) if c.version == "v2"

else := _path_value(c.resource.props, v1path) if c.version == "v1"

# A value other than null at the path means every block on the way is an object, none unknown:
# that common case is one read. Otherwise the prefixes are walked for an unknown block.
_path_value(props, path) := v if {
	v := object.get(props, path, null)
	v != null
} else := _path_value_walk(props, path)

_path_value_walk(props, path) := lib.unknown_value if {
	some i in numbers.range(1, count(path))
	i < count(path)
	lib.unknown(object.get(props, array.slice(path, 0, i), null))
} else := object.get(props, path, null)

# What is of the wrong type on the way to a configuration set's property: a block that is not an
# object, or the value not of `kind`, described for a message; undefined when the shape is right.
# object.get reads through a block of the wrong type as if the property were absent, so every
# rule that reads set_prop asks this first.
set_prop_wrong(c, v2path, v1path, kind) := _path_wrong(c.resource.props, v2path, kind) if c.version == "v2"

else := _path_wrong(c.resource.props, v1path, kind) if c.version == "v1"

_path_wrong(props, path, kind) := types.describe(path[0], v, kind) if {
	count(path) == 1
	v := object.get(props, path, null)
	types.wrong(v, kind)
} else := types.describe(path[0], x, "object") if {
	count(path) == 2
	x := object.get(props, [path[0]], null)
	types.wrong(x, "object")
} else := types.describe(path[1], v, kind) if {
	count(path) == 2
	v := object.get(props, path, null)
	types.wrong(v, kind)
} else := _path_wrong_walk(props, path, kind) if {
	count(path) > 2
}

_path_wrong_walk(props, path, kind) := blocks[0] if {
	blocks := [types.describe(path[i - 1], x, "object") |
		some i in numbers.range(1, count(path))
		i < count(path)
		x := object.get(props, array.slice(path, 0, i), null)
		types.wrong(x, "object")
	]
	count(blocks) > 0
} else := types.describe(path[count(path) - 1], v, kind) if {
	v := object.get(props, path, null)
	types.wrong(v, kind)
}

# How a message names a configuration set.
set_name(c) := c.name if lib.known(c.name)

else := c.resource.name

# Where SES publishes to SNS: every SNS event destination and every v1 notification topic,
# as {from (the resource that names the topic), value (the topic reference), feedback (whether
# bounces or complaints go there, or may: types unknown), enabled}.
sns_refs contains {
	"from": d.resource,
	"value": d.sns_topic,
	"feedback": _carries_feedback(d),
	"enabled": enabled(d),
} if {
	some d in ses.event_destinations
	not d.sns_topic in {null, ""}
}

sns_refs contains {"from": n.resource, "value": n.topic, "feedback": n.type in feedback_types, "enabled": true} if {
	some n in ses.notification_topics
	not n.topic in {null, ""}
}

_carries_feedback(d) := true if {
	known_types(d) & feedback_types != set()
} else := true if {
	types_unknown(d)
} else := false

# A topic reference resolved to the topics in this stack (empty when it is elsewhere).
ref_topics(ref) := topics.resolve_topic(ref.value, ref.from)

# Every topic in the stack SES publishes to, by URN: the topics of sns_refs' references, read
# from where they are written (_sns_sources) without building a reference for each.
ses_topics := {t.urn: t |
	some [v, r] in _sns_sources
	some t in topics.resolve_topic(v, r)
}

# [value, from] of each reference in sns_refs: an SNS event destination that is enabled (a
# reference's "enabled" is enabled(d), defined only when true, so sns_refs holds no other) and
# every v1 notification topic.
_sns_sources contains [d.sns_topic, d.resource] if {
	some d in ses.event_destinations
	not d.sns_topic in {null, ""}
	enabled(d)
}

_sns_sources contains [n.topic, n.resource] if {
	some n in ses.notification_topics
	not n.topic in {null, ""}
}

# Whether a reference in sns_refs resolves to no topic in the stack: a rule reporting such
# references walks sns_refs only then (the usual stack declares every topic it names).
sns_unresolved if {
	some [v, r] in _sns_sources
	count(topics.resolve_topic(v, r)) == 0
}

# How a message names a topic: its name, else its logical name.
topic_name(t) := t.props.name if lib.known(object.get(t.props, "name", null))

else := t.name

# How a message names a topic reference: the value when known, else what names it.
ref_name(ref) := ref.value if lib.known(ref.value)

else := sprintf("(unknown until apply, named by %s)", [ref.from.name])
