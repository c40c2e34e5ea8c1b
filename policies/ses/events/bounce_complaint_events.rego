package ses.events

import data.lib
import data.lib.result
import data.lib.sending
import data.lib.ses

# METADATA
# title: Bounces and complaints are published
# description: |
#   AWS expects a sender to stop mailing addresses that bounce or complain; it can only do that
#   if it hears about them. The identity's configuration set needs enabled event destinations
#   (one or several) whose matching event types include BOUNCE and COMPLAINT, or, for SES v1,
#   identity notification topics for Bounce and Complaint. A destination is disabled unless it
#   says `enabled: true` (AWS default false), and a destination on another configuration set
#   does not count. Event types computed at apply cannot be verified and are reported. Address
#   identities are judged too: one that names its own configuration set (or has notification
#   topics) needs them to carry the events; one without either sends with its domain identity's
#   settings and is judged there (an address identity without a domain identity is SES-001's).
# custom:
#   id: SES-012
#   slug: bounce-complaint-events
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare an enabled event destination on the identity's configuration set whose matching event
#     types include BOUNCE and COMPLAINT, publishing to an SNS topic (or EventBridge).
#   remediation_code:
#     python: |
#       aws.sesv2.ConfigurationSetEventDestination("feedback",
#           configuration_set_name=cs.configuration_set_name,
#           event_destination_name="feedback",
#           event_destination={
#               "enabled": True,
#               "matching_event_types": ["BOUNCE", "COMPLAINT"],
#               "sns_destination": {"topic_arn": topic.arn},
#           })
#     typescript: |
#       new aws.sesv2.ConfigurationSetEventDestination("feedback", {
#           configurationSetName: cs.configurationSetName,
#           eventDestinationName: "feedback",
#           eventDestination: {
#               enabled: true,
#               matchingEventTypes: ["BOUNCE", "COMPLAINT"],
#               snsDestination: { topicArn: topic.arn },
#           },
#       });
#     go: |
#       _, err = sesv2.NewConfigurationSetEventDestination(ctx, "feedback", &sesv2.ConfigurationSetEventDestinationArgs{
#       	ConfigurationSetName: cs.ConfigurationSetName,
#       	EventDestinationName: pulumi.String("feedback"),
#       	EventDestination: &sesv2.ConfigurationSetEventDestinationEventDestinationArgs{
#       		Enabled:            pulumi.Bool(true),
#       		MatchingEventTypes: pulumi.StringArray{pulumi.String("BOUNCE"), pulumi.String("COMPLAINT")},
#       		SnsDestination: &sesv2.ConfigurationSetEventDestinationEventDestinationSnsDestinationArgs{
#       			TopicArn: topic.Arn,
#       		},
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.SesV2.ConfigurationSetEventDestination("feedback", new()
#       {
#           ConfigurationSetName = cs.ConfigurationSetName,
#           EventDestinationName = "feedback",
#           EventDestination = new Aws.SesV2.Inputs.ConfigurationSetEventDestinationEventDestinationArgs
#           {
#               Enabled = true,
#               MatchingEventTypes = new[] { "BOUNCE", "COMPLAINT" },
#               SnsDestination = new Aws.SesV2.Inputs.ConfigurationSetEventDestinationEventDestinationSnsDestinationArgs
#               {
#                   TopicArn = topic.Arn,
#               },
#           },
#       });
#     yaml: |
#       resources:
#         feedback:
#           type: aws:sesv2:ConfigurationSetEventDestination
#           properties:
#             configurationSetName: ${cs.configurationSetName}
#             eventDestinationName: feedback
#             eventDestination:
#               enabled: true
#               matchingEventTypes: [BOUNCE, COMPLAINT]
#               snsDestination:
#                 topicArn: ${topic.arn}
#     terraform: |
#       resource "aws_sesv2_configuration_set_event_destination" "feedback" {
#         configuration_set_name = aws_sesv2_configuration_set.cs.configuration_set_name
#         event_destination_name = "feedback"
#         event_destination {
#           enabled              = true
#           matching_event_types = ["BOUNCE", "COMPLAINT"]
#           sns_destination {
#             topic_arn = aws_sns_topic.feedback.arn
#           }
#         }
#       }
#     cloudformation: |
#       # CloudFormation spells event types in lower camel case.
#       Resources:
#         FeedbackDestination:
#           Type: AWS::SES::ConfigurationSetEventDestination
#           Properties:
#             ConfigurationSetName: !Ref ConfigurationSet
#             EventDestination:
#               Name: feedback
#               Enabled: true
#               MatchingEventTypes: [bounce, complaint]
#               SnsDestination:
#                 TopicARN: !Ref FeedbackTopic
#     cdk-typescript: |
#       configurationSet.addEventDestination('ToSns', {
#         destination: ses.EventDestination.snsTopic(topic),
#         events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
#       });
#     cdk-python: |
#       configuration_set.add_event_destination("ToSns",
#           destination=ses.EventDestination.sns_topic(topic),
#           events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT])
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses012
}

