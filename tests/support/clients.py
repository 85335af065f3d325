"""Test clients bound to one tenant's host, the CSRF token of a page, and queued jobs."""
from __future__ import annotations

import re

from flask.testing import FlaskClient


class TenantClient(FlaskClient):
    """A test client that talks to one host: ``<slug>.localhost``."""

    host = "localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def client_for(app, slug: str, host: str | None = None) -> TenantClient:
    app.test_client_class = TenantClient
    client = app.test_client()
    client.host = host or f"{slug}.localhost"
    return client


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
                  r'|"X-CSRFToken": "([^"]+)"')


def csrf_token(client, path: str = "/shop/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return next(g for g in match.groups() if g)


def run_jobs(app) -> None:
    """With Redis, jobs wait in RQ: run a worker until the queues are empty. Without it,
    they already ran in-process after each commit."""
    from app.core.jobs import QUEUES, redis_connection

    with app.app_context():
        connection = redis_connection(app)
        if connection is not None:
            from rq import SimpleWorker

            SimpleWorker(list(QUEUES), connection=connection).work(burst=True)
