# METADATA
# title: DNS records, Route53 and Cloudflare
# description: |
#   One normalized view of every DNS record a stack declares, whichever provider declares it:
#   {resource (the record's URN), dependencies, name, type, values, priority, zone}. Names are fully qualified, lower-case, without
#   the trailing dot; a name relative to its zone (or `@`, the apex) is completed when the zone is
#   in the stack. TXT values written as several quoted strings are joined into one string, as
#   receivers do (RFC 7208 §3.3); MX values read "<preference> <host>" for both providers.
#   Records whose name is unknown at preview (built from DKIM tokens) are kept apart in
#   `unknown_named` and indexed by the resources they depend on, so rules can check their
#   structure.
package lib.dns

import data.lib
import data.lib.resources
import data.lib.types

route53_record := "aws:route53/record:Record"

route53_zone := "aws:route53/zone:Zone"

cloudflare_record := "cloudflare:index/dnsRecord:DnsRecord"

cloudflare_record_v4 := "cloudflare:index/record:Record"

cloudflare_zone := "cloudflare:index/zone:Zone"

# A DNS name compared the way resolvers do: case-insensitive, no trailing dot.
normalize(name) := lower(trim_suffix(trim_space(name), ".")) if is_string(name)

# True when sub is a strict subdomain of domain (label-wise, not a plain string suffix).
strict_subdomain(sub, domain) if endswith(sub, concat("", [".", domain]))

# --- zones ---------------------------------------------------------------------------------------

_zone_name(z) := normalize(z.props.name) if {
	z.type == route53_zone
	lib.known(z.props.name)
}

# Cloudflare provider v5+ calls the zone's domain `name`; v4 called it `zone`.
_zone_name(z) := normalize(n) if {
	z.type == cloudflare_zone
	n := object.get(z.props, "name", object.get(z.props, "zone", null))
	lib.known(n)
}

_zones := array.concat(resources.of_type(route53_zone), resources.of_type(cloudflare_zone))

# Known zone identifiers to zone names. A Route53 record's zoneId is the zone's `zoneId` output
# (also its id); a Cloudflare record's zoneId is the zone's `id`.
_zone_ids := {[id, _zone_name(z)] |
	some z in _zones
	some id in {object.get(z.props, "zoneId", null), object.get(z.props, "id", null), object.get(z, "id", null)}
	lib.known(id)
	is_string(id)
}

_zone_by_id := {id: names |
	some [id, _] in _zone_ids
	names := {n | some [i, n] in _zone_ids; i == id}
}

# The one zone name of each known zone id (null when the id names several zones).
_zone_of_id := {id: _one_of(names) | some id, names in _zone_by_id}

# The zone name of a record: by a known zone id, or, when the id is unknown at preview, through
# the record's dependencies on a zone resource; null when the zone is not in the stack. Hot path:
# one else-chain per record, so only the branch that applies is evaluated.
zone_of(r) := _one_of(object.get(_zone_by_id, zid, set())) if {
	zid := object.get(r.props, "zoneId", null)
	lib.known(zid)
} else := _one_of({n |
	some t in [route53_zone, cloudflare_zone]
	some z in resources.resolve(r.props.zoneId, r, t)
	n := _zone_name(z)
}) if {
	lib.unknown(object.get(r.props, "zoneId", null))
} else := null

_one_of(zs) := z if {
	count(zs) == 1
	some z in zs
} else := null

# --- names ---------------------------------------------------------------------------------------

# Completing a relative name follows the providers (terraform-provider-aws expandRecordName,
# Cloudflare's API): `@` or an empty name is the apex; a name already ending in the zone stays.
fqdn(name, zone) := _complete(normalize(name), zone)

_complete(n, zone) := n if not is_string(zone)

else := zone if n in {"", "@"}

else := n if n == zone

else := n if endswith(n, concat("", [".", zone]))

else := concat(".", [n, zone])

# --- values --------------------------------------------------------------------------------------

