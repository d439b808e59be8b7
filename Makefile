# One entry point for people and CI. Needs only make and Python 3.12 (uv is installed if missing).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
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
# runs without MongoDB (default: all three).
STORES ?=
NEEDS = $(if $(STORES),--needs $(STORES))
REPORTS_DIR ?=

# Python 3.12: a working python3.12 on PATH, else a pyenv-installed one, else let uv fetch it.
PYTHON_312 := $(shell for candidate in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	/usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' \
	2>/dev/null && break; done)
export UV_PYTHON := $(or $(PYTHON_312),3.12)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV

# uv: the one on PATH, else a private copy installed with pip into .tools/.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)

# uvicorn's own X-Forwarded-For trust is off (it trusts loopback peers by default, so any
# local client could pick its address): TRUSTED_PROXY_HOPS alone decides who the client is.
# The app image (docker_images/app/Dockerfile) runs uvicorn with the same flags.
UVICORN_FLAGS := --no-proxy-headers --no-access-log --no-server-header

.PHONY: help install pgbouncer run token seed module rename migrate revision lambda bundle bench fuzz load test reset \
	lint lint-ruff lint-types \
	lint-imports lint-infra fmt codes clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	@echo "uv not found: installing it into .tools/"
	$(or $(PYTHON_312),python3) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: $(VENV)/.synced ## Create .venv from uv.lock (runtime + dev tools)

run: install ## Migrate, add sample data, serve the API with reload on http://127.0.0.1:9595 (embedded stores for unset URLs)
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR) $(NEEDS) -- sh -c \
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

module: install ## New domain slice: make module name=authors store=postgres|mongo [singular=...]
	@test -n "$(name)" -a -n "$(store)" || { \
		echo 'usage: make module name=<plural snake_case> store=postgres|mongo [singular=<name>]' >&2; \
		exit 2; }
	$(BIN)/python scripts/new_module.py --name "$(name)" --store "$(store)" $(if $(singular),--singular "$(singular)") \
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

lambda: install ## Local Lambda invoke endpoint on 127.0.0.1:9100 (RIE-compatible), own embedded stores
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) --data-dir $(DATA_DIR)/lambda $(NEEDS) -- sh -c \
		"$(BIN)/python -m app.db.postgresql.migrate && exec $(BIN)/python scripts/lambda_server.py \
		--host $(HOST) --port $(LAMBDA_PORT)"

bundle: install ## Build dist/lambda and dist/lambda.zip (python3.12, x86_64, runtime deps, .pyc)
	UV=$(UV) PYTHON=$(BIN)/python bash scripts/build_bundle.sh dist

bench: install ## Cold start, warm latency, RSS, size of the bundle vs reference apps (BENCH_ARGS=--quick)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

fuzz: install ## schemathesis against the app: every check and phase, a new seed each run (FUZZ_ARGS="--seed N --max-examples 100")
	$(BIN)/python scripts/devstack.py run --env-file $(ENV_FILE) -- $(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

load: install ## Load test on loopback: req/s, p50/p99, errors, RSS for /health and GET book (LOAD_ARGS=--seconds 30)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# The suite runs the app through PgBouncer (a transaction pooler, as on AWS): the Debian/Ubuntu
# package, installed here when missing and this user may (root with apt-get).
pgbouncer: ## Install PgBouncer when missing (the suite's transaction-pooler run needs it)
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y --no-install-recommends pgbouncer \
			|| { apt-get update && apt-get install -y --no-install-recommends pgbouncer; }; \
		else \
			echo "make test needs PgBouncer: sudo apt-get install pgbouncer (or brew install pgbouncer)" >&2; \
			exit 1; \
		fi; }

test: install pgbouncer ## Run the whole suite with coverage against real servers
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

lint-infra: install
	VENV=$(VENV) bash scripts/lint_infra.sh

fmt: install ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

codes: install ## Regenerate docs/error-codes.md from the code
	$(BIN)/python scripts/error_codes.py

.PHONY: openapi
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
