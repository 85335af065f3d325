"""Reservation expiry, an order policy: unpaid orders whose reservations ran out are
cancelled (their stock freed); holds that belong to no order are released."""
from __future__ import annotations

from sqlalchemy import select

from app.core.db import ALL_TENANTS, utcnow
from app.core.jobs import run
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation
from app.orders.models import Order
from app.orders.services import OrderError, change_status


def expire_reservations() -> int:
    """Periodic job over every tenant; each tenant's work runs in its own context."""
    tenant_ids = db.session.scalars(
        select(Reservation.tenant_id).distinct()
        .where(Reservation.status == "active", Reservation.expires_at <= utcnow())
        .execution_options(**ALL_TENANTS)
    ).all()
    db.session.rollback()
    return sum(run("app.orders.jobs.expire_tenant_reservations", tenant_id) for tenant_id in tenant_ids)


def expire_tenant_reservations() -> int:
    """Cancel the unpaid orders behind expired reservations (never a paid one); release
    reservations that belong to no order. Safe to run twice."""
    expired = list(db.session.scalars(
        select(Reservation).where(Reservation.status == "active", Reservation.expires_at <= utcnow())
    ))
    order_ids = sorted({r.order_id for r in expired if r.order_id})
    count = 0
    for order in db.session.scalars(select(Order).where(Order.id.in_(order_ids))):
        if order.payment_status == "paid" or order.status != "received":
            continue
        try:
            change_status(order, "cancelled", actor="system", note="Réservation expirée / reservation expired")
            count += 1
        except OrderError:
            db.session.rollback()
    for reservation in expired:
        if reservation.order_id is None and inventory.release(reservation, reason="expirée / expired"):
            count += 1
    db.session.commit()
    return count
