# METADATA
# title: MAIL FROM and DKIM views, SES v1 and v2
# description: |
#   Normalized custom MAIL FROM settings and DKIM signing settings per domain identity, for
#   both the sesv2 resources and the older ses (v1) ones, whose values are spelled differently
#   (RejectMessage vs REJECT_MESSAGE, DomainDkim vs dkimSigningAttributes).
package lib.mail

import data.lib
import data.lib.dns
import data.lib.resources
import data.lib.ses

# The AWS region mail is sent from: the document's region, else the stack's aws:region.
region := input.region if {
	is_string(input.region)
	lib.known(input.region)
	input.region != ""
} else := input.config["aws:region"] if {
	is_string(input.config["aws:region"])
	lib.known(input.config["aws:region"])
	input.config["aws:region"] != ""
}

# The domain a resource property naming an identity points at. A known value is the domain
# itself; an unknown one (an output of the identity at preview) is traced through the
# resource's dependencies to the identity it came from.
_identity_domains(r, value) := {dns.normalize(value)} if {
	lib.known(value)
	is_string(value)
}

_identity_domains(r, value) := {d |
	some t in [ses.t.v2_identity, ses.t.v1_domain_identity]
	some x in resources.resolve(value, r, t)
	d := dns.normalize(object.get(x.props, "emailIdentity", object.get(x.props, "domain", null)))
} if lib.unknown(value)

# SES v1 writes enum values in CamelCase (RejectMessage), v2 in UPPER_SNAKE (REJECT_MESSAGE).
# A value of another type is kept as it is, for the rule to report (a type error here would abort
# the whole evaluation).
normalize_enum(v) := upper(regex.replace(v, `([a-z0-9])([A-Z])`, "${1}_${2}")) if {
	lib.known(v)
	is_string(v)
}

else := v

_behavior(v) := "USE_DEFAULT_VALUE" if v == null

else := normalize_enum(v)

_mail_from_value(v) := dns.normalize(v) if {
	lib.known(v)
	is_string(v)
} else := lib.unknown_value

# Custom MAIL FROM settings: {resource, version, domain (of the identity), mail_from_domain,
# behavior}. When behaviorOnMxFailure is not set AWS uses USE_DEFAULT_VALUE (both APIs).
mail_from := {m | some [_, m] in _mail_from_pairs}

_mail_from_kinds := [["v2", ses.t.v2_mail_from, "emailIdentity"], ["v1", ses.t.v1_mail_from, "domain"]]

# Each setting with its domain, for the index to group without reading the settings again.
# Hot path: a setting whose identity and MAIL FROM domain are known strings and whose behavior is
# one of AWS's values or absent (nearly all) is read in one comprehension, the calls below
# inlined; when every setting is of that kind these are the pairs, else every setting takes the
# general reading.
_mail_from_pairs := hot if {
	hot := _mail_from_hot
	count(hot) == sum([count(resources.of_type(t)) | some [_, t, _] in _mail_from_kinds])
} else := [[d, m] |
	some [v, t, k] in _mail_from_kinds
	some r in resources.of_type(t)
	some d in _identity_domains(r, object.get(r.props, k, null))
	m := {
		"resource": r,
		"version": v,
		"domain": d,
		"mail_from_domain": _mail_from_value(object.get(r.props, "mailFromDomain", null)),
		"behavior": _behavior(object.get(r.props, "behaviorOnMxFailure", null)),
	}
]

_mail_from_hot := [[d, m] |
	not_known := lib._not_known
	behaviors := _behaviors
	some [v, t, k] in _mail_from_kinds
	some r in resources.of_type(t)
	props := r.props
	value := props[k]
	is_string(value)
	not value in not_known
	mfd := props.mailFromDomain
	is_string(mfd)
	not mfd in not_known
	behavior := behaviors[object.get(props, "behaviorOnMxFailure", null)]
	d := lower(trim_suffix(trim_space(value), "."))
	m := {
		"resource": r,
		"version": v,
		"domain": d,
		"mail_from_domain": lower(trim_suffix(trim_space(mfd), ".")),
		"behavior": behavior,
	}
]

