# Two commands do all the set-up on a fresh machine with only Python: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CORSDEPLOY := $(BIN)/corsdeploy
# The sandbox's port: `make demo SANDBOX_PORT=4567` when 4566 is taken (LocalStack's default too).
SANDBOX_PORT ?= 4566
SANDBOX_URL := http://127.0.0.1:$(SANDBOX_PORT)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:

.PHONY: install test lint browser acceptance demo sandbox-up sandbox-down benchmark clean

$(INSTALLED): pyproject.toml
	@echo 'Setting up $(VENV) (first run only)...'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

lint: $(INSTALLED)
	$(BIN)/ruff check corsdeploy tests benchmarks
	$(BIN)/mypy corsdeploy

# Debian's chromium for the headless-browser test, when missing and installable (else that test skips).
browser:
	.ci/install-chromium

test: lint browser
	$(CORSDEPLOY) validate --all
	$(BIN)/pytest -q -n 2 --ignore=tests/acceptance
	# Hostile environment files, fixed seed, 20 s (a person can run it for hours: --seconds N). The
	# per-input limit here is loose for a busy CI machine; a hang still ends the input and fails.
	$(BIN)/python benchmarks/fuzz_loader.py --seconds 20 --timeout 30

# Against a real AWS account (creates throwaway resources; costs cents): opt in explicitly.
acceptance: $(INSTALLED)
	@if [ "$${CORSDEPLOY_ACCEPTANCE:-}" != 1 ]; then
		echo 'acceptance: skipped; run `CORSDEPLOY_ACCEPTANCE=1 make acceptance` with AWS credentials for a test account'
		exit 0
	fi
	$(BIN)/python -m pytest tests/acceptance -p no:cacheprovider

# Every command below reaches the sandbox on $(SANDBOX_PORT), environments/sandbox.yaml included.
sandbox-up demo: export CORSDEPLOY_SANDBOX_URL := $(SANDBOX_URL)
sandbox-down clean: export CORSDEPLOY_SANDBOX_URL := $(SANDBOX_URL)

sandbox-up: $(INSTALLED)
	$(CORSDEPLOY) sandbox up --env sandbox

sandbox-down: $(INSTALLED)
	$(CORSDEPLOY) sandbox down --env sandbox

# Plan, apply, re-plan (no changes), detect a drift made behind corsdeploy's back, repair it; then
# check, lint and probe.
# The sandbox is stopped whatever happens.
demo: $(INSTALLED)
	@trap '$(CORSDEPLOY) sandbox down --env sandbox' EXIT
	step() { printf '\n\033[1m== %s\033[0m\n' "$$*"; }
	step "Start the sandbox and create the resources environments/sandbox.yaml names"
	$(CORSDEPLOY) sandbox up --env sandbox
	step "corsdeploy plan --env sandbox"
	$(CORSDEPLOY) plan --env sandbox
	step "corsdeploy apply --env sandbox --auto-approve"
	$(CORSDEPLOY) apply --env sandbox --auto-approve
	step "Plan again: nothing to do (--detailed-exitcode: 0 = no changes)"
	$(CORSDEPLOY) plan --env sandbox --detailed-exitcode
	step "Someone edits a bucket's CORS by hand..."
	$(BIN)/python -c 'import boto3; boto3.client("s3", endpoint_url="$(SANDBOX_URL)", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing").put_bucket_cors(Bucket="sandbox-uploads", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT", "DELETE"]}]})'
	step "...and the next plan shows the drift (exit code 2 = changes)"
	status=0; $(CORSDEPLOY) plan --env sandbox --detailed-exitcode || status=$$?
	[ "$$status" -eq 2 ] || { echo "expected exit code 2 for a drift, got $$status"; exit 1; }
	step "Apply puts it back"
	$(CORSDEPLOY) apply --env sandbox --auto-approve
	$(CORSDEPLOY) plan --env sandbox --detailed-exitcode
	step "Why would a browser on another origin be blocked? (check simulates S3; no AWS call)"
	$(CORSDEPLOY) check --env sandbox --resource s3_bucket.sandbox-uploads --origin https://evil.example --method PUT --header content-type
	step "Lint: the misconfigurations attackers use (exit 1 only on errors)"
	$(CORSDEPLOY) lint --env sandbox
	step "Probe: real requests to the sandbox's buckets agree with check"
	$(CORSDEPLOY) probe --env sandbox

# Numbers, not assertions: plan of 100 buckets at 50 ms latency; plan and apply of 100 to 5,000
# buckets, start-up time and memory at 10,000 (bench_scale.py; `--quick` for a short run); apply of
# 20 REST APIs against a fake that enforces API Gateway's quotas (about 4.5 minutes; `--apis 5` for a
# short run).
benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_rest_apply.py

clean:
	-$(CORSDEPLOY) sandbox down --env sandbox
	rm -rf $(VENV) .corsdeploy .pytest_cache .ruff_cache *.egg-info
