# Two commands matter to a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint format clean serve bench worker messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Newsroom needs Python 3.11 or newer; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The site and, beside it, one background worker (mail, webhook deliveries, periodic jobs);
# Ctrl-C stops both.
run: demo
	@echo
	@echo "  Newsroom demo: http://$(HOST):$(PORT)/"
	@echo "  Admin:         http://$(HOST):$(PORT)/admin/  (users editor, author, moderator; password changeme)"
	@echo "  Team admin:    user admin, password changeme (invites people, gives roles; not a superuser)"
	@echo "  API:           http://$(HOST):$(PORT)/api/v1/docs"
	@echo "  Worker:        started beside the site; mail is printed here (console backend)"
	@echo
	@# The worker in a session of its own: Ctrl-C reaches the server only, and the worker
	@# then gets one SIGTERM, which lets its current task finish (a second signal would not).
	setsid $(BIN)/python manage.py worker & worker=$$!; \
	  trap 'trap - EXIT INT TERM; kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

# One background worker on its own (run as many as the work needs, e.g. one per core).
worker: install
	$(BIN)/python manage.py worker

test: install
	$(BIN)/python -m pytest

# Translations (locale/<code>/LC_MESSAGES): gather every marked string into each language's
# catalogue, then compile the catalogues (the .mo files are committed). Translate the new
# entries in the .po files and run it again. Needs GNU gettext (apt-get install gettext).
MESSAGES_OPTIONS := --all --add-location file --ignore staticfiles --ignore var --ignore tests --ignore bench --ignore test-artifacts --ignore build
messages: install
	$(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	$(BIN)/python manage.py makemessages -d djangojs $(MESSAGES_OPTIONS)
	$(BIN)/python manage.py compilemessages --ignore .venv --ignore staticfiles --ignore var

# Production: gunicorn with DEBUG off (see README.md, "Production"). Needs DJANGO_SECRET_KEY;
# DATABASE_URL, REDIS_URL and the rest come from the environment as usual.
serve:
	@test -n "$$DJANGO_SECRET_KEY" || { \
	  echo "make serve runs Newsroom with DEBUG off and needs DJANGO_SECRET_KEY, e.g." >&2; \
	  echo "  export DJANGO_SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\"" >&2; \
	  echo "Trying it over plain HTTP on this machine? Add DJANGO_SECURE_SSL_REDIRECT=0." >&2; \
	  exit 1; }
	@$(MAKE) --no-print-directory install
	mkdir -p var
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/python manage.py process_images
	DJANGO_DEBUG=0 GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}" \
	  exec $(BIN)/gunicorn --config gunicorn.conf.py

# The benchmark (bench/README.md): recreates the PostgreSQL database newsroom_bench, seeds
# 100,000 stories and 1,000,000 reviews, serves a hello-world Django floor and the site with
# gunicorn, nginx in front (deploy/nginx/newsroom.conf), and measures with wrk. Needs wrk,
# nginx and redis-server installed. Options go in BENCH_ARGS, e.g. make bench BENCH_ARGS=--reuse
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Backup and restore of the database and media (README.md, "Backup and restore").
#   make backup [BACKUP=folder]               default folder: var/backups/<UTC time>
#   make restore BACKUP=folder CONFIRM=yes    replaces the database and MEDIA_ROOT
.PHONY: backup restore
backup: install
	bash scripts/backup.sh $(BACKUP)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<time> CONFIRM=yes" >&2; exit 2; }
	bash scripts/restore.sh "$(BACKUP)" $(if $(filter yes,$(CONFIRM)),--yes,)
