# Two commands do all set-up, each creating .venv if it is missing: `make run` installs what the
# notebooks need (requirements.txt), and `make test` adds the test tools (pyproject.toml's test extra).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PROFILE ?= workshop
# uv installs the same packages as pip in a third of the time. It runs as a tool, never from .venv: the uv
# on PATH, or else one that pip installs once into .tools/. A failure stops make with its error, and no
# second installer retries behind it. uv does not read pip.conf: `make UV= run` installs with pip.
UV ?= $(or $(shell command -v uv),.tools/bin/uv)
INSTALL = $(if $(UV),$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python,$(BIN)/python -m pip install --quiet)
INSTALLER = $(if $(UV),uv ($(UV)),pip)

.PHONY: help test test-fast test-browser test-compat lint run notebooks execute best pretrained student sweep bench \
	measure-ci record-run ja clean clean-runs

# Lists these targets, each with the first line of the comment above it, then the times records/ holds.
help:
	@awk '/^# /{if (!c) c = substr($$0, 3); next} /^[a-z][a-z-]*:/{if (c) printf "make %-14s %s\n", substr($$1, 1, length($$1) - 1), c} {c = ""}' Makefile
	@echo; echo "Recorded (records/, each on the processor named by its instruction set):"; $(PYTHON) -m scripts.recorded_times

$(RUN_STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version)); set PYTHON=python3.12, say."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(filter .tools/bin/uv,$(UV)),test -x $(UV) || { $(PYTHON) -m venv .tools && .tools/bin/python -m pip install --quiet uv; })
	@echo "Installing the notebooks' packages (requirements.txt) into $(VENV) with $(INSTALLER)"
	$(INSTALL) -r requirements.txt
	touch $@
$(TEST_STAMP): $(RUN_STAMP)
	@echo "Installing the test tools (pyproject.toml's test extra) into $(VENV) with $(INSTALLER)"
	$(INSTALL) -e '.[test]'
	touch $@

# Creates .venv if needed, then ruff and every test, over every core.
# pytest-xdist hands a whole file to a worker at a time: the notebooks' one smoke run is shared by
# the tests of tests/test_notebooks.py.
test: lint
	$(BIN)/python -m pytest -n auto --dist loadfile
# The unit tests of helpers and scripts that take under 2 s each, for the edit loop.
# No kernels, no browser, no training in fresh processes (marker end_to_end), no test of 2 s or more, as one that
# trains, compiles a generator or draws every figure takes (marker slow), and not the notebooks' lesson and solution cells
# (tests/test_lessons.py, test_exercises.py). make test runs all of them; so does pytest on a file.
# XLA's compiled programs are kept in .pytest_cache/xla between runs (tests/conftest.py says how).
test-fast: $(TEST_STAMP)
	CHAR_RNN_XLA_CACHE=.pytest_cache/xla $(BIN)/python -m pytest -n auto --dist worksteal -m "not end_to_end and not slow" \
	  --ignore=tests/test_notebooks.py --ignore=tests/test_browser.py \
	  --ignore=tests/test_lessons.py --ignore=tests/test_exercises.py

# Notebook 05 runs in JupyterLab, driven by headless Chromium (part of make test).
# Debian's chromium, via Playwright; screenshots go to runs/browser/. Without a browser it is skipped
# in one line.
test-browser: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -rs -s tests/test_browser.py
# The tests on Colab's stack and on the declared minimums, each in a throwaway venv of its own Python.
# The venvs live in .compat/, pinned by params/compat/ (Colab's on Python 3.13, the minimums on 3.11).
test-compat: $(RUN_STAMP)
	$(BIN)/python -m scripts.test_compat
# ruff over the package, tests, benchmarks, scripts and notebooks (rules in pyproject.toml).
lint: $(TEST_STAMP)
	$(BIN)/ruff check helpers tests benchmarks scripts notebooks

# Creates .venv if needed, then trains and generates with the seven notebooks (PROFILE=workshop).
# RESUME=runs/<folder> continues an interrupted run; EDITION=ja runs the Japanese notebooks.
run: $(RUN_STAMP)
	$(BIN)/python -m scripts.runner --profile $(PROFILE) $(if $(RESUME),--resume $(RESUME)) \
	  $(if $(EDITION),--notebooks notebooks/$(EDITION))

