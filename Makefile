# The judge: `make install`, then `make demo` (grade the example submissions) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install sandbox-deps browser-deps demo serve test test-fast mutants clean

install: $(BIN)/judge sandbox-deps browser-deps

$(BIN)/judge: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# bubblewrap isolates learner code; libseccomp builds its syscall filter. Installed automatically
# when missing and running as root on Debian/Ubuntu; otherwise the judge refuses to run
# submissions and says how to get them.
sandbox-deps:
	@if ! command -v bwrap >/dev/null 2>&1 || ! ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2) >/dev/null; \
	  else \
	    echo "note: bubblewrap (bwrap) or libseccomp is missing: install them (apt-get install bubblewrap libseccomp2) to grade submissions"; \
	  fi; \
	fi

# Debian's chromium and chromedriver: the web page's browser tests (tests/test_web_page.py) drive them
# through Selenium; they are skipped, saying so, where these are missing. Root + apt only, like sandbox-deps.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null; \
	  else \
	    echo "note: chromium or chromedriver is missing: install them (apt-get install chromium chromium-driver) to run the web page's browser tests"; \
	  fi; \
	fi

# Grade the example submissions (resumable: a rerun grades only new or changed files) and rank them.
demo: install
	$(BIN)/judge batch submissions --problem conv1d --out results/demo
	$(BIN)/judge leaderboard results/demo

# The HTTP service on 127.0.0.1:8000, with a new admin token for user "demo" printed first.
serve: install
	@echo "token for user demo (role admin): $$($(BIN)/judge token create demo --role admin)"
	$(BIN)/judge serve

# Lint and types first (seconds), then the whole suite with the docstring examples.
test: install
	$(BIN)/ruff check judge tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Lint, types and the tests that start no JAX worker: a quick check while editing (about a minute).
test-fast: install
	$(BIN)/ruff check judge tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -m "not slow"

# Every mutant of every shipped problem's reference must be rejected by a case (the suite runs a
# sample of them: tests/test_mutants.py). Slow: minutes per problem.
mutants: install
	@status=0; for p in problems/*/problem.yaml; do \
	  $(BIN)/judge check --mutants --problem "$$(dirname "$$p")" || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) .cache .pytest_cache *.egg-info
