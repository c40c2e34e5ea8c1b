# Every target creates .venv on first use, so a fresh clone needs nothing but Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: check test test-fast bench lint bundle docs clean fixtures fixtures-cdk fixtures-node fixtures-terraform fixtures-terraform-hcl mapping

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	# The embedded OPA engine: a ctypes wrapper whose metadata asks for 3.14 but which runs on 3.11.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4
	@rm -f $(VENV)/.installed-*
	@touch $@

check: $(STAMP)
	$(VENV)/bin/sesguard check

test: $(STAMP)
	@bash tests/system-deps.sh
	$(PY) -m pytest -n 2 --dist loadgroup

# The Node.js runner's aws.iam.getPolicyDocument answers, as Terraform's provider renders them.
fixtures-node: $(STAMP)
	$(PY) tests/fixtures/node/policy-document/generate.py

# The quick loop while editing (under a minute): the Rego unit tests and the pure-Python units,
# all in process: no subprocess, server, wheel or virtualenv. `make test` runs them too, with the rest.
FAST_TESTS := tests/test_rego.py tests/test_architecture.py tests/test_config.py tests/test_findings_typed.py \
	tests/test_iac_mutations.py tests/test_mutations.py tests/test_pack_logic.py tests/test_preload.py \
	tests/test_projection.py tests/test_regions.py tests/test_reports.py tests/test_snippets.py \
	tests/test_wrong_types.py

test-fast: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider $(FAST_TESTS)

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	# Workflows and the Action: actionlint and the GitHub schemas check-jsonschema vendors.
	$(VENV)/bin/actionlint .github/workflows/*.yml
	$(VENV)/bin/check-jsonschema -q --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/check-jsonschema -q --builtin-schema vendor.github-actions action.yml
	$(VENV)/bin/pre-commit validate-manifest .pre-commit-hooks.yaml

bundle: $(STAMP)
	$(VENV)/bin/sesguard bundle -o build/sesguard-bundle.tar.gz

# The real tools' output the suite reads (committed; the suite never runs the tools). Each family
# has its own part: fixtures-cdk needs node 20+ and npm (packages cached outside the repository).
fixtures: fixtures-cdk fixtures-node fixtures-terraform fixtures-terraform-hcl

fixtures-cdk:
	bash tests/fixtures/cloudformation/generate-cdk.sh

# terraform 1.11 + the local hashicorp/aws 5.100.0 mirror, against moto's server on 127.0.0.1.
fixtures-terraform: $(STAMP)
	$(PY) tests/fixtures/terraform/generate.py

docs: $(STAMP)
	$(VENV)/bin/sesguard policies --format markdown --output docs/rules.md

# Fixtures are the real tools' output: each part regenerates its own (the suite reads what is committed).
fixtures-terraform-hcl: $(STAMP)
	PYTHON=$(abspath $(PY)) bash tests/fixtures/terraform/hcl/generate.sh

# What only apply knows, per Terraform type, from the hashicorp/aws provider schema.
mapping: $(STAMP)
	@mkdir -p build
	bash tools/terraform_schema.sh > build/aws-provider-schema.json
	$(PY) tools/terraform_computed.py build/aws-provider-schema.json

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
