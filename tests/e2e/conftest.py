"""A live server on 127.0.0.1 and a real Chromium driven by Playwright.

Debian's /usr/bin/chromium when present (CI installs it); Playwright's own build otherwise.
"""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-quic", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        options = {"args": FLAGS, "headless": True}
        if os.path.exists(CHROMIUM):
            options["executable_path"] = CHROMIUM
        browser = p.chromium.launch(**options)
        yield browser
        browser.close()


@pytest.fixture(params=["js", "nojs"])
def page_for(request, browser, live_server):
    """page_for(slug) → a fresh page on that tenant's shop, with or without JavaScript."""
    contexts = []

    def make(slug: str):
        context = browser.new_context(java_script_enabled=request.param == "js", locale="fr-FR",
                                      base_url=f"http://{slug}.localhost:{live_server}")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    make.js = request.param == "js"
    yield make
    for context in contexts:
        context.close()
