from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, Timestamped


class ApiKey(TenantScoped, Timestamped, Base):
    """A per-tenant API key. Only a hash is stored; the key is shown once at creation."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))  # public part, to find the key
    key_hash: Mapped[str] = mapped_column(String(128))  # sha256 of the secret part
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["catalog:write", "inventory:write"]
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
