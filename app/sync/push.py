"""Pushing online orders to the core system, through the outbox (never lost, never twice).

This module is the outbox's "core" channel: each order milestone becomes a row on it in the
transaction that causes it (app.orders.messages); delivery POSTs the order to the core with the row's dedup key as
``Idempotency-Key``, so a redelivery after a crash is recorded once by the core.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.orders.messages import CORE_TOPICS, message_order
from app.orders.models import Order
from app.outbox.models import OutboxMessage
from app.outbox.registry import composer, register_channel
from app.sync.client import CoreClient
from app.sync.models import CoreConnection


def connected() -> bool:
    return db.session.scalar(select(CoreConnection.id).where(CoreConnection.enabled.is_(True))) is not None


def order_payload(order: Order) -> dict:
    store = order.fulfilment_store or order.pickup_store
    return {
        "number": order.number, "type": order.type, "status": order.status, "payment_status": order.payment_status,
        "payment_method": order.payment_method, "currency": order.currency, "subtotal": order.subtotal,
        "shipping_total": order.shipping_total, "total": order.total, "created_at": order.created_at.isoformat(),
        "store": store.code if store else None, "delivery_method": order.delivery_method,
        "lines": [{"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price} for line in order.lines],
    }


@composer(("core",), *CORE_TOPICS)
def compose_order_push(message: OutboxMessage) -> dict:
    return order_payload(message_order(message))


def send(message: OutboxMessage, payload: dict) -> None:
    link = db.session.scalar(select(CoreConnection).where(CoreConnection.enabled.is_(True)))
    if link is None:
        raise LookupError("no core connection")
    CoreClient(link.base_url, link.api_token).post("/api/orders", payload, message.dedup_key)


register_channel("core", send, active=connected)
