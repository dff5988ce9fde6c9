# Two commands for people: `make run` and `make test`. Everything else is a step they use.
# Works on a fresh Debian 12 with python3, make and apt; installs what is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
# apt needs root: use sudo only when we are not root already.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends
CHROMIUM := /usr/bin/chromium

.PHONY: venv run test lint bench vendor chromium clean

venv: $(STAMP)

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
		echo "installing python3-venv (Debian ships venv without ensurepip)"; \
		$(SUDO) apt-get update && $(APT_INSTALL) python3-venv; \
	fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

# APP_ENV=development: the only mode with a default SECRET_KEY and the /correo mailbox.
# The worker runs beside the server, as in production: timers fire (activation links
# expire) and the outbox is handled; stopping `make run` (Ctrl-C) stops both. Emailed links
# point at the port served unless BASE_URL says otherwise (make run PORT=5101).
BASE_URL ?= http://127.0.0.1:$(PORT)
run: venv
	APP_ENV=development BASE_URL=$(BASE_URL) $(BIN)/flask --app webui init-demo
	@export APP_ENV=development BASE_URL=$(BASE_URL); \
	$(BIN)/flask --app webui worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Servidor en http://127.0.0.1:$(PORT) (enlaces de los correos: $(BASE_URL)); trabajador en segundo plano (pid $$worker). Entre en /entrar con los usuarios de arriba."; \
	$(BIN)/flask --app webui run --host 127.0.0.1 --port $(PORT)

# Debian's chromium: Playwright's own browser download is not used (it cannot be fetched here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian chromium"; \
		$(SUDO) apt-get update && $(APT_INSTALL) chromium fonts-liberation; \
	fi

# Lint (ruff, and the import contracts in pyproject.toml) and tests all run; the target fails
# if any does. PYTEST_ARGS='-k sqlite -x' narrows a run.
test: venv chromium
	@url="$$(scripts/ensure_postgres.sh)" || { echo "no PostgreSQL for the tests" >&2; exit 1; }; \
	echo "TEST_DATABASE_URL=$$url"; \
	lint=0; $(BIN)/ruff check . || lint=$$?; $(BIN)/lint-imports --no-cache || lint=$$?; \
	TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest $(PYTEST_ARGS) || exit $$?; \
	exit $$lint

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/report.py

# Refresh webui/static/vendor from the versions pinned in tools/vendor/package-lock.json (and
# tools/vendor/differ/package-lock.json: bpmn-js-differ, bundled for the browser by esbuild).
vendor:
	cd tools/vendor && npm ci --no-audit --no-fund && ./copy-dist.sh
	cd tools/vendor/differ && npm ci --no-audit --no-fund && ./build.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache tests/artifacts tools/vendor/node_modules tools/vendor/differ/node_modules build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Production-style serving (docs/deploy.md): migrate, deploy the diagrams, then gunicorn and
# WORKERS background workers against $DATABASE_URL. Needs DATABASE_URL, SECRET_KEY, BASE_URL and
# SMTP_* (or MAIL_BACKEND=log to send nothing). Ctrl-C stops everything it started.
WORKERS ?= 1
.PHONY: serve-prod fuzz
serve-prod: venv
	@[ -n "$$DATABASE_URL" ] || { echo "serve-prod: set DATABASE_URL (postgresql://user@host/db)" >&2; exit 2; }
	@[ -n "$$SECRET_KEY" ] || { echo "serve-prod: set SECRET_KEY (a long random value)" >&2; exit 2; }
	APP_ENV=production $(BIN)/flask --app webui db upgrade
	APP_ENV=production $(BIN)/flask --app webui deploy-diagrams --sin-diferencias \
	  || echo "serve-prod: no se desplegaron los diagramas del repositorio; siguen las versiones de la base" >&2
	@export APP_ENV=production PORT=$(PORT); \
	pids=""; trap 'kill $$pids 2>/dev/null; wait' EXIT INT TERM; \
	for i in $$(seq $(WORKERS)); do $(BIN)/python -m engine worker & pids="$$pids $$!"; done; \
	$(BIN)/gunicorn -c gunicorn.conf.py 'webui:create_app()'

# Long fuzzing run (the default profile runs in `make test`): the form and page fuzzers and
# schemathesis against the API, with many more (and new, randomized) examples than make test.
fuzz: venv
	@url="$$(scripts/ensure_postgres.sh)" || exit 1; \
	TEST_DATABASE_URL="$$url" HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q \
		tests/engine/test_form_fuzz.py tests/webui/test_fuzz_web.py tests/webui/test_api_contract.py
