from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, Timestamped, utcnow

STATUSES = ("pending", "sending", "sent", "cancelled", "dead")  # cancelled: no longer applies


class OutboxMessage(TenantScoped, Timestamped, Base):
    """An effect that must happen once its cause has committed (email, SMS, core push…).

    Written in the same transaction as the change that causes it; ``dedup_key`` makes the
    same milestone produce one row however often the code that writes it runs.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedup_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # a registered channel: email, sms, core
    topic: Mapped[str] = mapped_column(String(40))  # a registered composer's topic
    recipient: Mapped[str] = mapped_column(String(254))
    dedup_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
