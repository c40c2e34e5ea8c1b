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

# True when the value, or anything nested in it, is unknown.
has_unknown(x) if {
	walk(x, [_, v])
	v == unknown_value
}

secret(x) if x == secret_value

# A value a rule can judge: present, not unknown, not redacted. One membership test, not three
# calls: it runs for nearly every property every rule reads.
known(x) if not x in _not_known

_not_known := {null, unknown_value, secret_value}
