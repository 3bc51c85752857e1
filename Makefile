# The two commands a fresh machine needs (see README): `make demo` and `make test`.
# Each installs what it needs into .venv first (once; again when pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench browser system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# Debian's Pango lays out the PDF report (WeasyPrint) and Noto CJK draws its Chinese.
system:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list :lang=zh | grep -q .; } \
	  >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null; }

# The main job on the embedded default data.
demo: $(STAMP) system
	$(BIN)/gxnet optimize --city wuzhou

# Debian's Chromium checks the HTML maps in a real browser; Noto CJK draws their Chinese;
# poppler-utils (pdftoppm, pdftotext, pdffonts) check the PDF report's pages.
browser: system
	@{ command -v chromium && command -v chromedriver && command -v pdftoppm; } \
	  >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check gxnet tests benchmarks scripts conftest.py
	$(BIN)/ruff format --check gxnet tests benchmarks scripts conftest.py

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

# The benchmark-chasing tests and the research code's tests (one process: some race a clock),
# then every benchmark script.
bench: $(STAMP)
	$(BIN)/python -m pytest -n 0 -m bench tests benchmarks/tests
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done
