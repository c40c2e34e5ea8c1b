#!/usr/bin/env bash
# Prints `terraform providers schema -json` for hashicorp/aws 5.100.0 from the machine image's
# filesystem mirror (no registry, no credentials): the input of tools/terraform_computed.py.
set -euo pipefail
mirror="$(dirname "$(find / -name 'terraform-provider-aws_v5.100.0*' -path '*hashicorp*' 2>/dev/null | head -1)")"
mirror="${mirror%/registry.terraform.io/*}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
disable_checkpoint = true
TFRC
cat > "$work/main.tf" <<'TF'
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
TF
cd "$work"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
terraform init -input=false -backend=false >/dev/null
terraform providers schema -json
