"""Abandoned carts: idle carts with a known contact get reminders at the tenant's delays."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.audit import audit
from app.cart.messages import TOPIC
from app.cart.models import Cart
from app.core.db import ALL_TENANTS, utcnow
from app.core.jobs import run
from app.extensions import db
from app.outbox.queue import queue
from app.tenancy.settings import current_tenant, tenant_setting


def sweep_abandoned() -> int:
    """Periodic job over every tenant with idle carts."""
    tenant_ids = db.session.scalars(
        select(Cart.tenant_id).distinct()
        .where(Cart.status == "active", Cart.updated_at <= utcnow() - timedelta(minutes=1))
        .execution_options(**ALL_TENANTS)
    ).all()
    db.session.rollback()
    return sum(run("app.cart.jobs.remind_tenant_carts", tenant_id) for tenant_id in tenant_ids)


def remind_tenant_carts() -> int:
    """Mark idle carts abandoned and queue the reminders that are due. Safe to run twice:
    each reminder has its own dedup key, and ``reminders_sent`` only moves forward."""
    tenant = current_tenant()
    now = utcnow()
    idle = timedelta(minutes=tenant_setting(tenant, "abandoned_cart_minutes"))
    delays = [timedelta(minutes=m) for m in tenant_setting(tenant, "abandoned_cart_reminders")]
    carts = db.session.scalars(
        select(Cart).where(Cart.status == "active", Cart.updated_at <= now - idle)
    ).all()
    queued = 0
    for cart in carts:
        if not cart.lines or not (cart.email or cart.phone):
            continue
        if cart.abandoned_at is None:
            _touch(cart, abandoned_at=now)
        step = cart.reminders_sent
        if step < len(delays) and cart.updated_at <= now - delays[step]:
            queued += queue_reminder(cart)
    db.session.commit()
    return queued


def _touch(cart: Cart, **values) -> None:
    """Change cart bookkeeping without it counting as shopper activity (updated_at kept)."""
    db.session.execute(update(Cart).where(Cart.id == cart.id).values(updated_at=Cart.updated_at, **values)
                       .execution_options(synchronize_session="fetch"))


def queue_reminder(cart: Cart) -> int:
    """The next reminder of this cart, by email and SMS where known (helpers flush)."""
    number = cart.reminders_sent + 1
    payload = {"cart_id": cart.id, "n": number}
    for channel, recipient in (("email", cart.email), ("sms", cart.phone)):
        if recipient:
            queue(channel, TOPIC, recipient, f"cart:{cart.id}:reminder:{number}:{channel}", payload)
    _touch(cart, reminders_sent=number)
    return 1


def remind_now(actor, cart_id: int) -> bool:
    """Staff: send the next reminder of an abandoned cart without waiting for its delay."""
    cart = db.session.get(Cart, cart_id)
    if cart is None or cart.status != "active" or not cart.lines or not (cart.email or cart.phone):
        return False
    before = {"reminders_sent": cart.reminders_sent}
    queue_reminder(cart)
    audit(actor, "cart.remind", "cart", cart.id, before=before, after={"reminders_sent": before["reminders_sent"] + 1})
    db.session.commit()
    return True
