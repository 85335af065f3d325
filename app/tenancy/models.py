from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, Timestamped


class Tenant(Timestamped, Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="CM")
    currency: Mapped[str] = mapped_column(String(3), default="XAF")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="Africa/Douala")
    primary_color: Mapped[str] = mapped_column(String(7), default="#0b6e4f")
    secondary_color: Mapped[str] = mapped_column(String(7), default="#f2a541")
    logo_path: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended
    # Overrides of Config.TENANT_DEFAULTS; read through app.tenancy.settings.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    domains: Mapped[list[Domain]] = relationship(back_populates="tenant", cascade="all, delete-orphan")


class Domain(Base):
    """A custom host name (``boutique.example.cm``) that serves one tenant's shop."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(253), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="domains")


class Store(TenantScoped, Base):
    """A physical shop, which is also a stock location."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(255), default="")
    is_pickup_point: Mapped[bool] = mapped_column(Boolean, default=True)
    is_ecommerce_warehouse: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
