# METADATA
# title: SPF record parser (RFC 7208)
# description: |
#   parse(s) reads one SPF TXT string (quoted chunks already joined) into {valid, errors, terms,
#   modifiers, lookups, all}. Terms are mechanisms with their qualifier (+ when none is written)
#   or modifiers (name=value). `lookups` counts the terms that cost a DNS query (include, a, mx,
#   ptr, exists and the redirect modifier, RFC 7208 §4.6.4) in this record only: the records an
#   include pulls in are published elsewhere and checked by `sesguard dns`.
package lib.spf

mechanisms := {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}

lookup_terms := {"include", "a", "mx", "ptr", "exists", "redirect"}

# An SPF record starts with the version `v=spf1`, alone or followed by a space (RFC 7208 §4.5).
is_spf(s) if {
	is_string(s)
	lower(trim_space(s)) == "v=spf1"
}

is_spf(s) if {
	is_string(s)
	regex.match(`^(?i)v=spf1\s`, trim_space(s))
}

_words(s) := [w | some w in regex.split(`\s+`, trim_space(s)); w != ""]

# A modifier is `name=value` with a name that starts with a letter (§4.6.1); an `=` after a
# mechanism's `:` belongs to its domain-spec (e.g. exists:%{i}.x=y is rare but legal).
_term(w) := {"kind": "modifier", "name": lower(trim_suffix(n, "=")), "value": substring(w, count(n), -1), "raw": w} if {
	[n] := regex.find_n(`^[A-Za-z][A-Za-z0-9_.-]*=`, w, 1)
} else := _mechanism(w)

_mechanism(w) := {"kind": "mechanism", "qualifier": q, "name": lower(name), "value": value, "raw": w} if {
	q := _qualifier(w)
	rest := _after_qualifier(w)
	parts := regex.find_all_string_submatch_n(`^([A-Za-z0-9]+)([:/](.*))?$`, rest, 1)
	count(parts) == 1
	name := parts[0][1]
	value := parts[0][3]
}

_mechanism(w) := {"kind": "invalid", "name": null, "raw": w} if {
	count(regex.find_all_string_submatch_n(`^([A-Za-z0-9]+)([:/](.*))?$`, _after_qualifier(w), 1)) == 0
}

_qualifier(w) := substring(w, 0, 1) if substring(w, 0, 1) in {"+", "-", "~", "?"}

else := "+"

_after_qualifier(w) := substring(w, 1, -1) if substring(w, 0, 1) in {"+", "-", "~", "?"}

else := w

_terms(s) := [_term(w) | some i, w in _words(s); i > 0]

modifiers(s) := {t.name: t.value |
	some i, t in _terms(s)
	t.kind == "modifier"
	not _earlier_modifier(_terms(s), i, t.name)
}

_earlier_modifier(ts, i, name) if {
	some j, u in ts
	j < i
	u.kind == "modifier"
	u.name == name
}

lookups(s) := count([t | some t in _terms(s); t.name in lookup_terms])

# The `all` mechanisms' qualifiers, in record order.
_all_qualifiers(s) := [t.qualifier | some t in _terms(s); t.kind == "mechanism"; t.name == "all"]

# The qualifier of the first `all` mechanism (receivers stop there, RFC 7208 §4.6.2), or null
# when the record has none.
all_qualifier(s) := _all_qualifiers(s)[0] if count(_all_qualifiers(s)) > 0

else := null

errors(s) := ["it is not a string"] if not is_string(s)

errors(s) := sort({e |
	some e in array.concat(
		[_version_error(s), _all_error(s)],
		array.concat(
			[sprintf("%q is not a mechanism or modifier", [t.raw]) |
				some t in _terms(s)
				t.kind != "modifier"
				not t.name in mechanisms
			],
			[sprintf("modifier %s appears more than once", [t.name]) |
				some i, t in _terms(s)
				t.kind == "modifier"
				t.name in {"redirect", "exp"}
				_earlier_modifier(_terms(s), i, t.name)
			],
		),
	)
	e != ""
}) if is_string(s)

# A second `all` is never reached, so a record with two says something its author did not mean.
_all_error(s) := "it has more than one all mechanism" if count(_all_qualifiers(s)) > 1

else := ""

_version_error(s) := "" if is_spf(s)

else := "it does not start with v=spf1"

parse(s) := {
	"valid": count(errors(s)) == 0,
	"errors": errors(s),
	"terms": _terms(s),
	"modifiers": modifiers(s),
	"lookups": lookups(s),
	"all": all_qualifier(s),
} if is_string(s)

# True when the record's include: mechanisms name the domain (case-insensitive, trailing dot
# ignored), whatever their qualifier is not `-`: `-include:amazonses.com` would fail SES mail.
includes(parsed, domain) if {
	some t in parsed.terms
	t.kind == "mechanism"
	t.name == "include"
	t.qualifier != "-"
	lower(trim_suffix(t.value, ".")) == lower(trim_suffix(domain, "."))
}
