from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, Timestamped


class CoreConnection(TenantScoped, Timestamped, Base):
    """How one tenant's AfriGest core system talks to the shop, and how the link is doing.

    ``mode`` is ``webhook`` while signed webhooks keep arriving, ``degraded`` once none has
    come within ``expected_interval_s``: the shop then polls the core's endpoints, backing
    off exponentially while the core does not answer.
    """

    __tablename__ = "core_connections"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500))
    api_token: Mapped[str] = mapped_column(String(200), default="")
    webhook_secret: Mapped[str] = mapped_column(String(200))
    expected_interval_s: Mapped[int] = mapped_column(Integer, default=900)
    mode: Mapped[str] = mapped_column(String(10), default="webhook")  # webhook | degraded
    last_webhook_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime)
    poll_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class SyncEvent(TenantScoped, Base):
    """Inbound webhook inbox: stored first, applied once (unique event id per tenant)."""

    __tablename__ = "sync_events"
    __table_args__ = (UniqueConstraint("tenant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))  # product.upserted | stock.changed | …
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # pending | applied | rejected
    error: Mapped[str] = mapped_column(Text, default="")
