"""Writing outbox rows: called inside the transaction of the change that causes them."""
from __future__ import annotations

from sqlalchemy import select

from app.core.jobs import enqueue
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.orders.models import Order

# Order milestones that tell the customer something (email and SMS).
ORDER_TOPICS = {"received": "order_received", "prepared": "order_prepared", "shipped": "order_shipped",
                "delivered": "order_delivered", "cancelled": "order_cancelled"}


def queue_message(channel: str, topic: str, recipient: str, dedup_key: str, payload: dict) -> OutboxMessage | None:
    """One row per (tenant, dedup_key): a milestone repeated by a retry adds nothing."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)) is not None:
        return None
    message = OutboxMessage(channel=channel, topic=topic, recipient=recipient, dedup_key=dedup_key, payload=payload)
    db.session.add(message)
    db.session.flush()
    enqueue("app.notifications.dispatch.deliver", message.id, queue="notifications")
    return message


def notify_order(order: Order, status: str) -> None:
    """Email and SMS the customer about an order milestone, once each."""
    topic = ORDER_TOPICS.get(status)
    if topic is None:
        return
    if order.email:
        queue_message("email", topic, order.email, f"order:{order.id}:{status}:email", {"order_id": order.id})
    if order.phone:
        queue_message("sms", topic, order.phone, f"order:{order.id}:{status}:sms", {"order_id": order.id})
