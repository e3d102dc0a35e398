# Two commands do all set-up: `make test` and `make run`. Both create .venv if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= workshop
NOTEBOOKS := 01_vectorize 02_batch 03_build 04_fit 05_generate 06_custom_loop

.PHONY: test run notebooks clean

$(STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version)); set PYTHON=python3.12, say."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

run: $(STAMP)
	$(BIN)/python -m helpers.runner --profile $(PROFILE) $(if $(RESUME),--resume $(RESUME))

# Re-execute the committed notebooks in place, in order, with their own defaults
# (04 and 06 train for the tutorial's 10 epochs: about 50 minutes each on 2 CPU cores).
# A fresh run needs the default run folders empty; existing ones are never deleted for you.
notebooks: $(STAMP)
	@for d in runs/tutorial runs/custom_loop; do \
	  if [ -e $$d ]; then echo "$$d exists: move it away (it may hold a trained model) and run again."; exit 1; fi; \
	done
	cd notebooks && for nb in $(NOTEBOOKS); do \
	  ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.kernel_name=python3 $$nb.ipynb || exit 1; \
	done

clean:
	rm -rf $(VENV) runs
