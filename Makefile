# Quickstart: `make demo` runs the main example, `make test` runs the tests.
# Both create .venv and install what is missing on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1" || $(BIN)/python -m pip install -q torch torchvision
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/cifar10_cnn.py --epochs 3

test: $(STAMP)
	KERAS_BACKEND=torch $(BIN)/python -m pytest -q -n 2 tests

conformance: $(STAMP)
	$(BIN)/python ../shared/conformance/run.py torchkeras --project $(CURDIR)

bench: $(STAMP)
	$(BIN)/python bench/overhead.py

.PHONY: install demo test conformance bench
