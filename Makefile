# do-platform: the two commands a newcomer needs are `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= dev
PORT ?= 8089
SPACES_PORT ?= 8090

.PHONY: setup test lint plan emulator bench engine up-local conformance clean

# Installs everything into .venv; re-runs only when a requirements file or pyproject.toml changes.
setup: .setup-stamp
.setup-stamp: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

lint: setup
	$(BIN)/ruff check .

# The README's test command.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist worksteal tests

# Offline plan of a stack (no account, no token, no CLI): resource tree, policy findings, monthly cost.
plan: setup
	$(BIN)/do-platform plan --stack $(STACK)

# The local DigitalOcean API emulator on 127.0.0.1:$(PORT), state kept in .state/emulator.json.
emulator: setup
	mkdir -p .state
	$(BIN)/python -m emulator --port $(PORT) --state-file .state/emulator.json

# Every benchmark in benchmarks/ (minutes; BENCH="program plan" picks some). Figures: docs/benchmarks.md.
bench: setup
	$(BIN)/python -m benchmarks $(BENCH)

clean:
	rm -rf $(VENV) .setup-stamp .state .pytest_cache .ruff_cache

# The Pulumi engine for offline use: the CLI (Go modules), the vendor's Python language host and the DigitalOcean
# provider plugin (source snapshots in ../shared/engine-src, or $DO_PLATFORM_ENGINE_SRC). Cached outside the
# repository (${XDG_CACHE_HOME:-~/.cache}/do-platform/engine), so a second run takes seconds.
engine: setup
	$(BIN)/python -m do_platform.engine build

# The local stack through the real engine against the emulator (started on $(PORT) with .state/emulator.json) and
# a local S3 server standing in for Spaces (on $(SPACES_PORT), buckets in memory):
# pulumi up, preview --expect-no-changes, refresh --expect-no-changes, destroy, with the policy pack. Needs
# `make engine`.
up-local: setup
	$(BIN)/python -m do_platform.engine.local_stack --port $(PORT) --spaces-port $(SPACES_PORT)

# The DigitalOcean Terraform provider's own acceptance suite (its snapshot in ../shared/engine-src) against an
# in-memory emulator, with OpenTofu built from its snapshot into the engine cache (about 10 min once). Rewrites the
# generated table in docs/emulator.md. FAMILIES=vpc,droplet picks families (`program`: the program's; default all).
FAMILIES ?=
conformance: setup
	$(BIN)/python -m do_platform.conformance --families "$(FAMILIES)"
