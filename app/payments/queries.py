"""Read side of payments for staff: the inbox, attempts, and what needs a person."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.payments.models import Payment, ProviderEvent

OUTCOMES = ("received", "applied", "ignored", "rejected", "late")


def events(*, provider: str = "", outcome: str = "", before_id: int | None = None, limit: int = 50):
    """Newest first, keyset-paginated on the id."""
    query = select(ProviderEvent).order_by(ProviderEvent.id.desc()).limit(limit)
    if provider:
        query = query.where(ProviderEvent.provider == provider)
    if outcome in OUTCOMES:
        query = query.where(ProviderEvent.outcome == outcome)
    if before_id:
        query = query.where(ProviderEvent.id < before_id)
    return db.session.scalars(query).all()


def payments(*, status: str = "", method: str = "", review: bool = False, before_id: int | None = None,
             limit: int = 50):
    query = select(Payment).options(joinedload(Payment.order)).order_by(Payment.id.desc()).limit(limit)
    if status:
        query = query.where(Payment.status == status)
    if method:
        query = query.where(Payment.method == method)
    if review:
        query = query.where(Payment.needs_review.is_(True))
    if before_id:
        query = query.where(Payment.id < before_id)
    return db.session.scalars(query).all()


def payment_problems(limit: int = 10) -> list:
    """Payments flagged for review and rejected callbacks, newest first (the bell, the dashboard)."""
    flagged = db.session.scalars(select(Payment).where(Payment.needs_review.is_(True))
                                 .order_by(Payment.id.desc()).limit(limit)).all()
    rejected = db.session.scalars(select(ProviderEvent).where(ProviderEvent.outcome.in_(("rejected", "late")))
                                  .order_by(ProviderEvent.id.desc()).limit(limit)).all()
    return [*flagged, *rejected][:limit]
