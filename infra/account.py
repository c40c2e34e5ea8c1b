"""Account-wide SES settings: declared by exactly one stack per account and region."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


class AccountSuppression(pulumi.ComponentResource):
    """SES-016: addresses that bounced or complained are never mailed again from this account,
    whatever configuration set a send names. A second stack in the same account turns this off
    (ses-sender:accountSuppression: false) because the setting is one per account."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:AccountSuppression", name, None, opts)
        self.attributes = aws.sesv2.AccountSuppressionAttributes(
            f"{name}-suppression",
            suppressed_reasons=["BOUNCE", "COMPLAINT"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"suppressedReasons": self.attributes.suppressed_reasons})
