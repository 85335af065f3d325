"""Writing outbox rows: called inside the transaction of the change that causes them."""
from __future__ import annotations

from sqlalchemy import select

from app.core.db import utcnow
from app.core.jobs import enqueue
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.orders.models import Order
from app.staff.models import StaffUser
from app.sync import push as sync_push

# Order milestones that tell the customer something (email and SMS).
ORDER_TOPICS = {"received": "order_received", "paid": "payment_received", "prepared": "order_prepared",
                "shipped": "order_shipped", "delivered": "order_delivered", "cancelled": "order_cancelled"}


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
    if sync_push.connected():  # the core system learns of every online sale and its progress
        queue_message("core", f"order_{status}", "core", f"order:{order.id}:{status}:core", {"order_id": order.id})


# Staff who run the shop get the operational alerts.
ALERTED_ROLES = ("pdg", "dg", "manager")


def alert_staff(alert: str, dedup_key: str, payload: dict) -> None:
    users = db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                       StaffUser.role.in_(ALERTED_ROLES)))
    for user in users:
        queue_message("email", f"staff_{alert}", user.email, f"{dedup_key}:staff:{user.id}",
                      {"alert": alert, **payload})


def alert_new_order(order: Order) -> None:
    alert_staff("new_order", f"order:{order.id}:new", {"order_id": order.id})


def notify_refund(order: Order, refund_id: int, amount: int) -> None:
    """Tell the customer money is on its way back, once per refund."""
    payload = {"order_id": order.id, "refund_id": refund_id, "amount": amount}
    if order.email:
        queue_message("email", "refund_issued", order.email, f"refund:{refund_id}:email", payload)
    if order.phone:
        queue_message("sms", "refund_issued", order.phone, f"refund:{refund_id}:sms", payload)


def alert_payment_review(payment_id: int, order_id: int, note: str) -> None:
    alert_staff("payment_review", f"payment:{payment_id}:review", {"order_id": order_id, "note": note})


def alert_payment_failures(method: str, failures: int, window_start: str) -> None:
    """A spike of failed payments (provider down, misconfigured?): once per method and window."""
    alert_staff("payment_failures", f"payfail:{method}:{window_start}",
                {"method": method, "failures": failures})


def alert_low_stock(variant_id: int, store_id: int, available: int) -> None:
    """At most one alert per variant, store and day."""
    day = utcnow().date().isoformat()
    alert_staff("low_stock", f"lowstock:{variant_id}:{store_id}:{day}",
                {"variant_id": variant_id, "store_id": store_id, "available": available})


def retry_message(actor, message_id: int) -> OutboxMessage:
    """Staff: send a dead (or waiting) message again now."""
    from app.staff.services import audit

    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status not in ("dead", "pending"):
        raise LookupError("message")
    before = {"status": message.status, "attempts": message.attempts}
    message.status, message.next_attempt_at, message.attempts = "pending", utcnow(), 0
    audit(actor, "outbox.retry", "outbox_message", message.id, before=before, after={"status": "pending"})
    enqueue("app.notifications.dispatch.deliver", message.id, queue="notifications")
    db.session.commit()
    return message
