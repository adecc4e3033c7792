# waqai: the two commands of the README, and a few helpers.
#   make run   - set up .venv if needed and run the extraction on data/samples/ into data/out/
#   make test  - set up .venv if needed and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check dev-eval bench bench-ingest clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch is pinned and installed first: its CPU wheel is what stanza needs here, and installing
# stanza alone would pull the much larger CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/waqai extract data/samples --out data/out --overwrite

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas tests bench
	$(BIN)/mypy

check: lint test

# Extract the annotated dev articles and score them against the gold events.
dev-eval: $(STAMP)
	$(BIN)/waqai extract ../shared/corpus/dev_articles.jsonl --out out/dev --overwrite
	$(BIN)/waqai eval out/dev --gold ../shared/gold/dev_gold.jsonl --articles ../shared/corpus/dev_articles.jsonl

# Ingestion throughput (1 and 2 workers vs raw Stanza, re-run) on the ANT articles: long.
bench-ingest: $(STAMP)
	$(BIN)/python bench/ingest.py --limit 2000 --json out/bench-ingest.json

# The report's browser test drives Debian's Chromium (never a downloaded browser): install it
# when it is missing and we are root; otherwise that test says why it is skipped (fails on CI).
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the report's browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-dejavu-core >/dev/null) || echo "chromium could not be installed"; \
	fi

clean:
	rm -rf data/out out .pytest_cache .mypy_cache .ruff_cache