# RFC 1035 character-strings: one TXT record may be written as `"part1" "part2"`; receivers join
# the parts without spaces (RFC 7208 §3.3, and DMARC the same way). Route53 users split long
# strings as `part1""part2` inside one element, which Route53 stores as two strings.
txt_join(v) := concat("", [_unquote(c) | some c in regex.find_n(`"(?:[^"\\]|\\.)*"`, trim_space(v), -1)]) if {
	startswith(trim_space(v), `"`)
} else := replace(v, `""`, "")

_unquote(c) := replace(replace(substring(c, 1, count(c) - 2), `\"`, `"`), `\\`, `\`)

# "<preference> <host>" with the preference as a plain integer and the host normalized; an MX
# value of another shape is kept as written, so a rule reports it as wrong.
_mx_value(v) := concat(" ", [format_int(to_number(parts[0]), 10), normalize(parts[1])]) if {
	parts := regex.split(`\s+`, trim_space(v))
	count(parts) == 2
	regex.match(`^[0-9]+(\.0+)?$`, parts[0])
} else := trim_space(v)

# `v in lib._not_known` is `not lib.known(v)` without a function call: this runs for every value.
_value(type, v) := v if v in lib._not_known

else := txt_join(v) if type == "TXT"

else := normalize(v) if type in {"CNAME", "NS", "PTR"}

else := _mx_value(v) if type == "MX"

else := v

# Route53: a list of values (or a wholly unknown list at preview). Cloudflare: one value,
# `content` (older providers: `value`); an MX takes its preference from `priority`.
_values(r, type) := [lib.unknown_value] if {
	r.type == route53_record
	lib.unknown(object.get(r.props, "records", []))
} else := [_value(type, v) | some v in object.get(r.props, "records", [])] if {
	r.type == route53_record
} else := [] if {
	_cf_content(r) == null
} else := [_cf_mx(r)] if {
	type == "MX"
} else := [_value(type, _cf_content(r))]

_cf_content(r) := object.get(r.props, "content", object.get(r.props, "value", null))

_cf_mx(r) := lib.unknown_value if {
	some x in [_cf_content(r), object.get(r.props, "priority", 0)]
	not lib.known(x)
} else := _value("MX", _cf_content(r)) if {
	object.get(r.props, "priority", null) == null
} else := _value("MX", concat(" ", [sprintf("%v", [r.props.priority]), _cf_content(r)]))

_type(r) := upper(r.props.type) if is_string(r.props.type)

else := ""

# --- the records ---------------------------------------------------------------------------------

_all := array.concat(
	resources.of_type(route53_record),
	array.concat(resources.of_type(cloudflare_record), resources.of_type(cloudflare_record_v4)),
)

# Hot path: the common Route53 record (a known zone id, a string type, a list of values) read in
# one body, with the same results as the general reading below.
_record(r) := {
	"resource": r.urn,
	"dependencies": object.get(r, "dependencies", []),
	"name": _name(r, z),
	"type": type,
	"values": [_value(type, v) | some v in vs],
	"priority": object.get(r.props, "priority", null),
	"zone": z,
} if {
	r.type == route53_record
	props := r.props
	zid := props.zoneId
	not zid in lib._not_known
	z := object.get(_zone_of_id, zid, null)
	t := props.type
	is_string(t)
	type := upper(t)
	vs := props.records
	is_array(vs)
} else := {
	"resource": r.urn,
	"dependencies": object.get(r, "dependencies", []),
	"name": _name(r, z),
	"type": type,
	"values": _values(r, type),
	"priority": object.get(r.props, "priority", null),
	"zone": z,
} if {
	z := zone_of(r)
	type := _type(r)
}

# Route53 reports the full name it created as the `fqdn` output (state, and a preview of a record
# that already exists): it is the truth for a name written relative to a zone the stack only
# looks up (aws.route53.getZone), which no zone resource here can complete.
_name(r, z) := normalize(f) if {
	r.type == route53_record
	f := object.get(r.props, "fqdn", null)
	is_string(f)
	lib.known(f)
	f != ""
} else := fqdn(r.props.name, z) if lib.known(object.get(r.props, "name", null))
else := lib.unknown_value

# A name that may be relative to a zone this stack does not declare (no zone found, no fqdn yet)
# stands for `fullname` when completing it with the domain, or a parent zone of it, gives that
# name: `abc._domainkey` in the zone of example.com is `abc._domainkey.example.com`.
relative_match(rec, fullname, domain) if {
	rec.zone == null
	rec.name != lib.unknown_value
	startswith(fullname, concat("", [rec.name, "."]))
	rest := substring(fullname, count(rec.name) + 1, -1)
	_zone_of_domain(rest, domain)
	count(split(rest, ".")) >= 2
}

_zone_of_domain(zone, domain) if zone == domain

_zone_of_domain(zone, domain) if strict_subdomain(domain, zone)

# Hot path: the common Route53 record (a string zone id that is known, a string type, a list of
# values, a name that is a string or absent) read in one comprehension with no per-record call
# but the name's and the values': such a record is well-typed (`_malformed` gives []) and reads
# as `_record` reads it. When every record is of that kind (a Route53-only stack), `records` is
# this list's records, in the same order, and no record is checked or read twice; the indexes
# read the pairs themselves (`_keyed`), so `records` is built only if asked for; otherwise every record
# takes the general reading below. The rules the comprehension reads are bound to local variables
# first: a rule reference costs a lookup per record, a variable does not. Each record comes with
# its [name, type] key, so the [name, type] index groups these pairs without reading the records
# again.
_hot_keyed := pairs if {
	not_known := lib._not_known
	unknown := lib.unknown_value
	zones := _zone_of_id
	pairs := [[[name, type], {
		"resource": r.urn,
		"dependencies": object.get(r, "dependencies", []),
		"name": name,
		"type": type,
		"values": vals,
		"priority": object.get(props, "priority", null),
		"zone": z,
	}] |
		some r in resources.of_type(route53_record)
		props := r.props
		zid := props.zoneId
		is_string(zid)
		not zid in not_known
		# An absent name reads as unknown (as `_name` reads it); a name of another type fails here.
		n := object.get(props, "name", unknown)
		is_string(n)
		t := props.type
		is_string(t)
		type := upper(t)
		vals := _hot_values(type, props.records)
		z := object.get(zones, zid, null)
		name := _r53_name(object.get(props, "fqdn", null), n, z)
	]
}

_hot := [rec | some [_, rec] in _hot_keyed]

# Every record is a Route53 record of the hot path's kind (_all lists the Route53 records first).
_all_hot if count(_hot_keyed) == count(_all)

# The values of a record read as `_value` reads each, when `records` is a list of strings (else
# undefined: the record takes the general reading). One call per record, memoized per type and
# list (records often repeat one value: DKIM CNAMEs at preview, the MAIL FROM MX and SPF), the type
# tested once rather than per value. A value that is unknown or secret reads as itself either way
# (no quote, no whitespace, no trailing dot, no upper case), so the unknown test `_value` makes
# first is not needed here. Every value a string: the string values read, and as many as there are
# values (one count where `every` cost a dozen events per record).
_hot_values(type, vs) := vals if {
	is_array(vs)
	vals := _hot_strings(type, vs)
	count(vals) == count(vs)
}

_hot_strings(type, vs) := [txt_join(v) | some v in vs; is_string(v)] if type == "TXT"

else := [lower(trim_suffix(trim_space(v), ".")) | some v in vs; is_string(v)] if type in {"CNAME", "NS", "PTR"}

else := [_mx_value(v) | some v in vs; is_string(v)] if type == "MX"

else := [v | some v in vs; is_string(v)]

# `_name` of a Route53 record from its `fqdn` and `name` (unknown when absent) and its zone, with
# `lib.known` and `normalize` inlined (a string name assumed). Plain values as arguments: a call
# with the record's properties would hash them.
_r53_name(f, n, z) := lower(trim_suffix(trim_space(f), ".")) if {
	# At preview the fqdn is unknown: the first test fails.
	not f in lib._not_known
	is_string(f)
	f != ""
} else := lib.unknown_value if {
	n in lib._not_known
} else := lower(trim_suffix(trim_space(n), ".")) if {
	# No zone in the stack (looked up with getZone): the name as written.
	z == null
} else := _complete(lower(trim_suffix(trim_space(n), ".")), z)

# Each record's shape is checked once: `records` and `malformed` both read this list.
_checked := [[r, _malformed(r)] | some r in _all]

records := _hot if _all_hot

else := [_record(r) | some [r, ps] in _checked; count(ps) == 0]

# --- records of the wrong shape --------------------------------------------------------------------
# A record whose name, type, zone or values are of the wrong JSON type (a name that is a list, a
# Route53 `records` that is an object, whose values iteration would silently read) is not a record
# any rule can judge: it is kept out of `records` and listed here, {resource, dependencies, name
# (the completed name when the name itself is readable, else null), problems}, for the rules that
# need a record at its name to report they cannot verify it.
_shapes := {
	route53_record: [["name", "string"], ["type", "string"], ["zoneId", "string"], ["records", "array"]],
	cloudflare_record: [["name", "string"], ["type", "string"], ["zoneId", "string"], ["content", "string"], ["priority", "number"]],
	cloudflare_record_v4: [["name", "string"], ["type", "string"], ["zoneId", "string"], ["value", "string"], ["content", "string"], ["priority", "number"]],
}

# Hot path: nearly every record has the provider's types, which one rule body per provider
# confirms with builtins alone; only a record it does not confirm is walked property by property.
_malformed(r) := [] if _well_typed(r)

else := array.concat(
	[types.describe(prop, v, kind) |
		some [prop, kind] in _shapes[r.type]
		v := object.get(r.props, prop, null)
		types.wrong(v, kind)
	],
	_wrong_values(r),
)

# Route53's `records` is a list of strings: a number or a list in it is no value a rule can read
# (string builtins would stop the evaluation on it), so the record is malformed.
_wrong_values(r) := [types.describe(sprintf("records[%d]", [i]), v, "string") |
	r.type == route53_record
	vs := r.props.records
	is_array(vs)
	some i, v in vs
	types.wrong(v, "string")
]

# A property of the right JSON type, or one that is absent, unknown or secret (never wrong).
_well_typed(r) if {
	r.type == route53_record
	is_string(object.get(r.props, "name", ""))
	is_string(object.get(r.props, "type", ""))
	is_string(object.get(r.props, "zoneId", ""))
	vs := object.get(r.props, "records", [])
	is_array(vs)
	every v in vs { is_string(v) }
}

_well_typed(r) if {
	r.type == cloudflare_record
	is_string(object.get(r.props, "name", ""))
	is_string(object.get(r.props, "type", ""))
	is_string(object.get(r.props, "zoneId", ""))
	is_string(object.get(r.props, "content", ""))
	is_number(object.get(r.props, "priority", 0))
}

_well_typed(r) if {
	r.type == cloudflare_record_v4
	is_string(object.get(r.props, "name", ""))
	is_string(object.get(r.props, "type", ""))
	is_string(object.get(r.props, "zoneId", ""))
	is_string(object.get(r.props, "value", ""))
	is_string(object.get(r.props, "content", ""))
	is_number(object.get(r.props, "priority", 0))
}

malformed := [] if _all_hot

else := [{
	"resource": r.urn,
	"label": r.name,
	"dependencies": object.get(r, "dependencies", []),
	"name": _malformed_name(r),
	"problems": ps,
} |
	some [r, ps] in _checked
	count(ps) > 0
]

_malformed_name(r) := fqdn(r.props.name, zone_of(r)) if {
	is_string(r.props.name)
	lib.known(r.props.name)
} else := null

# The malformed records that may be the record at `name`: those at that name, and those whose name
# cannot be read (they could be any record).
malformed_at(name) := [m | some m in malformed; m.name in {name, null}]

# A message for one malformed record.
malformed_message(m, what) := sprintf("cannot verify %s: in DNS record %s, %s", [what, m.label, concat("; ", m.problems)])

# Every index below is an object comprehension whose inner comprehension compares with `==` to
# the key: OPA then builds the grouping once (comprehension indexing), keeping it linear. Partial
# rules (`by_name[k] contains x`) and `in` filters measured quadratic in OPA here. Records carry
# their URN, not the resource, so grouping does not hash whole resources.
_names := {rec.name | some rec in records; rec.name != lib.unknown_value}

by_name := {n: recs |
	some n in _names
	recs := [rec | some rec in records; rec.name == n]
}

by_name_type := {n: types |
	some n, recs in by_name
	types := {t: [rec | some rec in recs; rec.type == t] | some t in {rec.type | some rec in recs}}
}

unknown_named := [rec | some rec in records; rec.name == lib.unknown_value]

# Records by the URN of every resource they depend on: how a DKIM CNAME built from an
# identity's tokens (its name unknown at preview) is traced back to that identity.
# Each record once per URN it depends on, in record order: the URNs and the grouping read these
# pairs, so each record's dependencies are walked once (not once for the URNs and again in the
# grouping), and the grouping compares one value per pair.
_dependency_pairs := [[u, rec] | some [_, rec] in _keyed; some u in rec.dependencies]

_dependencies := {u | some [u, _] in _dependency_pairs}

by_dependency := {u: recs |
	some u in _dependencies
	recs := [rec | some [d, rec] in _dependency_pairs; d == u]
}

# Known-named `<selector>._domainkey.<domain>` records, by domain, in record order. When no known
# name holds "._domainkey." (one search of the names' JSON text: the substring is never escaped),
# there are none and the records are not walked. (The unknown name holds no "._domainkey.".)
_domainkey := [] if {
	not contains(json.marshal(object.keys(_by_name_type)), "._domainkey.")
} else := [[substring(name, i + 12, -1), rec] |
	some rec in records
	name := rec.name
	i := indexof(name, "._domainkey.")
	i > 0
]

_domainkey_domains := {d | some [d, _] in _domainkey}

domainkey_by_domain := {d: recs |
	some d in _domainkey_domains
	recs := [rec | some [d2, rec] in _domainkey; d2 == d]
}

# The records of one type at one name (an empty list when there are none): by_name_type[name][type]
# from one flat index keyed by [name, type], which costs one grouping pass instead of the three
# (names, by_name, then types per name) that building by_name_type takes.
at(name, type) := object.get(_by_name_type, [[name, type]], [])

# Every record with its [name, type] key: the hot path's pairs when every record took it.
_keyed := _hot_keyed if _all_hot

else := [[[rec.name, rec.type], rec] | some rec in records]

# The TXT records at each known name (by_name_type[name].TXT), for the rules that read every TXT
# record: one step per name and type rather than per record.
txt_by_name := {name: recs | some [name, "TXT"], recs in _by_name_type}

# The [name, type] index itself, for a caller that looks a key up on a hot path (no function call,
# no default): a missing key is undefined, as `at`'s empty list fails a pattern like `[r] := ...`.
by_name_and_type := _by_name_type

# The keys read from the pairs themselves (no set of them built first): each key is one record's
# in the common case, and a key several records share finds the same list each time.
_by_name_type := idx if {
	unknown := lib.unknown_value
	idx := {k: recs |
		some [k, _] in _keyed
		k[0] != unknown
		recs := [rec | some [k2, rec] in _keyed; k2 == k]
	}
}

# Every value at one name and type: [{record, value}], one per TXT/MX/CNAME record string.
values_at(name, type) := [{"record": rec, "value": v} | some rec in at(name, type); some v in rec.values]

# --- DNS published outside the stack -------------------------------------------------------------

# The stack says its records are published by someone else (the ses-sender program's
# `ses-sender:dns: external`, any project's `<project>:dns: external`, or the generic
# `sesguard:externalDns`: true, or a list of domains). Such records are checked against published
# DNS by `sesguard dns`, not here.
_config(k) := json.unmarshal(v) if {
	v := input.config[k]
	is_string(v)
	json.is_valid(v)
}

else := input.config[k]

_dns_keys := {"ses-sender:dns", concat(":", [object.get(input, "project", "ses-sender"), "dns"])}

external_all if {
	some k in _dns_keys
	lower(sprintf("%v", [_config(k)])) == "external"
}

external_all if lower(sprintf("%v", [_config("sesguard:externalDns")])) == "true"

external(domain) if external_all

external(domain) if {
	some d in _external_list
	domain == d
}

external(domain) if {
	some d in _external_list
	strict_subdomain(domain, d)
}

_external_list := {normalize(d) | some d in _config("sesguard:externalDns")} if is_array(_config("sesguard:externalDns"))

else := set()
