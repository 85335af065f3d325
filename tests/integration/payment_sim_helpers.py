"""Shared pieces of the payment-simulator tests: the simulator served over real HTTP, and a
tiny callback receiver (http.server in a thread) standing in for the shop's callback URLs."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from devtools.simulators.payments import serve


class Sim:
    def __init__(self) -> None:
        self.server, self.port = serve()
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def world(self):
        return self.server.app.extensions["payment_simulators"]

    def configure(self, **settings) -> dict:
        response = requests.post(f"{self.url}/_sim/config", json=settings, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def deliveries(self, **params) -> list[dict]:
        return requests.get(f"{self.url}/_sim/deliveries", params=params, timeout=5).json()["deliveries"]


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


def wait_for(predicate, timeout: float = 5.0):
    """Poll until ``predicate()`` is truthy (the simulator settles in background threads)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(0.02)


@pytest.fixture(scope="module")
def _sim_server():
    sim = Sim()
    yield sim
    sim.server.shutdown()
    sim.server.server_close()


@pytest.fixture
def sim(_sim_server):
    """The module's simulator, reset to a fresh world for each test."""
    assert requests.post(f"{_sim_server.url}/_sim/reset", timeout=5).json() == {"reset": True}
    return _sim_server


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()
