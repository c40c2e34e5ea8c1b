package lib.resources_test

import data.lib.mail_fixtures_test as fx
import data.lib.resources

_topic := fx.res("aws:sns/topic:Topic", "t", {"arn": "arn:aws:sns:us-east-1:1:t", "name": "t"}, [])

_twin := fx.res("aws:lambda/function:Function", "t", {"arn": "arn:aws:sns:us-east-1:1:t", "name": "t"}, [])

_alarm := fx.res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {"arn": "arn:aws:cloudwatch:us-east-1:1:alarm:a"}, [])

test_known_value_resolves_through_the_identifier_index_to_the_asked_type_only if {
	found := resources.resolve("arn:aws:sns:us-east-1:1:t", {"dependencies": []}, "aws:sns/topic:Topic") with input as fx.doc([_topic, _twin])
	found == {_topic}
}

test_identifiers_repeated_across_resources_are_kept_as_a_set if {
	resources.by_ident["t"] == {_topic.urn} with input as fx.doc([_topic, _twin])
	resources.by_ident["t"] == {_topic.urn, "urn:pulumi:prod::p::aws:sns/topic:Topic::t2"} with input as fx.doc([
		_topic,
		fx.res("aws:sns/topic:Topic", "t2", {"name": "t"}, []),
	])
}

test_a_type_outside_the_index_is_resolved_by_scanning_it if {
	not "aws:cloudwatch/metricAlarm:MetricAlarm" in resources.referable
	resources.resolve("arn:aws:cloudwatch:us-east-1:1:alarm:a", {}, "aws:cloudwatch/metricAlarm:MetricAlarm") == {_alarm} with input as fx.doc([_alarm, _topic])
	resources.resolve("arn:aws:cloudwatch:us-east-1:1:alarm:b", {}, "aws:cloudwatch/metricAlarm:MetricAlarm") == set() with input as fx.doc([_alarm])
}

test_unknown_value_resolves_through_dependencies if {
	found := resources.resolve(fx.U, {"dependencies": [_topic.urn, _twin.urn]}, "aws:sns/topic:Topic") with input as fx.doc([_topic, _twin])
	found == {_topic}
}
