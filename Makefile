# One command surface. Every target sets up what it needs, so a fresh clone
# runs `make demo` or `make test` straight away.
SHELL := /bin/bash
comma := ,
.DEFAULT_GOAL := help

# The Lambda runtime the template deploys (docs/build.md says why 3.13).
PY_VERSION := 3.13
# The first python3.13 that actually runs (a pyenv shim can exist and still fail).
BASE_PYTHON ?= $(shell for candidate in $$(ls -d $$HOME/.pyenv/versions/$(PY_VERSION)*/bin/python$(PY_VERSION) 2>/dev/null | sort -rV) $$(command -v python$(PY_VERSION)); do "$$candidate" -c 'import sys' 2>/dev/null && echo "$$candidate" && break; done)
VENV := .venv
BIN := $(abspath $(VENV)/bin)
# Named after the interpreter, so a venv made with another Python is made again.
STAMP := $(VENV)/.installed-python$(PY_VERSION)
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# sam build looks for a python3.13 on PATH; the project venv provides one.
export PATH := $(BIN):$(PATH)
export SAM_CLI_TELEMETRY := 0

SAM_CONFIG_ENV ?= default

.PHONY: help setup demo serve env test unit integration local lint format build sizes validate bench deploy clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml layers/model/requirements.txt layers/onnx/requirements.txt layers/convert/requirements.txt requirements-dev.txt
	@test -n "$(BASE_PYTHON)" || { echo "error: python$(PY_VERSION) was not found on PATH or under pyenv" >&2; exit 1; }
	@echo "==> creating $(VENV) with $(BASE_PYTHON)"
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma) ,$(PY_VERSION))))' 2>/dev/null \
		|| { rm -rf $(VENV) && $(BASE_PYTHON) -m venv $(VENV); }
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	@touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	@echo "==> creating $(CHECKOV_VENV) for checkov"
	@$(BASE_PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

setup: $(STAMP) ## Create the development environment

demo: $(STAMP) ## Run the whole local loop on the embedded AWS (moto)
	@$(BIN)/python -m sklambda_local.demo

serve: $(STAMP) ## Run the demo, then keep the whole local stack running (see README)
	@$(BIN)/python -m sklambda_local.demo --serve

test: $(STAMP) ## Unit, integration and (where a container runtime exists) local tests
	@$(BIN)/pytest

unit: $(STAMP) ## Pure tests
	@$(BIN)/pytest tests/unit

integration: $(STAMP) ## Handlers against moto, in-process
	@$(BIN)/pytest tests/integration

local: $(STAMP) ## sam local invoke / start-api against moto (needs a container runtime)
	@$(BIN)/pytest tests/local

lint: $(STAMP) $(CHECKOV_STAMP) ## ruff, mypy, sam validate --lint and checkov (.checkov.yaml)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy
	@$(BIN)/sam validate --lint --region us-east-1
	@$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

format: $(STAMP)
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

validate: $(STAMP)
	@$(BIN)/sam validate --lint --region us-east-1

build: $(STAMP) ## sam build for arm64
	@$(BIN)/sam build --cached --parallel

sizes: build ## Each function plus its layers, unzipped and zipped; fails above its budget
	@$(BIN)/python scripts/check_sizes.py

bench: $(STAMP) ## Print the benchmark figures (every script runs; fails at the end if one failed)
	@failed=""; for script in benchmarks/*.py; do echo "==> $$script"; started=$$SECONDS; \
		$(BIN)/python $$script || failed="$$failed $$script"; \
		echo "<== $$script ($$((SECONDS - started)) s)"; done; \
		if [ -n "$$failed" ]; then echo "failed:$$failed" >&2; exit 1; fi

env: ## Shell lines pointing AWS clients and the CLI at `make serve`: eval "$$(make env)"
	@if [ -f .demo/env ]; then cat .demo/env; else echo "echo 'make serve is not running (no .demo/env)' >&2"; fi

deploy: build ## sam deploy (SAM_CONFIG_ENV=dev|prod picks the samconfig.toml environment)
	@$(BIN)/sam deploy --config-env $(SAM_CONFIG_ENV)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .demo $(CHECKOV_VENV)
