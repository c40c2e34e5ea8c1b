package lib.regions_test

import data.lib.mail_fixtures_test as fx
import data.lib.regions

_identity := fx.identity("id", "example.com")

test_a_resource_region_wins_over_the_stack if {
	regions.of(object.union(_identity, {"region": "eu-west-1"})) == "eu-west-1" with input as fx.doc([])
}

test_without_its_own_region_a_resource_is_in_the_stack_region if {
	regions.of(_identity) == "us-east-1" with input as fx.doc([])
	regions.of(object.union(_identity, {"region": ""})) == "us-east-1" with input as fx.doc([])
	regions.of(object.union(_identity, {"region": fx.U})) == "us-east-1" with input as fx.doc([])
}

test_stack_region_falls_back_to_config if {
	doc := object.union(fx.doc_config([], {"aws:region": "ap-northeast-1"}), {"region": null})
	regions.of(_identity) == "ap-northeast-1" with input as doc
}

test_no_region_anywhere_is_undefined if {
	doc := object.union(fx.doc([]), {"region": null})
	not regions.of(_identity) with input as doc
}

test_a_template_region_symbol_is_symbolic_and_a_region_name_is_not if {
	regions.symbolic("${aws::region}")
	not regions.symbolic("us-east-1")
	not regions.symbolic(null)
}
