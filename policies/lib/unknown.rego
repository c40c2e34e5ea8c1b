# METADATA
# title: Unknown and secret values
# description: |
#   Pulumi's preview leaves values that only exist after apply (DKIM tokens, ARNs, ids) as a
#   sentinel string; secrets reach sesguard as "[secret]". Rules ask these helpers instead of
#   comparing strings, so an unknown never silently passes a check.
package lib

unknown_value := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

secret_value := "[secret]"

unknown(x) if x == unknown_value

# An ARN built around an unknown ("arn:aws:events:us-east-1:123456789012:rule/<sentinel>") is as
# unknown as the sentinel: what it names is only decided at apply. Only ARNs: a JSON document that
# holds an unknown (a policy whose Resource is an ARN not yet created) is still read, field by field.
unknown(x) if unknown_arn(x)

unknown_arn(x) if {
	is_string(x)
	startswith(x, "arn:")
	contains(x, unknown_value)
}

# True when the value, or anything nested in it, is unknown.
has_unknown(x) if {
	walk(x, [_, v])
	unknown(v)
}

secret(x) if x == secret_value

# A value a rule can judge: present, not unknown (nor an ARN built around one), not redacted. One
# membership test first: it runs for nearly every property every rule reads.
known(x) if {
	not x in _not_known
	not unknown_arn(x)
}

_not_known := {null, unknown_value, secret_value}
