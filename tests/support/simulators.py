"""The payment provider simulators (devtools) served over real HTTP, a tiny callback receiver
(http.server in a thread) standing in for a shop's callback URLs, and a poll-until helper."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from devtools.simulators.payments import serve


class PaymentSimulators:
    """MTN MoMo, Orange Money and PayPal simulators on one loopback port, in this process."""

    def __init__(self) -> None:
        self.server, port = serve()
        self.url = f"http://127.0.0.1:{port}"

    @property
    def world(self):
        return self.server.app.extensions["payment_simulators"]

    def post(self, path: str, json: dict | None = None) -> dict:
        response = requests.post(self.url + path, json=json or {}, timeout=10)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json() if response.content else {}

    def get(self, path: str, **params):
        return requests.get(self.url + path, params=params, timeout=10).json()

    def configure(self, **settings) -> dict:
        return self.post("/_sim/config", settings)

    def deliveries(self, **params) -> list[dict]:
        return self.get("/_sim/deliveries", **params)["deliveries"]

    def reset(self) -> None:
        """A new world: accounts, tokens, settings and deliveries back to their start."""
        assert self.post("/_sim/reset") == {"reset": True}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def simulator():
    sims = PaymentSimulators()
    yield sims
    sims.stop()


class Receiver:
    """Records every request it gets; answers ``status`` (200 unless a test changes it)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.status = 200
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.cond:
                    receiver.calls.append({"method": self.command, "path": self.path, "headers": self.headers,
                                           "raw": raw, "json": json.loads(raw) if raw else None,
                                           "at": time.monotonic()})
                    receiver.cond.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = _record

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait(self, count: int, timeout: float = 5.0) -> list[dict]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.calls) >= count, timeout), \
                f"expected {count} callbacks, got {len(self.calls)}"
            return list(self.calls)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    """Poll until ``predicate()`` is truthy and return its value (simulators settle and
    callbacks travel over real HTTP in background threads)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
