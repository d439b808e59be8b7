# One entry point for people and CI. Needs only make and Python 3.12 or 3.13 (uv is installed if
# missing).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Python of the venv and of every command: 3.12 or 3.13, Lambda's python3.12 and python3.13
# runtimes (PYTHON_VERSION=3.13 make test). Each version has a venv of its own, so both can be
# installed side by side: .venv for 3.12, .venv-3.13 for 3.13 (VENV names another).
PYTHON_VERSION ?= 3.12
# Major.minor only: the official Python images set PYTHON_VERSION to a full version (3.12.8).
override PYTHON_VERSION := $(word 1,$(subst ., ,$(PYTHON_VERSION))).$(word 2,$(subst ., ,$(PYTHON_VERSION)))
VENV ?= $(CURDIR)/.venv$(if $(filter-out 3.12,$(PYTHON_VERSION)),-$(PYTHON_VERSION))
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 9595
LAMBDA_PORT ?= 9100
# Where make run, migrate, revision and seed keep the embedded stores' data and logs (make lambda
# keeps its own in $(DATA_DIR)/lambda); make reset deletes it.
DATA_DIR ?= .local
# Settings for every command below that the environment does not set (an empty value is unset).
ENV_FILE ?= .env
# The stores make run, seed and lambda start when their URL is unset: STORES=postgresql,redis
# runs without MongoDB (default: all three, and for make run and lambda sqs, the local queues).
STORES ?=
NEEDS = $(if $(STORES),--needs $(STORES))
REPORTS_DIR ?=

# Lambda's Python runtimes the project runs on; make bench measures the init on each found here.
PYTHON_VERSIONS := 3.12 3.13
# A working python$(1) on PATH, else a pyenv-installed one, else nothing.
find_python = $(shell for candidate in python$(1) $$HOME/.pyenv/versions/$(1).*/bin/python$(1) \
	/usr/local/bin/python$(1) /usr/bin/python$(1); do \
	"$$candidate" -c 'import sys; assert "%d.%d" % sys.version_info[:2] == "$(1)"; \
	print(sys.executable)' 2>/dev/null && break; done)
# That Python, else uv fetches it.
INTERPRETER := $(call find_python,$(PYTHON_VERSION))
export UV_PYTHON := $(or $(INTERPRETER),$(PYTHON_VERSION))
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV

# uv: the one on PATH, else a private copy installed with pip into .tools/.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)

# uvicorn's own X-Forwarded-For trust is off (it trusts loopback peers by default, so any
# local client could pick its address): TRUSTED_PROXY_HOPS alone decides who the client is.
# The app image (docker_images/app/Dockerfile) runs uvicorn with the same flags.
UVICORN_FLAGS := --no-proxy-headers --no-access-log --no-server-header

.PHONY: help install sam-cli pgbouncer chromium run token seed module rename migrate revision lambda bundle bench fuzz load test reset \
	lint lint-ruff lint-types \
	lint-imports lint-infra fmt codes openapi clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	@echo "uv not found: installing it into .tools/"
	$(or $(INTERPRETER),python3) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: $(VENV)/.synced ## Create .venv from uv.lock (runtime + dev tools)

# The AWS SAM CLI that CD deploys with (.github/workflows/cd.yml runs `make sam-cli`), in an
# environment of its own: its pinned dependencies do not resolve together with the project's.
# The suite runs it (and the SAM translator it ships) on the template, the samconfig and the docs.
SAM_CLI_VERSION := 1.170.0
SAM_ENV := $(CURDIR)/.tools/sam

$(SAM_ENV)/.aws-sam-cli-$(SAM_CLI_VERSION): | $(UV)
	rm -rf $(SAM_ENV)
	$(UV) venv --quiet $(SAM_ENV)
	$(UV) pip install --quiet --python $(SAM_ENV)/bin/python aws-sam-cli==$(SAM_CLI_VERSION)
	@touch $@

sam-cli: $(SAM_ENV)/.aws-sam-cli-$(SAM_CLI_VERSION) ## The SAM CLI version CD pins, in .tools/sam (sam, its python)

run: install ## Migrate, add sample data, serve the API with reload on http://127.0.0.1:9595 (embedded stores and queues for unset URLs)
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR) $(NEEDS) --queues -- sh -c \
		"$(BIN)/python -m app.db.postgresql.migrate && $(BIN)/python scripts/seed.py --if-allowed \
		&& exec $(BIN)/uvicorn app.main:app \
		--host $(HOST) --port $(PORT) --reload --reload-dir src $(UVICORN_FLAGS)"

migrate: install ## Upgrade PostgreSQL to the newest migration (POSTGRESQL_URL, else the embedded one, also beside make run)
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR) --needs postgresql -- \
		$(BIN)/python -m app.db.postgresql.migrate

token: install ## A token from the dev issuer for AUTH_ENABLED=true make run: make token [scope="books:read"] [sub=...]
	@$(BIN)/python scripts/dev_issuer.py token $(if $(scope),--scope "$(scope)") $(if $(sub),--sub "$(sub)")

seed: install ## Add the sample data of every domain (idempotent; local and development only)
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR) $(NEEDS) -- sh -c \
		"$(BIN)/python -m app.db.postgresql.migrate && $(BIN)/python scripts/seed.py"

