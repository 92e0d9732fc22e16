# Firebreak: `make run` serves the product (embedded default), `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

.PHONY: run test test-postgres lint format ci clean install \
	bench-queue bench-insights bench-crisis bench-fanout bench-ingest bench-load bench-refresh

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.9"

# Bytecode compiled at install: every process (web, worker, test) then starts without compiling
# the libraries' sources, which Python otherwise does on each start when it may not write
# __pycache__ (PYTHONDONTWRITEBYTECODE, a read-only environment).
$(STAMP): $(BIN)/uv uv.lock pyproject.toml Makefile
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet --compile-bytecode
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python scripts/run.py

test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

test-postgres: $(STAMP)
	scripts/with-services.sh $(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ci:
	.ci/run

bench-queue: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/queue.py

bench-insights: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/insights.py

bench-crisis: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/crisis.py

bench-fanout: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/fanout.py

bench-ingest: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/ingest.py

bench-load: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/load.py

bench-refresh: $(STAMP)
	scripts/with-services.sh $(BIN)/python bench/refresh.py

clean:
	rm -rf $(VENV) var