# Identity URN -> the event destinations of the configuration sets it uses.
_ses012_dests := {u: {d | some s in sets; some d in sending.destinations(s)} | some u, sets in sending.identity_sets}

# Only the feedback types matter (_ses012_missing subtracts from them): intersecting first keeps
# the loop to those two instead of every type a destination matches.
_ses012_covered(u) := sending.notification_types(u) | {x |
	some d in object.get(_ses012_dests, u, set())
	sending.enabled(d)
	some x in sending.known_types(d) & sending.feedback_types
}

_ses012_missing(u) := sending.feedback_types - _ses012_covered(u)

# One enabled destination of a set the identity uses that matches both feedback types covers them
# all (_ses012_covered is a union): the usual identity is settled by it, before its destinations
# are gathered into a set and the types united.
_ses012_fed(u) if {
	some s in sending.identity_sets[u]
	some d in sending.destinations(s)
	sending.enabled(d)
	sending.feedback_types - sending.known_types(d) == set()
}

# Every identity that can send: domain identities, and address identities. An address identity
# with a configuration set or notification topics of its own is judged by them; one with neither
# sends with its domain identity's settings, judged there (SES-001 blocks an address identity
# whose domain has none, so that gap is reported once).
_ses012_judged contains i if some i in ses.domain_identities

_ses012_judged contains i if {
	some i in ses.address_identities
	_ses012_own_settings(i)
}

_ses012_own_settings(i) if not i.configuration_set in {null, ""}

_ses012_own_settings(i) if count(sending.notification_types(i.resource.urn)) > 0

_ses012 contains {"resource": i.resource, "msg": msg} if {
	some i in _ses012_judged
	u := i.resource.urn
	not _ses012_fed(u)
	missing := _ses012_missing(u)
	count(missing) > 0
	msg := _ses012_msg(i, missing)
}

_ses012_msg(i, missing) := sprintf("%s of identity %s go nowhere: it uses no configuration set declared in this stack and has no notification topics for them", [_types(missing), _ident(i)]) if {
	count(sending.identity_sets[i.resource.urn]) == 0
} else := sprintf("identity %s: cannot verify %s are published: destination %s matches event types or is enabled by values unknown until apply", [_ident(i), _types(missing), _unverifiable_dest(i.resource.urn)]) if {
	_unverifiable_dest(i.resource.urn)
} else := sprintf("identity %s: configuration set %s has no event destination, so %s are not published", [_ident(i), _sets(i), _types(missing)]) if {
	count(object.get(_ses012_dests, i.resource.urn, set())) == 0
} else := sprintf("identity %s: no enabled event destination of configuration set %s matches %s%s", [_ident(i), _sets(i), _types(missing), _disabled_note(i.resource.urn, missing)])

# A destination that may carry the missing types, but whose types or enabled flag is unknown.
_unverifiable_dest(u) := d.resource.name if {
	some d in object.get(_ses012_dests, u, set())
	_ses012_unverifiable(d)
}

_ses012_unverifiable(d) if {
	sending.enabled(d)
	sending.types_unknown(d)
}

_ses012_unverifiable(d) if sending.enabled_unknown(d)

_disabled_note(u, missing) := sprintf(" (disabled: %s; a destination is off unless enabled is true)", [concat(", ", sort(names))]) if {
	names := {d.resource.name |
		some d in object.get(_ses012_dests, u, set())
		not sending.enabled(d)
		count(sending.known_types(d) & missing) > 0
	}
	count(names) > 0
} else := ""

_types(missing) := concat(" and ", [sprintf("%s events", [t]) | some t in sort(missing)])

_sets(i) := concat(", ", sort([sending.set_name(sending.configuration_sets[s]) | some s in sending.identity_sets[i.resource.urn]]))

_ident(i) := i.address if is_string(i.address)
else := i.domain if lib.known(i.domain)

else := i.resource.name
