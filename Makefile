# Two commands set everything up on a fresh machine: `make run` and `make test`.
PORT ?= 8000
WORKERS ?= 3
VENV := .venv
PY := $(VENV)/bin/python
FIXTURES := fixtures/us-iran-2019-2020.json
# The chart's plotly.js, built at set-up from static/build/ (served as vendor/plotly/).
PLOTLY_BUNDLE := node_modules/.timeline-build/plotly-timeline.min.js
# Tests and the dev server run with DEBUG on; `make serve` is the production-like path.
DEV_ENV := DEBUG=True

# The versions CI tested (`make lock` writes it from pyproject.toml; see README "Development").
LOCK := requirements.lock
# Branch coverage of timeline/ printed after the tests ([tool.coverage] in pyproject.toml);
# `make test-only COV_ARGS=` (or PYTEST_ARGS=--no-cov) leaves it out.
COV_ARGS ?= --cov=timeline --cov-branch --cov-report=term:skip-covered

.PHONY: install lock run serve test test-only wheel-check bench gallery soak backup lint migrate \
	fixtures cards clean

install: $(VENV)/.installed node_modules/.installed $(PLOTLY_BUNDLE)

# Exactly the locked versions, then the project itself without resolving anything again;
# `pip check` fails if pyproject.toml asks for something the lock lacks (run `make lock`).
$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

# After changing dependencies in pyproject.toml: resolves them again (on Python 3.11, the
# floor), keeping every pin already in the lock that still fits. `make lock UPGRADE=1` takes
# the newest allowed versions instead.
lock:
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(VENV)/bin/pip-compile || $(PY) -m pip install --quiet 'pip-tools>=7.4,<8'
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links $(if $(UPGRADE),--upgrade) -o $(LOCK) pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --include=dev --no-audit --no-fund --loglevel=error
	touch $@

# Rebuilt after npm ci, and when its sources, Category.SYMBOLS (timeline/models.py) or the
# page's scripts (minified beside it) change.
$(PLOTLY_BUNDLE): node_modules/.installed $(wildcard static/build/*) timeline/models.py \
		static/js/chart.js static/js/timeline.js static/js/story.js static/js/map.js
	npm run --silent build

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

fixtures: migrate
	$(DEV_ENV) $(PY) manage.py loaddata $(FIXTURES)

# The link-preview cards (og:image) are drawn from the data, so after it is loaded.
cards: fixtures
	$(DEV_ENV) $(PY) manage.py draw_cards

run: cards
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install
	@if [ -z "$$SECRET_KEY" ]; then echo "SECRET_KEY not set: using a throwaway key for this run"; fi
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} && \
	export SECRET_KEY DEBUG=False ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} \
	       SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False} \
	       SECURE_COOKIES=$${SECURE_COOKIES:-False} && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py draw_cards -v0 && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(VENV)/bin/gunicorn timeline.config.wsgi --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile -

test: install test-only

test-only:
	$(DEV_ENV) $(VENV)/bin/pytest $(COV_ARGS) $(PYTEST_ARGS)

# Builds the wheel, checks every subpackage is in it, installs it with the lock's pins in a
# clean venv and, from outside the checkout, runs `django check` and renders / (.ci/wheel-check).
wheel-check: install
	.ci/wheel-check

# A benchmark, not a test: prints one table (see README), needs Chromium for the browser columns.
bench: install
	$(PY) tests/bench.py

# Screenshots of the timeline, a filtered view, an event panel and the embed at 390 and 1440 px,
# light and dark, beside TimelineJS drawing the same export: tests/artifacts/gallery/.
gallery: install
	$(PY) tests/gallery.py

# The production-like server under wrk for SOAK_SECONDS (60) at SOAK_CONNECTIONS (64); with a
# PostgreSQL DATABASE_URL the database is also stopped and started mid-load (see tests/soak.py).
soak: install
	$(PY) tests/soak.py

# The whole chronology (drafts included) as a timestamped archive; README "Backups" restores it.
BACKUP_DIR ?= backups
backup: install
	mkdir -p $(BACKUP_DIR)
	$(DEV_ENV) $(PY) manage.py export_archive $(BACKUP_DIR)/timeline-$$(date -u +%Y%m%dT%H%M%SZ).json

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules staticfiles static/cards .pytest_cache build tests/artifacts/.coverage*