# Re-executes the committed notebooks in place, in order, with their own defaults.
# Then the solution cells' outputs are removed, so that the committed copies do not show the answers.
# 04 trains the tutorial's 10 epochs, then 05-07 run, and its run becomes the tutorial row of
# records/quality.json. A fresh run needs the default run folders empty; existing ones are never deleted for you.
# EDITION=ja runs the Japanese ones, from notebooks/ja/ as JupyterLab would: their runs go to notebooks/runs/.
notebooks: $(RUN_STAMP)
	@for d in $(if $(EDITION),notebooks/)runs/tutorial $(if $(EDITION),notebooks/)runs/custom_loop; do \
	  if [ -e $$d ]; then echo "$$d exists: move it away (it may hold a trained model) and run again."; exit 1; fi; \
	done
	$(MAKE) --no-print-directory execute NB="$$($(BIN)/python -c 'from scripts.runner import NOTEBOOKS; print(*NOTEBOOKS)')"
	$(if $(EDITION),,$(BIN)/python -m scripts.quality_row tutorial runs/tutorial "make notebooks (notebooks/04_fit.ipynb with its defaults)")
# Re-executes the notebooks named in NB (as `make notebooks` does for all seven; EDITION=ja, the Japanese ones).
execute: $(RUN_STAMP)
	cd notebooks/$(EDITION) && for nb in $(NB); do \
	  $(CURDIR)/$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.kernel_name=python3 $$nb.ipynb || exit 1; \
	  $(CURDIR)/$(BIN)/jupyter nbconvert --to notebook --inplace --log-level=WARN --TagRemovePreprocessor.enabled=True \
	    --TagRemovePreprocessor.remove_all_outputs_tags=solution $$nb.ipynb || exit 1; \
	done
	$(BIN)/python -m scripts.ja build  # the Japanese edition: its sources from the catalogue, its outputs its own run's
# Builds the Japanese notebooks (notebooks/ja/) from the English ones and their translation catalogue.
# One translation per cell (notebooks/ja/catalogue/); it names every translation that is missing or
# stale since its English cell changed, and writes no notebook that has one. `python -m scripts.ja check`
# also checks the glossary and the numbers.
ja: $(RUN_STAMP)
	$(BIN)/python -m scripts.ja build

# Trains the best model: notebook 04 with params/sweeps/best.yaml, then make pretrained and its quality row.
# Two GRU layers of 640 units with dropout 0.4, 20 epochs on windows of 200; the row goes to records/quality.json.
best: $(RUN_STAMP)
	$(BIN)/python -m scripts.sweep params/sweeps/best.yaml
	$(MAKE) --no-print-directory pretrained
	$(BIN)/python -m scripts.quality_row best pretrained "make best"
# Exports the newest make best run's best checkpoint to pretrained/, with its provenance.
# Weights only, with its vocabulary, sizes, history (each epoch's losses and seconds) and provenance.json
# (command, parameters, machine, date, commit, epoch, held-out loss windowed and carried, sha256).
pretrained: $(RUN_STAMP)
	@model=$$(ls -d runs/*-sweep-best/01-*/model 2>/dev/null | tail -1); \
	  test -n "$$model" || { echo "No runs/*-sweep-best/ yet: 'make best' trains it."; exit 1; }; \
	  $(BIN)/python -m scripts.export_pretrained "$$model" "make best (notebook 04 with params/sweeps/best.yaml)"
# Writes copies of the notebooks for learners to student/ (EDITION=ja: student/ja/): no solutions, no outputs.
student: $(RUN_STAMP)
	$(BIN)/python -m scripts.make_student $(if $(EDITION),--edition $(EDITION))

# Runs notebook 04 over a grid of parameters (a file in params/sweeps/), each run in its own folder.
# results.csv and results.png collect the best validation loss of each.
sweep: $(RUN_STAMP)
	@test -n "$(SWEEP)" || { echo "Say which sweep: make sweep SWEEP=params/sweeps/workshop.yaml"; exit 2; }
	$(BIN)/python -m scripts.sweep $(SWEEP)

# Speed figures as shares of this machine's limit and against their baselines, into records/bench.json.
# FULL=1 measures longer.
bench: $(RUN_STAMP)
	$(BIN)/python -m benchmarks.run $(if $(FULL),--full)

# Times .ci/run on a fresh clone of HEAD (install included), then make test-fast there twice.
# The times go to records/make_test_fresh_clone.json.
measure-ci: $(RUN_STAMP)
	$(BIN)/python -m scripts.measure_ci
# Runs `make run` (PROFILE=workshop) and records its times and sample in records/make_run_<profile>.json.
record-run: $(RUN_STAMP)
	$(BIN)/python -m scripts.record_run --profile $(PROFILE)

# Removes what make can rebuild; never runs/, where trained models live (see clean-runs).
clean:
	rm -rf $(VENV) .tools .pytest_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Deletes every trained model in runs/; asks for CONFIRM=yes, since no command can bring them back.
clean-runs:
	@if [ "$(CONFIRM)" != yes ]; then \
	  echo "This deletes runs/ and every model trained there ($$(du -sh runs 2>/dev/null | cut -f1 || echo nothing))."; \
	  echo "Run 'make clean-runs CONFIRM=yes' to do it."; exit 1; fi
	rm -rf runs
