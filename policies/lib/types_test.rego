package lib.types_test

import data.lib
import data.lib.types

test_wrong_type_of_each_kind if {
	types.wrong("0.9", "number")
	types.wrong("false", "boolean")
	types.wrong(1, "string")
	types.wrong(["BOUNCE"], "string")
	types.wrong({"value": 1}, "array")
	types.wrong(true, "object")
}

test_right_type_unknown_secret_and_absent_are_not_wrong if {
	not types.wrong(0.9, "number")
	not types.wrong(false, "boolean")
	not types.wrong("REQUIRE", "string")
	not types.wrong([], "array")
	not types.wrong({}, "object")
	not types.wrong(lib.unknown_value, "number")
	not types.wrong(lib.secret_value, "boolean")
	not types.wrong(null, "number")
}

test_describe_names_property_value_and_kind if {
	types.describe("threshold", "0.9", "number") == `threshold is a string ("0.9"), not a number`
	types.describe("enabled", [true], "boolean") == "enabled is an array ([true]), not a boolean"
}

test_excerpt_is_short if {
	e := types.excerpt(concat("", [x | some _ in numbers.range(1, 100); x := "a"]))
	count(e) == 40
	endswith(e, "...")
}

# A number is shown as the user wrote it, though it reaches the rules as a float (3.0).
test_describe_shows_a_whole_number_without_a_fraction if {
	types.describe("ttl", json.unmarshal("3.0"), "string") == "ttl is a number (3), not a string"
	types.describe("threshold", json.unmarshal("0.05"), "string") == "threshold is a number (0.05), not a string"
}
