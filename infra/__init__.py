"""Pulumi ComponentResources the ses-sender program is built from (one job per module)."""
