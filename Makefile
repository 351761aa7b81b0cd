# Two commands do all the set-up on a fresh machine with only Python: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CORSDEPLOY := $(BIN)/corsdeploy
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:

.PHONY: install test lint demo sandbox-up sandbox-down benchmark clean

$(INSTALLED): pyproject.toml
	@echo 'Setting up $(VENV) (first run only)...'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

lint: $(INSTALLED)
	$(BIN)/ruff check corsdeploy tests benchmarks

test: lint
	$(CORSDEPLOY) validate --all
	$(BIN)/pytest -q -n 2

sandbox-up: $(INSTALLED)
	$(CORSDEPLOY) sandbox up --env sandbox

sandbox-down: $(INSTALLED)
	$(CORSDEPLOY) sandbox down

# Plan, apply, re-plan (no changes), detect a drift made behind corsdeploy's back, repair it.
# The sandbox is stopped whatever happens.
demo: $(INSTALLED)
	@trap '$(CORSDEPLOY) sandbox down' EXIT
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
	$(BIN)/python -c 'import boto3; boto3.client("s3", endpoint_url="http://127.0.0.1:4566", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing").put_bucket_cors(Bucket="sandbox-uploads", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT", "DELETE"]}]})'
	step "...and the next plan shows the drift (exit code 2 = changes)"
	status=0; $(CORSDEPLOY) plan --env sandbox --detailed-exitcode || status=$$?
	[ "$$status" -eq 2 ] || { echo "expected exit code 2 for a drift, got $$status"; exit 1; }
	step "Apply puts it back"
	$(CORSDEPLOY) apply --env sandbox --auto-approve
	$(CORSDEPLOY) plan --env sandbox --detailed-exitcode

benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/bench_plan.py

clean:
	-$(CORSDEPLOY) sandbox down
	rm -rf $(VENV) .corsdeploy .pytest_cache .ruff_cache *.egg-info
