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


@pytest.fixture
def job_worker(app):
    """With Redis, background jobs wait in RQ: a worker thread runs them while the browser
    drives the app (without Redis they already run in-process after each commit)."""
    from rq import SimpleWorker
    from rq.timeouts import TimerDeathPenalty

    from app.core.jobs import QUEUES, redis_connection

    connection = redis_connection(app)
    if connection is None:
        yield
        return

    class ThreadWorker(SimpleWorker):
        death_penalty_class = TimerDeathPenalty  # SIGALRM only works in the main thread

        def _install_signal_handlers(self):  # signals belong to the main thread too
            pass

    stop = threading.Event()

    def loop():
        while not stop.is_set():
            with app.app_context():  # the jobs take the app from here
                ThreadWorker(list(QUEUES), connection=connection).work(burst=True)
            stop.wait(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
