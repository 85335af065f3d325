"""Reconciliation: pending payments are asked about until they are final.

A callback can be late, duplicated or never come; this job does not care. Each pending
payment is polled with a growing interval; once its provider window has passed with no
final answer it expires (stock released). An expired payment is asked once more an hour
later, so a success that came too late is recorded and flagged for staff.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.core.db import ALL_TENANTS, utcnow
from app.core.jobs import run
from app.extensions import db
from app.orders.models import Order
from app.orders.services import change_status
from app.payments.models import Payment, ProviderEvent
from app.payments.providers.base import EXPIRED, PENDING
from app.payments.services import check

UNPAID_GRACE = timedelta(hours=24)  # a shopper whose payment failed may come back and retry
# A stored callback whose job should long have run: Redis was down when it came, or a worker died.
EVENT_GRACE = timedelta(minutes=1)


def _due():
    return (Payment.next_check_at <= utcnow()) & Payment.status.in_((PENDING, EXPIRED)) & (Payment.method != "cod")


def _unpaid():
    """Orders whose online payment failed and that nobody paid since: their stock is long gone."""
    return ((Order.status == "received") & (Order.payment_status == "failed") & (Order.payment_method != "cod")
            & (Order.updated_at <= utcnow() - UNPAID_GRACE))


def reconcile() -> int:
    """Periodic job over every tenant; each tenant's payments are handled in its own context."""
    tenant_ids = set(db.session.scalars(select(Payment.tenant_id).distinct().where(_due())
                                        .execution_options(**ALL_TENANTS)))
    tenant_ids |= set(db.session.scalars(select(Order.tenant_id).distinct().where(_unpaid())
                                         .execution_options(**ALL_TENANTS)))
    db.session.rollback()
    return sum(run("app.payments.jobs.reconcile_tenant", tenant_id) or 0 for tenant_id in sorted(tenant_ids))


def reconcile_tenant(limit: int = 200) -> int:
    ids = db.session.scalars(select(Payment.id).where(_due()).order_by(Payment.next_check_at).limit(limit)).all()
    moved = sum(check_payment(payment_id) for payment_id in ids)
    for order in db.session.scalars(select(Order).where(_unpaid()).limit(limit)):
        change_status(order, "cancelled", actor="system", note="Paiement non abouti / payment not completed")
    return moved


def check_payment(payment_id: int) -> int:
    """Job: ask the provider about one payment and apply the answer; 1 if the payment moved."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.next_check_at is None:
        return 0
    moved = check(payment)
    db.session.commit()
    return int(moved)


def sweep_events(limit: int = 500) -> int:
    """Periodic job: process every stored callback still waiting after EVENT_GRACE.

    The callback view stores the event and enqueues its processing after the commit; when
    Redis is down that job is never queued, so the event would wait forever. Processing is
    safe to run twice (an event processed already is skipped).
    """
    waiting = db.session.execute(
        select(ProviderEvent.id, ProviderEvent.tenant_id)
        .where(ProviderEvent.processed_at.is_(None), ProviderEvent.received_at <= utcnow() - EVENT_GRACE)
        .order_by(ProviderEvent.id).limit(limit)
        .execution_options(**ALL_TENANTS)
    ).all()
    db.session.rollback()
    for event_id, tenant_id in waiting:  # each in a fresh session, inside its own tenant
        try:
            run("app.payments.inbox.process", tenant_id, event_id)
        except Exception:  # noqa: BLE001 - a provider still unreachable: the next sweep tries again
            current_app.logger.exception("provider event %s not processed yet", event_id)
    return len(waiting)
