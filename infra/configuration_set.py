"""The configuration set every send from the domain goes through."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class ConfigurationSetArgs:
    name: str


class ConfigurationSet(pulumi.ComponentResource):
    """SES-017..020: reputation metrics feed the bounce/complaint alarms, suppression stays on for
    BOUNCE and COMPLAINT (an empty override would turn it off), sending is enabled, and TLS is
    required so mail never goes out in clear text."""

    def __init__(
        self, name: str, args: ConfigurationSetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sesguard:index:ConfigurationSet", name, None, opts)
        self.configuration_set = aws.sesv2.ConfigurationSet(
            f"{name}-configuration-set",
            configuration_set_name=args.name,
            reputation_options=aws.sesv2.ConfigurationSetReputationOptionsArgs(
                reputation_metrics_enabled=True
            ),
            sending_options=aws.sesv2.ConfigurationSetSendingOptionsArgs(sending_enabled=True),
            suppression_options=aws.sesv2.ConfigurationSetSuppressionOptionsArgs(
                suppressed_reasons=["BOUNCE", "COMPLAINT"],
            ),
            delivery_options=aws.sesv2.ConfigurationSetDeliveryOptionsArgs(tls_policy="REQUIRE"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name = self.configuration_set.configuration_set_name
        self.register_outputs({"name": self.name, "arn": self.configuration_set.arn})
