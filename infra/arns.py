"""ARNs written out from names we choose, for use inside JSON policy documents.

A resource's ``arn`` output is unknown until apply; a policy document built from it would be
unknown at preview, and a rule could not see who may publish. Resources that appear in a policy
therefore get explicit names, and the policy names them by an ARN built here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"

    def configuration_set_arn(self, name: str) -> str:
        return self.arn("ses", f"configuration-set/{name}")
