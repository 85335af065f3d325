"""Delivering outbox rows: claim, send, mark; retry with backoff; give up into "dead".

A row is claimed with a conditional UPDATE (pending, or a "sending" lease that ran out)
and committed before anything leaves, so two workers never send the same row and a
worker killed mid-send leaves a lease that the next sweep takes over.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.core.db import ALL_TENANTS, changed_rows, utcnow
from app.core.jobs import run
from app.extensions import db
from app.outbox import transports  # noqa: F401 - registers the email and sms channels
from app.outbox.models import OutboxMessage
from app.outbox.registry import compose, get_channel

LEASE = timedelta(minutes=5)
BACKOFF = [30, 120, 600, 1800, 7200, 21600]  # seconds before attempt 2, 3, …


def _claim(message_id: int) -> bool:
    now = utcnow()
    claimed = changed_rows(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.next_attempt_at <= now)
        .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ) == 1
    db.session.commit()
    return claimed


def _send(message: OutboxMessage) -> bool:
    """Send it; False when the message no longer applies (nothing is sent)."""
    channel = get_channel(message.channel)
    content = compose(message)
    if content is None:
        return False
    channel.send(message, content)
    return True


def deliver(message_id: int) -> str:
    """Job: send one outbox row if it is due. Safe to run twice; returns the new status."""
    if not _claim(message_id):
        return "skipped"
    message = db.session.get_one(OutboxMessage, message_id)  # claimed: it exists
    try:
        sent = _send(message)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked as dead
        db.session.rollback()
        message = db.session.get_one(OutboxMessage, message_id)  # claimed: it exists
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = "dead"
            current_app.logger.error("outbox %s dead after %s attempts: %s", message.id, message.attempts,
                                     message.last_error)
        else:
            message.status = "pending"
            delay = BACKOFF[min(message.attempts - 1, len(BACKOFF) - 1)]
            message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    else:
        message.status = "sent" if sent else "cancelled"
        message.sent_at, message.last_error = (utcnow() if sent else None), ""
    db.session.commit()
    return message.status


def sweep(limit: int = 500) -> int:
    """Periodic job: deliver every due row of every tenant (pending, retries, lost leases).

    This is what makes the outbox lossless: a job that never ran (Redis down, worker
    killed) leaves its row pending, and the next sweep sends it.
    """
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.tenant_id)
        .where(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at).limit(limit)
        .execution_options(**ALL_TENANTS)
    ).all()
    db.session.rollback()
    for message_id, tenant_id in due:  # each in a fresh session, inside its own tenant
        run("app.outbox.dispatch.deliver", tenant_id, message_id)
    return len(due)
