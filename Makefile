# AfriGest Commerce — `make demo` serves the demo shop, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export FLASK_APP := wsgi.py

.PHONY: demo test lint typecheck install install-dev translations browser db secret bench clean

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

# The app refuses the development SECRET_KEY outside debug and tests: the demo gets its own,
# generated once per checkout into the git-ignored .env that flask and gunicorn read. A
# SECRET_KEY already in .env stays.
secret:
	@grep -qs '^SECRET_KEY=.' .env || { umask 077; \
	  if [ -s .env ] && [ -n "$$(tail -c1 .env)" ]; then echo >> .env; fi; \
	  echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" >> .env; }

# The demo's payment providers are the local simulators (MoMo phone page, Orange and PayPal
# pages at http://127.0.0.1:$(SIM_PORT)); the scheduler runs reconciliation and the outbox.
SIM_PORT ?= 5055
SIM := http://127.0.0.1:$(SIM_PORT)
DEMO_ENV := PUBLIC_PORT=$(PORT) DEFAULT_TENANT=akwa LOG_JSON=false PAYMENT_CALLBACK_BASE_URL=http://127.0.0.1:$(PORT) \
  MOMO_BASE_URL=$(SIM)/momo MOMO_API_USER=sim-user MOMO_API_KEY=sim-key MOMO_SUBSCRIPTION_KEY=sim-subscription \
  ORANGE_BASE_URL=$(SIM)/orange ORANGE_CLIENT_ID=sim-orange-id ORANGE_CLIENT_SECRET=sim-orange-secret \
  ORANGE_MERCHANT_KEY=sim-merchant-key PAYPAL_BASE_URL=$(SIM)/paypal PAYPAL_CLIENT_ID=sim-paypal-id \
  PAYPAL_CLIENT_SECRET=sim-paypal-secret PAYPAL_WEBHOOK_ID=SIM-WEBHOOK-ID

demo: install secret db
	$(BIN)/flask seed-demo
	@echo ""
	@echo "  Boutique Douala (XAF) : http://akwa.localhost:$(PORT)/shop/"
	@echo "  Boutique Abidjan (XOF): http://plateau.localhost:$(PORT)/shop/"
	@echo "  (http://localhost:$(PORT)/ sert akwa)"
	@echo "  Téléphone MoMo simulé : $(SIM)/momo/phone"
	@echo ""
	@# Ctrl-C or TERM (make passes TERM on to this shell) stops the three by their pids and
	@# waits for them; gunicorn exiting on its own (port taken…) stops the other two.
	@$(BIN)/flask payment-simulators --port $(SIM_PORT) --manual --paypal-webhook-url 'http://127.0.0.1:$(PORT)/callbacks/{tenant}/paypal' & sim=$$!; \
	$(DEMO_ENV) $(BIN)/flask scheduler & scheduler=$$!; \
	$(DEMO_ENV) $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - wsgi:app & web=$$!; \
	trap 'trap - INT TERM; kill $$web $$scheduler $$sim 2>/dev/null; wait; exit 0' INT TERM; \
	wait $$web; status=$$?; kill $$scheduler $$sim 2>/dev/null; wait; exit $$status

test: install-dev browser
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Habits CI keeps: ruff on the code and tests, the layers contract (pyproject.toml), mypy.
lint: install-dev
	$(BIN)/ruff check app devtools tests
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/shop_pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache
