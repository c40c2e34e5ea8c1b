# METADATA
# title: DMARC record parser (RFC 7489)
# description: |
#   parse(s) reads one DMARC TXT string (quoted chunks already joined) into
#   {valid, errors, tags}. The record must begin with the tag `v=DMARC1`; tags are separated by
#   `;`, tag names are case-insensitive, and p, sp, adkim and aspf values are lower-cased. sp
#   defaults to p and pct to 100, as receivers apply them (RFC 7489 §6.3).
package lib.dmarc

import data.lib
import data.lib.dns
import data.lib.ses

# RFC 7489 §6.3 `p` / `sp` values and §6.3 `adkim` / `aspf` values.
policies := {"none", "quarantine", "reject"}

alignments := {"r", "s"}

# How strong a policy is, for "sp no weaker than p" comparisons (used by the published-DNS rules).
strength := {"none": 0, "quarantine": 1, "reject": 2}


_parts(s) := [t | some part in split(s, ";"); t := trim_space(part); t != ""]

_pair(t) := {"name": lower(trim_space(substring(t, 0, i))), "value": trim_space(substring(t, i + 1, -1)), "raw": t} if {
	i := indexof(t, "=")
	i > 0
} else := {"name": null, "value": null, "raw": t}

# A DMARC record is recognised by its first tag alone (RFC 7489 §6.6.3: TXT records at _dmarc
# that do not start with v=DMARC1 are discarded). The version value is case-sensitive (ABNF %x).
# Hot path: `v=DMARC1` written plainly as the first tag, matched without splitting the record.
is_dmarc(s) if {
	is_string(s)
	regex.match(`^[\x20]*v[\x20]*=[\x20]*DMARC1[\x20]*(?:;|$)`, s)
} else if {
	is_string(s)
	first := _pair(_parts(s)[0])
	first.name == "v"
	first.value == "DMARC1"
}

_lower_tags := {"p", "sp", "adkim", "aspf", "fo", "rf"}

_lower(k, v) := lower(v) if k in _lower_tags

else := v

_pct(tags) := to_number(tags.pct) if regex.match(`^[0-9]{1,3}$`, object.get(tags, "pct", ""))

else := 100 if not _has(tags, "pct")

else := null

# The parsed record. `valid` is false whenever `errors` is not empty. The parser runs for every
# DMARC record of every identity domain, so it is on the hot path of the pack: a record in the
# canonical form below that the general reading would find clean is read with builtins alone.
parse(s) := p if {
	p := _parse_canonical(s)
} else := _parse(s)

# The canonical form: printable ASCII without quotes or backslashes (so trim_space trims spaces
# only, and every name and value is a JSON string as written), `v=DMARC1` first, and every other
# `;`-separated part empty or a lower-case tag name, `=` and a value.
_canonical := `^[\x20]*v[\x20]*=[\x20]*DMARC1[\x20]*(?:;[\x20]*(?:[a-z]+[\x20]*=[\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*)?)*$`

# One part of a canonical record with its `;`: the name and the value without surrounding spaces
# (the lazy value stops before trailing spaces). An empty part gives an empty name.
_canonical_part := `[\x20]*(?:([a-z]+)[\x20]*=[\x20]*([\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*?)[\x20]*)?(?:;|$)`

# The same checks as `_clean`, with the tags read as one JSON object: each part becomes
# `"name":"value",` (a repeated name keeps one entry, so counting the named parts finds it), and
# the six case-insensitive tags are lower-cased in one call on their JSON text (ASCII only here).
# That text has its keys sorted (adkim, aspf, fo, p, rf, sp), so one match checks p, sp, adkim
# and aspf as `_clean` does.
_parse_canonical(s) := {"valid": true, "errors": [], "tags": _defaults(raw)} if {
	is_string(s)
	regex.match(_canonical, s)
	json_text := trim_suffix(regex.replace(s, _canonical_part, `"${1}":"${2}",`), ",")
	plain := object.remove(json.unmarshal(concat("", ["{", json_text, "}"])), {""})
	count(plain) == count(regex.find_n(`[a-z]+[\x20]*=[^;]*`, s, -1))
	lowered := lower(json.marshal(object.filter(plain, _lower_tags)))
	regex.match(_canonical_lowered, lowered)
	_pct_ok(object.get(plain, "pct", "100"))
	raw := object.union(plain, json.unmarshal(lowered))
}

_canonical_lowered := `^\{(?:"adkim":"[rs]",)?(?:"aspf":"[rs]",)?(?:"fo":"[^"]*",)?"p":"(?:none|quarantine|reject)"(?:,"rf":"[^"]*")?(?:,"sp":"(?:none|quarantine|reject)")?\}$`

# The general reading: the tags are split once per record and every check reads that one list.
_parse(s) := {"valid": count(errs) == 0, "errors": errs, "tags": _defaults(raw)} if {
	is_string(s)
	pairs := [_pair(t) | some t in _parts(s)]
	named := [p | some p in pairs; p.name != null]
	names := {p.name | some p in named}
	dups := _duplicates(named, names)
	raw := _first(named, names, dups)
	errs := _errors(pairs, named, raw, dups)
}

_parse(s) := {"valid": false, "errors": ["the record is not a string"], "tags": {}} if not is_string(s)

# sp defaults to p and pct to 100, as receivers apply them.
_defaults(raw) := object.union(raw, {"sp": object.get(raw, "sp", object.get(raw, "p", null)), "pct": _pct(raw)})

# Tag names that appear more than once; reported as errors, never a conflict.
_duplicates(named, names) := set() if count(named) == count(names)

else := {n | some n in names; count([p | some p in named; p.name == n]) > 1}

# The first occurrence of each tag, values of the case-insensitive tags lower-cased.
_first(named, names, dups) := object.union(plain, {k: lower(v) | some k in _lower_tags; v := plain[k]}) if {
	count(dups) == 0
	plain := {p.name: p.value | some p in named}
}

else := {n: _lower(n, v) | some n in names; v := [p.value | some p in named; p.name == n][0]}

_errors(pairs, named, raw, dups) := ["it is empty"] if count(pairs) == 0

else := [] if _clean(pairs, named, raw, dups)

else := sort({e |
	some e in array.concat(array.concat([_version_error(pairs)], _tag_errors(raw)), _syntax_errors(pairs, dups))
	e != ""
})

# Hot path: a record none of the checks below would fault, confirmed in one body (v=DMARC1 first,
# p present, every p/sp/adkim/aspf/pct value allowed, every tag with `=`, no tag twice).
_clean(pairs, named, raw, dups) if {
	count(dups) == 0
	count(named) == count(pairs)
	pairs[0].name == "v"
	pairs[0].value == "DMARC1"
	raw.p in policies
	object.get(raw, "sp", "none") in policies
	object.get(raw, "adkim", "r") in alignments
	object.get(raw, "aspf", "r") in alignments
	_pct_ok(object.get(raw, "pct", "100"))
}

_tag_errors(t) := [
	_missing("p", t),
	_bad_value(t, "p", policies, "none, quarantine or reject"),
	_bad_value(t, "sp", policies, "none, quarantine or reject"),
	_bad_value(t, "adkim", alignments, "r or s"),
	_bad_value(t, "aspf", alignments, "r or s"),
	_bad_pct(t),
]

_syntax_errors(pairs, dups) := array.concat(
	[sprintf("tag %q has no '='", [p.raw]) | some p in pairs; p.name == null],
	[sprintf("tag %s appears more than once", [n]) | some n in dups],
)

_version_error(pairs) := "" if {
	pairs[0].name == "v"
	pairs[0].value == "DMARC1"
} else := "it does not start with v=DMARC1"

# Whether a tag is present; a membership test on a key, not on a fresh set of every key.
_has(t, k) if _ = t[k]

_missing(k, t) := sprintf("it has no %s tag", [k]) if not _has(t, k)

else := ""

_bad_value(t, k, allowed, want) := sprintf("%s=%v is not %s", [k, v, want]) if {
	v := t[k]
	not v in allowed
}

else := ""

_bad_pct(t) := sprintf("pct=%v is not a whole number from 0 to 100", [t.pct]) if {
	_has(t, "pct")
	not _pct_ok(t.pct)
}

else := ""

_pct_ok(v) if {
	regex.match(`^[0-9]{1,3}$`, v)
	to_number(v) <= 100
}

# The report URIs of a tag (rua, ruf): comma-separated, each optionally followed by `!size`.
uris(tags, k) := [u | some part in split(object.get(tags, k, ""), ","); u := trim_space(part); u != ""]

# True when the record asks for aggregate reports by mail to at least one address. Hot path: the
# first URI is a plain `mailto:` address (printable ASCII without `@`, `,`, `!` or spaces around
# the `@`), which the general reading below would accept too, found without splitting the list.
has_mailto(tags, k) if {
	v := object.get(tags, k, "")
	is_string(v)
	regex.match(`^(?i:mailto):[\x22-\x2b\x2d-\x3f\x41-\x7e]+@[\x22-\x2b\x2d-\x3f\x41-\x7e]+(?:![^,]*)?(?:,|$)`, v)
} else if {
	some u in uris(tags, k)
	regex.match(`^(?i)mailto:[^@\s]+@[^@\s]+$`, split(u, "!")[0])
}

# --- discovery in the stack's DNS records ---------------------------------------------------------

record_name(domain) := concat(".", ["_dmarc", domain])

# Parent domains, nearest first, stopping above the top-level label.
_parents(domain) := [p |
	labels := split(domain, ".")
	some k in numbers.range(1, count(labels) - 2)
	p := concat(".", array.slice(labels, k, count(labels)))
]

_declared(name) if count(dns.at(name, "TXT")) > 0

_declared(name) if count(dns.at(name, "CNAME")) > 0

_declared_value(name) := true if _declared(name)

else := false

# Where receivers find the domain's policy: its own _dmarc name, or when that holds nothing, the
# nearest parent's (RFC 7489 §6.6.3 falls back to the Organizational Domain, whose sp then
# applies; without the Public Suffix List the nearest declared parent stands in for it).
_source(domain) := [domain, false] if _declared(record_name(domain))

else := [p, true] if {
	found := [q | some q in _parents(domain); _declared(record_name(q))]
	p := found[0]
}

else := [domain, false]

# {name, inherited, declared, dmarc: [{record, value}], unknown: [...], others: [...], cnames}
# Looked up once per identity domain (a complete rule is evaluated once per query; a function
# call is not cached), so SES-005/006/007 share one lookup and one parse per record.
_lookups := {d: _lookup(d) | some d in ses.domains; lib.known(d)}

lookup(domain) := l if {
	l := _lookups[domain]
} else := _lookup(domain)

# Hot path: one TXT record at the name, with one known value that is DMARC (the common case),
# read without sorting every value into dmarc, unknown and other; the same object as below.
_lookup(domain) := {
	"name": name,
	"inherited": inherited,
	"declared": true,
	"dmarc": [{"record": rec, "value": v, "parsed": parse(v)}],
	"unknown": [],
	"others": [],
	"cnames": dns.at(name, "CNAME"),
} if {
	[source, inherited] := _source(domain)
	name := record_name(source)
	[rec] := dns.at(name, "TXT")
	[v] := rec.values
	not v in lib._not_known
	is_dmarc(v)
} else := {
	"name": name,
	"inherited": inherited,
	"declared": _declared_value(name),
	"dmarc": [object.union(x, {"parsed": parse(x.value)}) | some [x, kind] in kinds; kind == "dmarc"],
	"unknown": [x | some [x, kind] in kinds; kind == "unknown"],
	"others": [x | some [x, kind] in kinds; kind == "other"],
	"cnames": dns.at(name, "CNAME"),
} if {
	[source, inherited] := _source(domain)
	name := record_name(source)
	kinds := [[x, _kind(x.value)] | some x in dns.values_at(name, "TXT")]
}

_kind(v) := "unknown" if v in lib._not_known

else := "dmarc" if is_dmarc(v)

else := "other"

# The one DMARC record that governs the domain, parsed, when there is exactly one and it is valid:
# {record, value, tags, inherited, name}. Computed once per identity domain, like the lookup:
# SES-006 and SES-007 both ask for it.
# One else-chain: the second body runs only when the first gives nothing (then _policy of the
# same lookup gives nothing again for an identity domain, as the two bodies did).
policy(domain) := p if {
	p := _policies[domain]
} else := _policy(lookup(domain))

_policies := {d: _policy(l) | some d, l in _lookups}

_policy(l) := {"record": x.record, "value": x.value, "tags": parsed.tags, "inherited": l.inherited, "name": l.name} if {
	[x] := l.dmarc
	l.unknown == []
	l.cnames == []
	parsed := x.parsed
	parsed.valid
}
