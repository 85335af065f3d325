"""Writing outbox rows: called inside the transaction of the change that causes them."""
from __future__ import annotations

from sqlalchemy import select

from app.audit import Actor, audit
from app.core.db import utcnow
from app.core.jobs import enqueue
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.registry import get_channel, has_channel

DELIVER = "app.outbox.dispatch.deliver"


def queue(channel: str, topic: str, recipient: str, dedup_key: str, payload: dict) -> OutboxMessage | None:
    """One row per (tenant, dedup_key): a milestone repeated by a retry adds nothing (flushes)."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)) is not None:
        return None
    message = OutboxMessage(channel=channel, topic=topic, recipient=recipient, dedup_key=dedup_key, payload=payload)
    db.session.add(message)
    db.session.flush()
    enqueue(DELIVER, message.id, queue="notifications")
    return message


def channel_active(name: str) -> bool:
    """Whether the current tenant uses a channel (``core``: only when linked to a core system)."""
    return has_channel(name) and get_channel(name).active()


def retry_message(actor: Actor, message_id: int) -> OutboxMessage:
    """Staff: send a dead (or waiting) message again now."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status not in ("dead", "pending"):
        raise LookupError("message")
    before = {"status": message.status, "attempts": message.attempts}
    message.status, message.next_attempt_at, message.attempts = "pending", utcnow(), 0
    audit(actor, "outbox.retry", "outbox_message", message.id, before=before, after={"status": "pending"})
    enqueue(DELIVER, message.id, queue="notifications")
    db.session.commit()
    return message
