# Two commands on a fresh machine: `make run` (the demo hall) and `make test`.
PY ?= python3
VENV := .venv
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
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check hall_app db ui tests bench
	$(BIN)/mypy

bundle: setup
	$(BIN)/pyinstaller --noconfirm build_installer.spec
