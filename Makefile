# Two commands on a fresh machine: `make report` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUARTER ?= 2021-Q2
PROFILE ?= dien-bien-dong

.PHONY: setup system report grade test lint lab sample clean

$(BIN)/tthc: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,lab,scale]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: system $(BIN)/tthc

# System packages for the PDF (fonts with full Vietnamese coverage, Pango and HarfBuzz-Subset for WeasyPrint,
# poppler for checks).
system:
	@bash scripts/install-system.sh

report: setup
	$(BIN)/tthc run --quarter $(QUARTER) --profile $(PROFILE)

grade: setup
	$(BIN)/tthc grade --quarter $(QUARTER) --data data/$(PROFILE)

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

# JupyterLab refuses to start as root unless told: pass --allow-root when root (a container, a CI box).
lab: setup
	$(BIN)/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/

sample: setup
	$(BIN)/python scripts/make_sample.py

clean:
	rm -rf outputs/*/ $(VENV)
