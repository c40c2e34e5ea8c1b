package ses.marketing

import data.lib
import data.lib.resources
import data.lib.result
import data.lib.sending
import data.lib.ses
import data.lib.types

# METADATA
# title: Marketing mail offers one-click unsubscribe through a contact list
# description: |
#   Gmail and Yahoo require bulk senders to offer one-click unsubscribe (RFC 8058) and honour it
#   within two days, and AWS asks marketing senders how recipients opt out. SES adds the
#   List-Unsubscribe headers and honours opt-outs itself when a send names a contact list and
#   topic, so a MARKETING stack needs an `aws.sesv2.ContactList` with at least one topic. The
#   mail type comes from the stack config: `<project>:mailType` (this repository's
#   `ses-sender:mailType`) or `sesguard:mailType`; stacks of any other mail type are not judged.
# custom:
#   id: SES-025
#   slug: unsubscribe
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare an SES v2 contact list with at least one topic, and name the list and topic on every
#     marketing send (ListManagementOptions).
#   remediation_code:
#     python: |
#       aws.sesv2.ContactList("marketing", contact_list_name="newsletter",
#           topics=[{"topic_name": "news", "display_name": "News", "default_subscription_status": "OPT_OUT"}])
#       # and name the list and topic on every marketing send (ListManagementOptions).
#     typescript: |
#       new aws.sesv2.ContactList("marketing", {
#           contactListName: "newsletter",
#           topics: [{ topicName: "news", displayName: "News", defaultSubscriptionStatus: "OPT_OUT" }],
#       });
#       // and name the list and topic on every marketing send (ListManagementOptions).
#     go: |
#       _, err = sesv2.NewContactList(ctx, "marketing", &sesv2.ContactListArgs{
#       	ContactListName: pulumi.String("newsletter"),
#       	Topics: sesv2.ContactListTopicArray{
#       		&sesv2.ContactListTopicArgs{
#       			TopicName:                 pulumi.String("news"),
#       			DisplayName:               pulumi.String("News"),
#       			DefaultSubscriptionStatus: pulumi.String("OPT_OUT"),
#       		},
#       	},
#       })
#       if err != nil {
#       	return err
#       }
#       // and name the list and topic on every marketing send (ListManagementOptions).
#     csharp: |
#       new Aws.SesV2.ContactList("marketing", new()
#       {
#           ContactListName = "newsletter",
#           Topics = new[]
#           {
#               new Aws.SesV2.Inputs.ContactListTopicArgs
#               {
#                   TopicName = "news",
#                   DisplayName = "News",
#                   DefaultSubscriptionStatus = "OPT_OUT",
#               },
#           },
#       });
#       // and name the list and topic on every marketing send (ListManagementOptions).
#     yaml: |
#       resources:
#         marketing:
#           type: aws:sesv2:ContactList
#           properties:
#             contactListName: newsletter
#             topics:
#               - topicName: news
#                 displayName: News
#                 defaultSubscriptionStatus: OPT_OUT
#       # and name the list and topic on every marketing send (ListManagementOptions).
#     terraform: |
#       resource "aws_sesv2_contact_list" "marketing" {
#         contact_list_name = "newsletter"
#         topic {
#           topic_name                  = "news"
#           display_name                = "News"
#           default_subscription_status = "OPT_OUT"
#         }
#       }
#       # and name the list and topic on every marketing send (ListManagementOptions).
#     cloudformation: |
#       Resources:
#         MarketingList:
#           Type: AWS::SES::ContactList
#           Properties:
#             ContactListName: newsletter
#             Topics:
#               - TopicName: news
#                 DisplayName: News
#                 DefaultSubscriptionStatus: OPT_OUT
#       # and name the list and topic on every marketing send (ListManagementOptions).
#     cdk-typescript: |
#       new ses.CfnContactList(this, 'ContactList', {
#         contactListName: 'newsletter',
#         topics: [{ topicName: 'news', displayName: 'News', defaultSubscriptionStatus: 'OPT_OUT' }],
#       });
#     cdk-python: |
#       ses.CfnContactList(self, "ContactList",
#           contact_list_name="newsletter",
#           topics=[ses.CfnContactList.TopicProperty(
#               topic_name="news", display_name="News", default_subscription_status="OPT_OUT")])
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses025_all
}

_ses025_all contains v if {
	_marketing
	some v in _ses025
}

# A mail type of the wrong type (a list, a number) cannot say whether the stack sends MARKETING.
_ses025_all contains {"resource": null, "msg": msg} if {
	sending.ses_stack
	m := sending.setting("mailType")
	types.wrong(m, "string")
	msg := sprintf("the stack's mail type setting: %s; cannot verify whether it sends MARKETING mail, which needs a contact list for one-click unsubscribe", [types.describe("mailType", m, "string")])
}

_marketing if {
	m := sending.setting("mailType")
	is_string(m)
	upper(trim_space(m)) == "MARKETING"
}

_lists := resources.of_type(ses.t.v2_contact_list)

_ses025 contains {"resource": null, "msg": "this MARKETING stack declares no SES contact list, so its mail carries no one-click unsubscribe"} if {
	count(_lists) == 0
}

_ses025 contains {"resource": l, "msg": msg} if {
	count(_lists) > 0
	not _any_list_with_topics
	some l in _lists
	msg := _list_msg(l)
}

_any_list_with_topics if {
	some l in _lists
	_topics(l) == "yes"
}

_topics(l) := "unknown" if {
	t := object.get(l.props, "topics", null)
	t != null
	not lib.known(t)
} else := "yes" if {
	t := l.props.topics
	is_array(t)
	count(t) > 0
} else := "no"

_list_msg(l) := sprintf("contact list %s: its topics are unknown until apply or secret; cannot verify recipients can unsubscribe", [l.name]) if {
	_topics(l) == "unknown"
} else := sprintf("contact list %s has no topic: sends cannot name one, so SES adds no one-click unsubscribe", [l.name])