# `_behavior` of AWS's values as either API spells them, and of none.
_behaviors := {
	null: "USE_DEFAULT_VALUE",
	"USE_DEFAULT_VALUE": "USE_DEFAULT_VALUE",
	"REJECT_MESSAGE": "REJECT_MESSAGE",
	"UseDefaultValue": "USE_DEFAULT_VALUE",
	"RejectMessage": "REJECT_MESSAGE",
}

_mail_from_domains := {d | some [d, _] in _mail_from_pairs}

# One setting per domain (the common case): each pair is its domain's entry, with no grouping.
# Else indexed like lib.dns: an object comprehension over the keys, `==` inside.
mail_from_by_domain := {d: {m} | some [d, m] in _mail_from_pairs} if {
	count(_mail_from_domains) == count(_mail_from_pairs)
} else := {d: ms |
	some d in _mail_from_domains
	ms := {m | some [d2, m] in _mail_from_pairs; d2 == d}
}

# --- DKIM ----------------------------------------------------------------------------------------

# v1 DomainDkim resources by the domain they sign for.
_v1_dkims := {[d, r] |
	some r in resources.of_type(ses.t.v1_domain_dkim)
	some d in _identity_domains(r, object.get(r.props, "domain", null))
}

v1_dkim_by_domain := {d: rs |
	some [d, _] in _v1_dkims
	rs := {r | some [d2, r] in _v1_dkims; d2 == d}
}

_present(x) if {
	x != null
	x != ""
}

# BYODKIM is chosen by giving a selector or a private key; both are needed to sign. A private
# key arrives as "[secret]" and an unknown as the sentinel: present is all that matters here.
byodkim(attrs) if _present(object.get(attrs, "domainSigningPrivateKey", null))

byodkim(attrs) if _present(object.get(attrs, "domainSigningSelector", null))

# Tokens a rule can compare: a non-empty list of known strings.
known_tokens(tokens) if {
	is_array(tokens)
	count(tokens) > 0
	every t in tokens {
		is_string(t)
		lib.known(t)
	}
}

# DKIM as a domain identity has it: {mode: easy|byodkim|none, tokens, selector, key_length,
# current_key_length, resources (the resources whose outputs are the tokens)}.
# Computed once per identity (function results are not cached between rules).
_dkims := {i.resource.urn: _dkim(i) | some i in ses.domain_identities}

dkim(i) := _dkims[i.resource.urn]

_dkim(i) := {
	"mode": _v2_mode(attrs),
	"tokens": object.get(attrs, "tokens", null),
	"selector": object.get(attrs, "domainSigningSelector", null),
	"private_key": object.get(attrs, "domainSigningPrivateKey", null),
	"key_length": object.get(attrs, "nextSigningKeyLength", null),
	"current_key_length": object.get(attrs, "currentSigningKeyLength", null),
	"resources": {i.resource.urn},
} if {
	i.version == "v2"
	attrs := _attrs(i.resource)
}

_dkim(i) := {
	"mode": "easy",
	"tokens": _v1_tokens(dkims),
	"selector": null,
	"private_key": null,
	"key_length": null,
	"current_key_length": null,
	"resources": {r.urn | some r in dkims},
} if {
	i.version == "v1"
	dkims := object.get(v1_dkim_by_domain, i.domain, set())
	count(dkims) > 0
}

_dkim(i) := {
	"mode": "none",
	"tokens": null,
	"selector": null,
	"private_key": null,
	"key_length": null,
	"current_key_length": null,
	"resources": set(),
} if {
	i.version == "v1"
	count(object.get(v1_dkim_by_domain, i.domain, set())) == 0
}

_attrs(r) := a if {
	a := r.props.dkimSigningAttributes
	is_object(a)
} else := {}

# What SES reports wins over what the inputs look like: `signingAttributesOrigin` AWS_SES (or a
# regional AWS_SES_<REGION> of Deterministic Easy DKIM) is Easy DKIM, EXTERNAL is BYODKIM.
_v2_mode(attrs) := "easy" if {
	o := attrs.signingAttributesOrigin
	is_string(o)
	startswith(o, "AWS_SES")
} else := "byodkim" if byodkim(attrs)

else := "easy"

# Two DomainDkim resources for one domain would race; their tokens are not comparable then.
_v1_tokens(dkims) := object.get(r.props, "dkimTokens", null) if {
	count(dkims) == 1
	some r in dkims
} else := null