module: install ## New domain slice: make module name=authors store=postgres|mongo [singular=...] [consumer=yes]
	@test -n "$(name)" -a -n "$(store)" || { \
		echo 'usage: make module name=<plural snake_case> store=postgres|mongo [singular=<name>] [consumer=yes]' >&2; \
		exit 2; }
	$(BIN)/python scripts/new_module.py --name "$(name)" --store "$(store)" $(if $(singular),--singular "$(singular)") \
		$(if $(filter yes,$(consumer)),--consumer) \
		--data-dir "$(DATA_DIR)" --env-file "$(ENV_FILE)"

rename: install ## Give the service its own name everywhere it is written: make rename name=orders-api
	@test -n "$(name)" || { echo 'usage: make rename name=<lowercase-with-hyphens>' >&2; exit 2; }
	$(BIN)/python scripts/rename_service.py --name "$(name)"

# Autogenerate compares the models with a database at head, so migrate first; ids are sequential.
MIGRATIONS := src/app/db/postgresql/migrations/versions
revision: install ## New migration from the model changes: make revision m="add reviews table"
	@test -n "$(m)" || { echo 'usage: make revision m="what it changes"' >&2; exit 2; }
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR) --needs postgresql -- sh -c \
		"$(BIN)/python -m app.db.postgresql.migrate && $(BIN)/alembic revision --autogenerate \
		--rev-id $$(printf '%04d' $$(( $$(ls $(MIGRATIONS)/*.py | wc -l) + 1 ))) -m '$(m)'"

lambda: install ## The handler on 127.0.0.1:9100: RIE invoke endpoint, and HTTP API events of the API_BASE_PATH stage for any other request
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR)/lambda $(NEEDS) --queues -- sh -c \
		"$(BIN)/python -m app.db.postgresql.migrate && exec $(BIN)/python scripts/lambda_server.py \
		--host $(HOST) --port $(LAMBDA_PORT)"

bundle: install ## Build dist/lambda and dist/lambda.zip (python$(PYTHON_VERSION), x86_64, runtime deps, .pyc)
	UV=$(UV) PYTHON=$(BIN)/python bash scripts/build_bundle.sh dist

bench: install ## Cold start, warm latency, RSS, size of the bundle vs reference apps; init on each Python (BENCH_ARGS=--quick)
	$(BIN)/python bench/run.py \
		$(foreach version,$(PYTHON_VERSIONS),$(addprefix --python ,$(call find_python,$(version)))) \
		$(BENCH_ARGS)

fuzz: install ## schemathesis against the app: every check and phase, a new seed each run (FUZZ_ARGS="--seed N --max-examples 100")
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) -- $(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

load: install ## Load test on loopback: req/s, p50/p99, errors, RSS for /health and GET book (LOAD_ARGS=--seconds 30)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# System packages the suite needs: installed with apt-get when missing and this user may (root),
# else the command says how.
apt_install = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y --no-install-recommends $(1) \
		|| { apt-get update && apt-get install -y --no-install-recommends $(1); }; \
	else \
		echo "make test needs $(1): sudo apt-get install $(1) (or brew install $(1))" >&2; \
		exit 1; \
	fi

# The suite runs the app through PgBouncer (a transaction pooler, as on AWS).
pgbouncer: ## Install PgBouncer when missing (the suite's transaction-pooler run needs it)
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || { $(call apt_install,pgbouncer); }

# The browser tests drive Chromium through Playwright, which cannot download a browser here: the
# system's (Debian's package; GitHub's runners have one).
chromium: ## Install Chromium when missing (the suite's browser tests of /docs need it)
	@command -v chromium >/dev/null || { $(call apt_install,chromium); }

test: install sam-cli pgbouncer chromium ## Run the whole suite with coverage against real servers
	$(BIN)/pytest --cov=app --cov-report=term-missing:skip-covered \
		$(if $(REPORTS_DIR),--junitxml=$(REPORTS_DIR)/junit.xml \
		--cov-report=xml:$(REPORTS_DIR)/coverage.xml --cov-report=html:$(REPORTS_DIR)/htmlcov) \
		$(PYTEST_ARGS)

lint: lint-ruff lint-types lint-imports lint-infra ## ruff, mypy --strict, import layering, infra validators

lint-ruff: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-types: install
	$(BIN)/mypy src tests scripts

lint-imports: install ## The layering contracts in pyproject.toml (import-linter)
	$(BIN)/lint-imports

lint-infra: install sam-cli
	VENV=$(VENV) bash scripts/lint_infra.sh

fmt: install ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

codes: install ## Regenerate docs/error-codes.md from the code
	$(BIN)/python scripts/error_codes.py

openapi: install ## Write openapi.json, the API contract the suite and CI check (after changing a route or schema)
	$(BIN)/python scripts/openapi.py

reset: ## Delete the local data (the embedded stores of make run and make lambda); stop them first
	@for dir in "$(DATA_DIR)" "$(DATA_DIR)/lambda"; do \
		$(BIN)/python scripts/devstack.py idle --data-dir "$$dir" || exit 1; done
	rm -rf "$(DATA_DIR)/postgresql" "$(DATA_DIR)/redis" "$(DATA_DIR)/mongodb" "$(DATA_DIR)"/*.log \
		"$(DATA_DIR)/lambda"
	@echo "make reset: local data deleted; the next make run starts empty and adds the sample data"

clean: ## Remove build outputs and caches (keeps $(DATA_DIR) data)
	rm -rf dist reports .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
