# AfriGest Commerce — `make demo` serves the demo shop, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export FLASK_APP := wsgi.py

.PHONY: demo test install install-dev translations browser db bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(MAKE) --no-print-directory translations

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile -d app/translations

# Debian's Chromium for the browser tests; Playwright's own build where apt is not ours.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/playwright install chromium; fi

db:
	$(BIN)/flask db upgrade

demo: install db
	$(BIN)/flask seed-demo
	@echo ""
	@echo "  Boutique Douala (XAF) : http://akwa.localhost:$(PORT)/shop/"
	@echo "  Boutique Abidjan (XOF): http://plateau.localhost:$(PORT)/shop/"
	@echo "  (http://localhost:$(PORT)/ sert akwa)"
	@echo ""
	PUBLIC_PORT=$(PORT) DEFAULT_TENANT=akwa LOG_JSON=false $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
	  --access-logfile - wsgi:app

test: install-dev browser
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/shop_pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache
