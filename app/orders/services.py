"""The order write path: numbering, status changes with their history, tracking lookup."""
from __future__ import annotations

import phonenumbers
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation
from app.notifications.services import notify_order
from app.orders.models import STATUS_LABELS, Counter, Order, OrderStatusChange

# Allowed moves of the order status (cancel only before shipping, return after delivery).
TRANSITIONS = {
    "received": ("prepared", "cancelled"),
    "prepared": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": ("returned",),
    "cancelled": (),
    "returned": (),
}
TIMELINE = ("received", "prepared", "shipped", "delivered")


class OrderError(ValueError):
    pass


def next_number(prefix: str = "AG") -> str:
    """AG-000123, per tenant, from an atomic counter (``UPDATE … RETURNING``)."""
    value = db.session.execute(
        update(Counter).where(Counter.name == "order").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar()
    if value is None:
        db.session.add(Counter(name="order", value=1))
        db.session.flush()  # a racing first order hits the unique key and is retried
        value = 1
    return f"{prefix}-{value:06d}"


def record_change(order: Order, field: str, from_status: str | None, to_status: str, *, actor: str = "system",
                  note: str = "") -> None:
    order.history.append(OrderStatusChange(field=field, from_status=from_status, to_status=to_status, actor=actor,
                                           note=note[:500]))


def change_status(order: Order, to_status: str, *, actor: str, note: str = "", carrier: str = "",
                  tracking_number: str = "") -> Order:
    """Move an order along TRANSITIONS; stock follows (prepared: sale, cancelled: release).
    Shipping records the carrier and tracking number the customer is told about."""
    allowed = TRANSITIONS.get(order.status, ())
    if to_status not in allowed:
        raise OrderError(_l("Impossible de passer la commande de « %(a)s » à « %(b)s ». Statuts autorisés : %(ok)s.",
                            a=STATUS_LABELS[order.status], b=STATUS_LABELS.get(to_status, to_status),
                            ok=", ".join(str(STATUS_LABELS[s]) for s in allowed) or "—"))
    reservations = list(db.session.scalars(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status.in_(("active", "confirmed")))
        .order_by(Reservation.variant_id, Reservation.store_id)
    ))
    for r in reservations:
        if to_status == "prepared" and r.status == "active":
            inventory.confirm(r, actor=actor)
        elif to_status == "cancelled" and r.status == "active":
            inventory.release(r, reason=f"Commande {order.number} annulée", actor=actor)
        elif to_status == "cancelled":  # already picked: the units go back on the shelf
            inventory.change_on_hand(r.variant_id, r.store_id, r.quantity, "return", order_id=order.id,
                                     reason=f"Commande {order.number} annulée", actor=actor)
    if to_status == "shipped":
        order.carrier, order.tracking_number = carrier.strip()[:80], tracking_number.strip()[:80]
    record_change(order, "status", order.status, to_status, actor=actor, note=note)
    order.status = to_status
    notify_order(order, to_status)
    db.session.commit()
    return order


def mark_paid(order: Order, *, actor: str, note: str = "") -> Order:
    """Cash on delivery collected: payment pending → paid, once; the customer is told."""
    if order.payment_method != "cod" or order.payment_status != "pending" or order.status == "cancelled":
        raise OrderError(_l("Seule une commande payable à la livraison, en attente de paiement, peut être "
                            "marquée payée."))
    record_change(order, "payment", order.payment_status, "paid", actor=actor, note=note)
    order.payment_status = "paid"
    notify_order(order, "paid")
    db.session.commit()
    return order


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-tracking")


def tracking_token(order: Order) -> str:
    return _serializer().dumps([order.tenant_id, order.id])


def order_from_token(token: str) -> Order | None:
    """The order a signed tracking link points to, if it belongs to the current tenant."""
    try:
        tenant_id, order_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    order = db.session.get(Order, order_id) if isinstance(order_id, int) else None
    return order if order is not None and order.tenant_id == tenant_id else None


def find_for_tracking(number: str, contact: str, country: str) -> Order | None:
    """The order with this number whose email or phone matches; None for any mismatch."""
    number = (number or "").strip().upper()
    contact = (contact or "").strip()
    if not number or not contact:
        return None
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None:
        return None
    if "@" in contact:
        return order if order.email and order.email.lower() == contact.lower() else None
    try:
        phone = phonenumbers.format_number(phonenumbers.parse(contact, country), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return None
    return order if order.phone and order.phone == phone else None
