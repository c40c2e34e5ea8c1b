"""The SES domain identity: Easy DKIM with 2048-bit keys and a custom MAIL FROM subdomain."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class IdentityArgs:
    domain: str
    mail_from_domain: str
    configuration_set_name: pulumi.Input[str]


class Identity(pulumi.ComponentResource):
    """SES-001/002/003/008/011: a domain identity (not address identities), signed with Easy DKIM,
    a default configuration set so every send gets reputation metrics and feedback, and a MAIL FROM
    subdomain that rejects mail when its MX is missing rather than falling back to amazonses.com
    (which would break SPF alignment)."""

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:Identity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.identity = aws.sesv2.EmailIdentity(
            f"{name}-identity",
            email_identity=args.domain,
            configuration_set_name=args.configuration_set_name,
            dkim_signing_attributes=aws.sesv2.EmailIdentityDkimSigningAttributesArgs(
                next_signing_key_length="RSA_2048_BIT",
            ),
            opts=child,
        )
        self.mail_from = aws.sesv2.EmailIdentityMailFromAttributes(
            f"{name}-mail-from",
            email_identity=self.identity.email_identity,
            mail_from_domain=args.mail_from_domain,
            behavior_on_mx_failure="REJECT_MESSAGE",
            opts=child,
        )
        # Indexing the Output (not an apply) keeps each token its own Output, so the DNS component
        # can declare the three CNAMEs at preview while the tokens are still unknown.
        tokens = self.identity.dkim_signing_attributes.tokens
        self.dkim_tokens: list[pulumi.Output[str]] = [tokens[i] for i in range(3)]
        self.arn = self.identity.arn
        self.register_outputs({"arn": self.arn, "dkimTokens": self.dkim_tokens})
