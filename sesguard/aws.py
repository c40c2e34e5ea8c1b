"""boto3 clients for the commands that reach SES outside the live audit (which builds its own set)."""

from __future__ import annotations

from typing import Any

from sesguard.errors import SesguardError


def sesv2_client(region: str, profile: str | None = None) -> Any:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.Session(profile_name=profile)
    except BotoCoreError as err:
        raise SesguardError(f"AWS profile {profile}: {err}") from None
    return session.client(
        "sesv2",
        region_name=region,
        config=Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=10),
    )
