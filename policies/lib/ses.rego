# METADATA
# title: SES resources, v1 and v2
# description: |
#   Normalized views of SES resources so a rule is written once for both the sesv2 and the
#   older ses (v1) resources, whose values are spelled differently (Require, RejectMessage,
#   lower-case event types).
package lib.ses

import data.lib
import data.lib.resources

t := {
	"v2_identity": "aws:sesv2/emailIdentity:EmailIdentity",
	"v2_mail_from": "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
	"v2_identity_policy": "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy",
	"v2_configuration_set": "aws:sesv2/configurationSet:ConfigurationSet",
	"v2_event_destination": "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
	"v2_account_suppression": "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes",
	"v2_contact_list": "aws:sesv2/contactList:ContactList",
	"v1_domain_identity": "aws:ses/domainIdentity:DomainIdentity",
	"v1_email_identity": "aws:ses/emailIdentity:EmailIdentity",
	"v1_domain_dkim": "aws:ses/domainDkim:DomainDkim",
	"v1_mail_from": "aws:ses/mailFrom:MailFrom",
	"v1_configuration_set": "aws:ses/configurationSet:ConfigurationSet",
	"v1_event_destination": "aws:ses/eventDestination:EventDestination",
	"v1_notification_topic": "aws:ses/identityNotificationTopic:IdentityNotificationTopic",
	"v1_identity_policy": "aws:ses/identityPolicy:IdentityPolicy",
	"topic": "aws:sns/topic:Topic",
	"topic_policy": "aws:sns/topicPolicy:TopicPolicy",
	"topic_subscription": "aws:sns/topicSubscription:TopicSubscription",
	"queue": "aws:sqs/queue:Queue",
	"alarm": "aws:cloudwatch/metricAlarm:MetricAlarm",
	"event_rule": "aws:cloudwatch/eventRule:EventRule",
	"event_target": "aws:cloudwatch/eventTarget:EventTarget",
	"route53_record": "aws:route53/record:Record",
	"route53_zone": "aws:route53/zone:Zone",
	"cloudflare_dns_record": "cloudflare:index/dnsRecord:DnsRecord",
	"cloudflare_record": "cloudflare:index/record:Record",
}

# One else-chain: the two cases exclude each other (two bodies were both evaluated per identity).
_norm(name) := lower(trim_suffix(name, ".")) if {
	is_string(name)
	name != lib.unknown_value
} else := name if name == lib.unknown_value

# Every domain identity, v1 and v2: {domain, resource, version, configuration_set}.
# A domain identity names a domain (a string without "@"); an address identity names a mailbox.
# An unknown name (computed at apply) is treated as a domain so the rules that need one still run
# and say what they could not verify. The name is read once per identity, tested inline.
domain_identities contains {
	"domain": _norm(name),
	"resource": r,
	"version": "v2",
	"configuration_set": object.get(r.props, "configurationSetName", null),
} if {
	some r in resources.of_type(t.v2_identity)
	name := r.props.emailIdentity
	is_string(name)
	not contains(name, "@")
}

domain_identities contains {
	"domain": _norm(name),
	"resource": r,
	"version": "v1",
	"configuration_set": null,
} if {
	some r in resources.of_type(t.v1_domain_identity)
	name := r.props.domain
	is_string(name)
	not contains(name, "@")
}

# Address identities (v2 EmailIdentity with an @, v1 EmailIdentity):
# {address, domain, resource, version, configuration_set}.
address_identities contains {
	"address": lower(a),
	"domain": lower(split(a, "@")[1]),
	"resource": r,
	"version": "v2",
	"configuration_set": object.get(r.props, "configurationSetName", null),
} if {
	some r in resources.of_type(t.v2_identity)
	a := r.props.emailIdentity
	is_string(a)
	contains(a, "@")
}

address_identities contains {
	"address": lower(a),
	"domain": lower(split(a, "@")[1]),
	"resource": r,
	"version": "v1",
	"configuration_set": null,
} if {
	some r in resources.of_type(t.v1_email_identity)
	a := r.props.email
	is_string(a)
	contains(a, "@")
}

# `x := s[_].f` is one expression per element (`{e.f | some e in s}` is two).
domains := {d | d := domain_identities[_].domain}

# Configuration sets by name, both versions: {name, resource, version}.
configuration_sets contains {"name": r.props.configurationSetName, "resource": r, "version": "v2"} if {
	some r in resources.of_type(t.v2_configuration_set)
}

configuration_sets contains {"name": r.props.name, "resource": r, "version": "v1"} if {
	some r in resources.of_type(t.v1_configuration_set)
}

configuration_set_by_name := {n: {c | some c in configuration_sets; c.name == n} | some n in set_names}

# The configuration sets' names that are strings (a name unknown at preview is the unknown marker,
# a string too).
set_names := {n | n := configuration_sets[_].name; is_string(n)}

# Event destinations, both versions, with upper-case event types:
# {resource, configuration_set, enabled, types, sns_topic, event_bus, version}.
event_destinations contains {
	"resource": r,
	"configuration_set": r.props.configurationSetName,
	"enabled": object.get(ed, "enabled", false),
	"types": _upper_strings(object.get(ed, "matchingEventTypes", [])),
	"sns_topic": object.get(ed, ["snsDestination", "topicArn"], null),
	"event_bus": object.get(ed, ["eventBridgeDestination", "eventBusArn"], null),
	"version": "v2",
} if {
	some r in resources.of_type(t.v2_event_destination)
	ed := _event_destination(r)
}

# The string items of a list (or the values of an object), upper-cased. A list of upper-case
# tokens as written by most programs is recognised by one match on its JSON text, and then read
# without calling upper and is_string per item (about a third of the events of the general walk).
_upper_strings(l) := {x | x := l[_]} if {
	regex.match(`^\["[A-Z_]+"(,"[A-Z_]+")*\]$`, json.marshal(l))
} else := {upper(x) | some x in l; is_string(x)}

# A block built inside an apply is unknown as a whole at preview: then so is every field of it
# (object.get on the sentinel string would abort the whole evaluation).
_event_destination(r) := ed if {
	ed := object.get(r.props, "eventDestination", {})
	is_object(ed)
} else := {"enabled": lib.unknown_value, "matchingEventTypes": lib.unknown_value} if {
	lib.unknown(r.props.eventDestination)
} else := {}

event_destinations contains {
	"resource": r,
	"configuration_set": r.props.configurationSetName,
	"enabled": object.get(r.props, "enabled", false),
	"types": _upper_strings(object.get(r.props, "matchingTypes", [])),
	"sns_topic": object.get(r.props, ["snsDestination", "topicArn"], null),
	"event_bus": null,
	"version": "v1",
} if {
	some r in resources.of_type(t.v1_event_destination)
}

event_destinations_by_set := {n: {d | some d in event_destinations; d.configuration_set == n} | some n in _destination_sets}

_destination_sets := {n | n := event_destinations[_].configuration_set; is_string(n)}

# SES v1 identity notification topics: {resource, identity, type (BOUNCE…), topic}.
notification_topics contains {
	"resource": r,
	"identity": r.props.identity,
	"type": upper(r.props.notificationType),
	"topic": object.get(r.props, "topicArn", null),
} if {
	some r in resources.of_type(t.v1_notification_topic)
	is_string(r.props.notificationType)
}
