"""Pushing online orders to the core system, through the outbox (never lost, never twice).

Each order milestone becomes an outbox row on the "core" channel in the transaction that
causes it; delivery POSTs the order to the core with the row's dedup key as
``Idempotency-Key``, so a redelivery after a crash is recorded once by the core.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order
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


def send(payload: dict, dedup_key: str) -> None:
    link = db.session.scalar(select(CoreConnection).where(CoreConnection.enabled.is_(True)))
    if link is None:
        raise LookupError("no core connection")
    order = db.session.get(Order, payload["order_id"])
    CoreClient(link.base_url, link.api_token).post("/api/orders", order_payload(order), dedup_key)
