"""ses-sender: a production-grade Amazon SES sender per stack (see docs/program.md)."""

import pulumi

from infra.config import ConfigError, from_pulumi
from infra.program import build

try:
    config = from_pulumi()
except ConfigError as err:
    # RunError is reported by the Pulumi CLI as one line, without a traceback.
    raise pulumi.RunError(f"invalid stack config: {err}") from None

build(config)
