"""A real `flask worker` process killed mid-batch and restarted: every email goes out once."""
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.core.db import tenant_context, utcnow
from app.core.jobs import run
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.staff.services import create_staff
from tests.support.clients import client_for
from tests.support.shopping import add_to_cart, checkout_fields

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")


@pytest.fixture
def workers(app):
    """Start real `flask worker` processes; each runs in its own process group (RQ forks a
    scheduler child from it), and every group is killed and reaped at the end, whatever the
    test did: a crashed test leaves no worker behind."""
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(app.config["MAIL_PORT"]), "SECRET_KEY": app.config["SECRET_KEY"],
           "MEDIA_ROOT": app.config["MEDIA_ROOT"], "LOG_LEVEL": "WARNING"}
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        kill_group(proc, signal.SIGKILL)


def kill_group(proc: subprocess.Popen, sig: int) -> None:
    """Signal the worker and its scheduler child together, as a crash or `systemctl stop`
    would, and reap it; a group that does not stop within 30 s is killed."""
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(proc.pid, sig)  # its own session: the group id is its pid
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        kill_group(proc, signal.SIGKILL)


def sent(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))


def test_killed_worker_loses_and_duplicates_nothing(app, tenants, smtp, workers):
    tenant_id = tenants.a.tenant.id
    with app.app_context(), tenant_context(tenant_id):
        for i in range(5):  # each order then also alerts five managers: a batch of 30 emails
            create_staff(f"manager{i}@akwa.cm", f"M{i}", "manager", "un-long-secret")
        db.session.commit()
    for i in range(5):
        shop = client_for(app, "akwa")
        add_to_cart(shop, tenants.a["shirt"].variant_ids[0], 1)
        shop.post("/shop/checkout", data=checkout_fields(shop, phone="", email=f"client{i}@example.cm"))
    first = workers()
    deadline = time.monotonic() + 30
    while len(smtp.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    kill_group(first, signal.SIGKILL)  # mid-batch, no goodbye
    assert 0 < len(smtp.messages) < 30
    second = workers()
    deadline = time.monotonic() + 60
    while sent(app, tenant_id) < 30 and time.monotonic() < deadline:
        time.sleep(0.2)
    kill_group(second, signal.SIGTERM)  # a warm shutdown; the fixture kills what is left anyway
    # a row claimed by the killed worker waits for its lease; the sweep takes it over
    with app.app_context():
        with tenant_context(tenant_id):
            db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "sending")
                               .values(next_attempt_at=utcnow()))
            db.session.commit()
        run("app.outbox.dispatch.sweep", None)
    assert sent(app, tenant_id) == 30
    recipients = [m["To"] + m["Subject"] for m in smtp.messages]
    # At-least-once delivery with a lease: a message is sent again only if the kill fell
    # between the SMTP "250 OK" and the commit that records it (at most one such message).
    assert len(recipients) - len(set(recipients)) <= 1
    assert len(set(recipients)) == 30
