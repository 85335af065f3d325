"""A private Redis that a test can really stop and start again, and the app pointed at it.

Its own redis-server on a free port (nothing on disk: a restart comes back empty, as after
a crash), so stopping it never disturbs CI's Redis or another test worker.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from app.extensions import limiter
from tests.support.mail import free_port

needs_redis_server = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary")


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@contextmanager
def app_on_private_redis(app, rate_limits: bool = False):
    """Jobs (and with ``rate_limits`` the rate limiter's counters) go to a private Redis,
    started here and stopped on the way out; the app's own settings come back after."""
    redis = PrivateRedis()
    redis.start()
    saved = {key: app.config[key] for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI")}
    app.config["REDIS_URL"] = redis.url
    if rate_limits:
        app.config["RATELIMIT_STORAGE_URI"] = redis.url
        limiter.init_app(app)  # the same limiter, its storage rebuilt from the config (hooks stay single)
    try:
        yield redis
    finally:
        app.config.update(saved)
        if rate_limits:
            limiter.init_app(app)
        redis.stop()
