"""Test fixtures: one database per xdist worker, built with the real migrations.

SQLite by default; PostgreSQL when DATABASE_URL points at it (each worker gets its own
database next to it); Redis when REDIS_URL is set. Fixtures shared beyond this file live
in ``tests/support`` and are registered below.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import TestConfig
from app.extensions import db

pytest.register_assert_rewrite("tests.support")  # before their import: helpers' asserts explain themselves

from tests.support.clients import client_for  # noqa: E402
from tests.support.factories import make_world  # noqa: E402

pytest_plugins = ["tests.support.backoffice", "tests.support.core_sync", "tests.support.mail",
                  "tests.support.payments", "tests.support.servers", "tests.support.simulators"]


def _database_url(tmp: Path, worker: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{tmp / f'test-{worker}.db'}"
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _redis_url(worker: str) -> str | None:
    """A Redis database per xdist worker, so one worker's reset never clears another's."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    number = int(worker[2:]) + 1 if worker.startswith("gw") else 0
    return f"{url.rsplit('/', 1)[0]}/{number}" if url.count("/") >= 3 else f"{url}/{number}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    tmp = tmp_path_factory.mktemp(f"db-{worker}")
    url = _database_url(tmp, worker)
    redis = _redis_url(worker)
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, MEDIA_ROOT=str(tmp / "media"),
                             REDIS_URL=redis, RATELIMIT_STORAGE_URI=redis or "memory://",
                             SECRET_KEY="test-secret", SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 60} if
                             url.startswith("postgresql") else {})
    from flask_migrate import upgrade

    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        from app.catalog.queries import facet_cache
        from app.extensions import limiter

        limiter.reset()
        facet_cache.clear()  # ids are reused from one test to the next
        from app.core.jobs import redis_connection

        if (connection := redis_connection(application)) is not None:
            connection.flushdb()  # this worker's own database: leftover jobs go


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def tenants(app):
    """Two tenants, as every integration test needs: Douala (XAF) and Abidjan (XOF).

    Built in an app context of its own: a test must not hold one open around client
    requests, or every request would share its ``g``.
    """
    with app.app_context():
        return make_world()


@pytest.fixture
def shop(app, tenants):
    return client_for(app, tenants.a.tenant.slug)


@pytest.fixture
def other_shop(app, tenants):
    return client_for(app, tenants.b.tenant.slug)

