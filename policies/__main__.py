"""The sesguard policy pack: builds the PolicyPack from checks.pack and serves it (blocks forever)."""

import sys
from pathlib import Path

# The CLI starts the pack in policies/; the checks package lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from checks import pack

PolicyPack(
    name=pack.NAME,
    description=pack.DESCRIPTION,
    policies=pack.policies(warm=True),
    enforcement_level=EnforcementLevel.MANDATORY,
)
