"""Payment attempts, the inbox of provider events, refunds, and tenants' own provider contracts."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, Timestamped, utcnow
from app.core.money import Money

STATUS_LABELS = {"pending": _l("en attente"), "succeeded": _l("réussi"), "failed": _l("échoué"),
                 "expired": _l("expiré"), "refunded": _l("remboursé")}
FINAL = ("succeeded", "failed", "expired", "refunded")


class Payment(TenantScoped, Timestamped, Base):
    """One attempt to collect an order's total through one provider.

    ``reference`` is ours (a UUID sent as MoMo's X-Reference-Id, Orange's order_id, PayPal's
    PayPal-Request-Id and custom_id); ``provider_reference`` is the provider's own id once
    known (MoMo financialTransactionId, Orange pay_token, PayPal order id). Status only
    moves forward: pending → succeeded | failed | expired, succeeded → refunded.
    """

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reference"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payments_status_next_check", "status", "next_check_at"),
        Index("ix_payments_tenant_id", "tenant_id", "id"),  # staff list, newest first, keyset pages
        Index("ix_payments_tenant_review", "tenant_id", "needs_review", "id"),  # the bell, "to check"
        Index("ix_payments_breakdown", "tenant_id", "method", "status", "created_at"),  # dashboard success rates
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    amount: Mapped[int] = mapped_column(Integer)  # minor units of the order currency
    currency: Mapped[str] = mapped_column(String(3))
    # What the provider is asked for when it cannot take the order currency (PayPal: XAF → EUR).
    provider_amount: Mapped[int | None] = mapped_column(Integer)
    provider_currency: Mapped[str | None] = mapped_column(String(3))
    exchange_rate: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(64))
    provider_reference: Mapped[str] = mapped_column(String(64), default="", index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    payer: Mapped[str] = mapped_column(String(24), default="")  # masked MSISDN, never the full number
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # provider specifics (notif_token, approve url…)
    reason: Mapped[str] = mapped_column(String(120), default="")  # provider's failure code
    created: Mapped[bool] = mapped_column(Boolean, default=False)  # the provider acknowledged the request
    checks: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    # Money arrived that the order cannot take (late success, order already paid): staff decide.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_note: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    order = relationship("Order", backref="payments")

    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ProviderEvent(TenantScoped, Base):
    """A callback or webhook exactly as received; stored before anything else happens."""

    __tablename__ = "provider_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "event_key"),
        Index("ix_provider_events_tenant_id", "tenant_id", "id"),  # the inbox, newest first
        Index("ix_provider_events_tenant_outcome", "tenant_id", "outcome", "id"),  # rejected ones
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_key: Mapped[str] = mapped_column(String(128))
    reference: Mapped[str] = mapped_column(String(128), default="")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # received → applied (moved a payment) | ignored (nothing to move) | rejected (with reason)
    outcome: Mapped[str] = mapped_column(String(12), default="received")
    reason: Mapped[str] = mapped_column(String(255), default="")

    payment = relationship(Payment, backref="events")


class Refund(TenantScoped, Timestamped, Base):
    """Money given back: through the provider when it can, else recorded as paid out by hand."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(12))  # provider | cash | mobile_money
    status: Mapped[str] = mapped_column(String(12), default="succeeded")  # succeeded | failed
    provider_reference: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(120), default="system")


class ProviderCredential(TenantScoped, Timestamped, Base):
    """A tenant's own contract with a provider (its PDG typed it in the back-office settings).
    Every value is encrypted together as one Fernet token (``PROVIDER_CREDENTIALS_KEY``):
    never stored in clear, never shown back, never logged. No row: the platform's contract."""

    __tablename__ = "provider_credentials"
    __table_args__ = (UniqueConstraint("tenant_id", "method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    secret: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
