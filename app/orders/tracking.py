"""Finding an order without an account: a signed tracking link, or its number plus the
email or phone it was placed with."""
from __future__ import annotations

import phonenumbers
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order


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
