"""SES list management for marketing mail."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.config import ContactListConfig


class ContactList(pulumi.ComponentResource):
    """SES-025: sends that name this list and a topic get List-Unsubscribe and
    List-Unsubscribe-Post headers from SES (RFC 8058 one-click), which Gmail and Yahoo require of
    bulk senders, and SES honours the opt-out itself. One list per account."""

    def __init__(
        self, name: str, args: ContactListConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sesguard:index:ContactList", name, None, opts)
        self.contact_list = aws.sesv2.ContactList(
            f"{name}-contact-list",
            contact_list_name=args.name,
            description=args.description or None,
            topics=[
                aws.sesv2.ContactListTopicArgs(
                    topic_name=t.name,
                    display_name=t.display_name,
                    description=t.description or None,
                    default_subscription_status=t.default_subscription_status,
                )
                for t in args.topics
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"contactListName": self.contact_list.contact_list_name})
