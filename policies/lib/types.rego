# METADATA
# title: Values of the wrong type
# description: |
#   A property a rule compares may hold a value of another JSON type than the provider's schema
#   says: the string "0.9" where a CloudWatch threshold is a number, "false" where actionsEnabled
#   is a boolean, a list where a name is a string. Providers coerce some of these at apply, so such
#   a value is neither absent nor the value it looks like: a rule cannot verify it and says so, at
#   its own level, instead of reading it as absent and passing. Unknown and secret values are not
#   of the wrong type (lib.known covers them).
package lib.types

import data.lib

# True when x is a value a rule could judge but is not of the JSON type `kind` (string, number,
# boolean, array, object).
# The type is compared first: most values have the right one, and the test is cheaper than the
# known check (`not x in lib._not_known`, lib.known without a call).
wrong(x, kind) if {
	type_name(x) != kind
	not x in lib._not_known
}

# What a rule says about such a value: `threshold is a string ("0.9"), not a number`.
describe(prop, x, kind) := sprintf("%s is %s (%s), not %s", [prop, _a(type_name(x)), excerpt(x), _a(kind)])

# A short rendering of a value for a message: never more than 40 characters of it.
excerpt(x) := s if {
	s := _json(x)
	count(s) <= 40
} else := concat("", [substring(_json(x), 0, 37), "..."])

# Every number reaches the rules as a float (sesguard's documents, and the Pulumi engine's protobuf
# values), and json.marshal writes back the text it was given: the 3 a user wrote would read
# "3.0". Arithmetic makes OPA write the number anew, shortest form: 3, 0.05.
_json(x) := json.marshal(x + 0) if is_number(x)

else := json.marshal(x)

_a(kind) := concat(" ", [_articles[kind], kind]) if _articles[kind]

else := kind

_articles := {"string": "a", "number": "a", "boolean": "a", "array": "an", "object": "an", "null": "a"}
