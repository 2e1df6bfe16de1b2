# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL  := /bin/bash
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run dev demo-data serve test check lint format bench install worker fonts

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## make fonts: the CJK font the place-code posters embed (Debian's fonts-wqy-zenhei)
fonts:
	@dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || { \
	  if [[ $$(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo -n"; fi; \
	  $$sudo apt-get install -y -q fonts-wqy-zenhei || { $$sudo apt-get update -q && $$sudo apt-get install -y -q fonts-wqy-zenhei; } || \
	  echo "未能安装 fonts-wqy-zenhei:场所码海报将无法生成(请以 root 运行 apt-get install fonts-wqy-zenhei)"; }

## make run: install, migrate SQLite, load the whole demo (once), serve it with its worker on $(PORT)
# Served as a county would see it: DEBUG off (the product's own Chinese 403/404/500 pages, static
# files through WhiteNoise), the demo switch on (demo logins, demo data, development signing key).
# The task worker and the web server run side by side. When the server stops (it fails, or
# Ctrl-C / SIGTERM reaches make or this shell), the EXIT trap stops the worker as well.
run: export DEBUG := 0
run: export SHUANGYING_DEMO := 1
run: export ALLOWED_HOSTS ?= 127.0.0.1,localhost,$(HOST)
run: install fonts demo-data serve

## make dev: the same demo county with DEBUG on (tracebacks, reloading server) for developers
dev: export DEBUG := 1
dev: export SHUANGYING_DEMO := 1
dev: RELOAD :=
dev: install fonts demo-data serve

demo-data:
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@$(BIN)/python manage.py demo_logins --host $(HOST) --port $(PORT)

RELOAD ?= --noreload
serve:
	@export SHUANGYING_SERVED_AT=http://$(HOST):$(PORT); \
	  $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT) $(RELOAD) & server=$$!; \
	  trap 'kill $$worker $$server 2>/dev/null; wait' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM; \
	  wait $$server

## make test: the whole suite (SQLite unless DATABASE_URL names PostgreSQL)
test: install
	$(BIN)/python -m pytest

## make check: what a reviewer checks before the tests: lint, format, migrations, types.
# mypy-baseline.txt holds the type errors of the day mypy came in; a new one fails (a fixed one is
# taken off with `mypy | mypy-baseline sync`).
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy | $(BIN)/mypy-baseline filter --allow-unsynced --no-colors --hide-stats

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make bench: every benchmark, each figure beside its baseline measured in the same run
bench: install
	$(BIN)/python bench/run.py
