package lib.unknown_test

import data.lib

_u := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

test_the_sentinel_is_unknown if {
	lib.unknown(_u)
	not lib.known(_u)
}

test_an_arn_built_around_the_sentinel_is_unknown if {
	every arn in [
		sprintf("arn:aws:events:us-east-1:123456789012:rule/%s", [_u]),
		sprintf("arn:aws:events:us-east-1:%s:event-bus/orders", [_u]),
	] {
		lib.unknown(arn)
		not lib.known(arn)
		lib.has_unknown({"rule": [arn]})
	}
}

test_a_known_arn_is_known if {
	arn := "arn:aws:events:us-east-1:123456789012:rule/ses-events"
	lib.known(arn)
	not lib.unknown(arn)
	not lib.has_unknown({"rule": [arn]})
}

# A JSON document that holds an unknown is read field by field (a policy whose Resource is an ARN
# not yet created): the document itself stays known.
test_a_document_holding_the_sentinel_stays_known if {
	doc := json.marshal({"Statement": [{"Resource": _u}]})
	lib.known(doc)
	not lib.unknown(doc)
}

test_absent_and_secret_are_not_known if {
	not lib.known(null)
	not lib.known("[secret]")
	not lib.unknown("[secret]")
}
