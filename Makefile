# quotetrail: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= quotetrail.db

.PHONY: install demo test lint accuracy timex-accuracy claims-accuracy bench train clean browser-deps postgres-deps

$(STAMP): pyproject.toml constraints.txt setup.py src/quotetrail/_morphsearch.pyx src/quotetrail/_crf.pyx
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark,encoder]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/quotetrail --db $(DB) ingest examples/
	$(BIN)/quotetrail --db $(DB) timeline "Truppen Ukraine"
	$(BIN)/quotetrail --db $(DB) serve --open-message

test: $(STAMP) browser-deps postgres-deps
	$(BIN)/python -m pytest -q

# The storage tests also run against a throwaway PostgreSQL cluster (tests/pgcluster.py starts it
# from Debian's server binaries); CI fails rather than skip when they are missing.
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's postgresql for the PostgreSQL half of the storage tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
		|| echo "warning: could not install postgresql; PostgreSQL tests will be skipped (failed in CI)"; \
	else echo "note: PostgreSQL server binaries missing and not root; PostgreSQL tests will be skipped"; fi

# Browser tests drive Debian's Chromium (never a downloaded browser build).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will be skipped"; \
	else echo "note: /usr/bin/chromium missing and not root; browser tests will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

accuracy: $(STAMP)
	$(BIN)/python bench/accuracy.py

timex-accuracy: $(STAMP)
	$(BIN)/python bench/timex_accuracy.py

claims-accuracy: $(STAMP)
	$(BIN)/python bench/claims_accuracy.py

bench: $(STAMP) postgres-deps
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/store_compare.py
	$(BIN)/python bench/claims_speed.py

train: $(STAMP)
	$(BIN)/quotetrail train ../shared/corpora/wikinews-quotes/train

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
