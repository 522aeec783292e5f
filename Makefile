# Two commands on a fresh machine (Python 3.11+, make, git): `make run` and `make test`.
# Each installs what it needs from PyPI on first use: uv into .tools/, then the workspace into .venv/.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# uv would otherwise download a managed Python from GitHub, which is unreachable here.
export UV_PYTHON_DOWNLOADS := never
RUN := $(UV) run --frozen --no-sync

.PHONY: run demo test sync lint format typecheck docs docs-check test-unit test-integration test-e2e test-slow chaos bench bench-demo bench-full authz fuzz soak clean \
	screenshots \
	compose-env compose-up compose-down

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml deploy/local/pyproject.toml
	$(UV) sync --all-packages --frozen
	touch $@

sync: .venv/.synced

## The whole system: embedded NATS + PostgreSQL, migrations, SMTP catcher, the three services.
run: sync
	$(RUN) python -m bdhvs_local run

## A living demo province: 2025-01 to now, every unit and form, through intake's API (demo mode).
demo: sync
	$(RUN) python -m bdhvs_local demo

## Everything CI checks: lint, types, committed API documents, and all test tiers (short forms).
test: sync lint typecheck
	$(RUN) pytest -m "not slow" -q

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: sync
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

typecheck: sync
	$(RUN) mypy

## Regenerate the committed AsyncAPI and OpenAPI documents from the code.
docs: sync
	$(RUN) python -m bdhvs_local docs --write

docs-check: sync
	$(RUN) python -m bdhvs_local docs --check

test-unit: sync
	$(RUN) pytest tests/unit -q

test-integration: sync
	$(RUN) pytest tests/integration -q

test-e2e: sync
	$(RUN) pytest tests/e2e -q

## Every web page at 360 px and 1280 px into docs/ui/ (a real Chromium against the running services).
screenshots: sync
	BDHVS_SCREENSHOTS=docs/ui $(RUN) pytest tests/e2e/browser/test_screenshots.py -q

## The long forms of the chaos and load suites (not in CI).
test-slow: sync
	$(RUN) pytest -m slow -q

## Fault injection under load (issue 16): >= 200 faults against a stack of its own; prints the invariants.
chaos: sync
	$(RUN) python -m bdhvs_local chaos

## Throughput and latency of the running pipeline; prints figures (a benchmark, not a test).
bench: sync
	$(RUN) python -m bdhvs_local bench
	$(RUN) python -m bdhvs_local bench-web

## The bench on `make demo`'s province (99 units x 24 months, every form) instead of an empty stack.
bench-demo: sync
	$(RUN) python -m bdhvs_local bench --demo

## The issue's full form: 5000 reports end to end, rebuild over 1 000 000 stored reports.
bench-full: sync
	$(RUN) python -m bdhvs_local bench --reports 5000 --rebuild-reports 1000000

## Every commune token x every other unit (99 x 98) x every endpoint naming a unit: all refused.
authz: sync
	$(RUN) python -m bdhvs_local authz

## Schemathesis on intake, kpi and the notifier with many examples, the hand-made bad inputs, and every
## form and page of the web (hypothesis); ends with `fuzz: N cases, 0 5xx, 0 undeclared statuses`.
fuzz: sync
	BDHVS_FUZZ_EXAMPLES=100 $(RUN) pytest tests/e2e/test_fuzz_intake.py tests/e2e/test_fuzz_kpi_notifier.py \
		tests/e2e/test_fuzz_handmade.py tests/e2e/test_fuzz_web.py -q -p no:randomly -o timeout=3600

## 100 reports/s for 10 minutes on a stack of its own: 5xx, timeouts, latency per minute, RSS growth.
soak: sync
	$(RUN) python -m bdhvs_local soak --rate 100 --seconds 600

## Containers (needs Docker with compose v2): the full stack of docker-compose.yml.
COMPOSE_SECRETS := POSTGRES_PASSWORD INTAKE_DB_PASSWORD KPI_DB_PASSWORD NOTIFIER_DB_PASSWORD \
	NATS_ADMIN_PASSWORD NATS_INTAKE_PASSWORD NATS_KPI_PASSWORD NATS_NOTIFIER_PASSWORD \
	NATS_SUBSCRIBER_PASSWORD GRAFANA_ADMIN_PASSWORD NOTIFIER_ACK_SECRET WEB_SECRET

## Writes .env with a random value for every secret, unless .env exists (it is never committed).
compose-env:
	@test -f .env || { for name in $(COMPOSE_SECRETS); do \
		echo "$$name=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(24))')"; done > .env; \
		printf '%s\n' "# who receives the system's alerts (Alertmanager): set a real address" \
			"ALERT_EMAIL_TO=operators@localhost" >> .env; \
		chmod 600 .env; echo "wrote .env (keep it safe: it holds every password)"; }

compose-up: compose-env
	docker compose up -d --build
	docker compose ps

compose-down:
	docker compose down

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
