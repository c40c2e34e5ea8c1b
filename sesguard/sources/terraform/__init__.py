"""Terraform/OpenTofu: `terraform show -json` plans and states."""
