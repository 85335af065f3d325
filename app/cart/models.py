from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Variant
from app.core.db import Base, TenantScoped, Timestamped, utcnow


class Cart(TenantScoped, Timestamped, Base):
    """A guest cart is found from a signed cookie holding its random token."""

    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("tenant_id", "token"), Index("ix_carts_idle", "status", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | converted
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Abandoned-cart recovery: when the cart went idle with a known contact, and how many
    # reminders it has had (the sequence stops on conversion or when it is emptied).
    abandoned_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[CartLine]] = relationship(cascade="all, delete-orphan", order_by="CartLine.id",
                                                 back_populates="cart")


class CartLine(TenantScoped, Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()
