# Two commands on a fresh machine: `make run` (the demo hall) and `make test`.
PY ?= python3
VENV := .venv
# Two test workers (CI has two cores); a test module stays on one worker, so modules that
# start their own servers on fixed ports (tests/district) never meet themselves.
PYTEST_WORKERS ?= -n 2 --dist loadfile
# The 25 slowest tests are listed at the end (the CI budget is 20 minutes for everything).
PYTEST_REPORT ?= --durations=25
BIN := $(VENV)/bin

.PHONY: run test setup lint bundle

$(BIN)/hall-app: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/hall-app

setup: $(BIN)/hall-app

run: setup
	$(BIN)/hall-app demo

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_REPORT)

lint: setup
	$(BIN)/ruff check hall_app db ui tests bench
	$(BIN)/mypy

bundle: setup
	$(BIN)/pyinstaller --noconfirm build_installer.spec
