# Quickstart: `make demo` runs the main example, `make test` runs the tests.
# Both create .venv and install what is missing on first use (the demo only what it needs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

# Two install levels: the demo needs torch, torchvision and the package; the tests add the
# dev extra (pytest, keras as the oracle, ...).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1" || $(BIN)/python -m pip install -q torch torchvision
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(DEV_STAMP)

install: $(STAMP)

# A live progress bar; on a CPU-only machine a subset sized for about a minute (it says so).
demo: $(STAMP)
	$(BIN)/python examples/cifar10_cnn.py --demo

test: $(DEV_STAMP)
	KERAS_BACKEND=torch $(BIN)/python -m pytest -q -n 2 tests

# The developers' check against the shared Keras conformance suite (needs ../shared).
conformance: $(DEV_STAMP)
	$(BIN)/python ../shared/conformance/run.py torchkeras --project $(CURDIR)

# Reports each target as met or MISSED; a missed target does not fail `make`.
bench: $(STAMP)
	$(BIN)/python bench/overhead.py || \
	  echo "make bench: a target was MISSED or the run failed (see above); make goes on"

.PHONY: install demo test conformance bench
