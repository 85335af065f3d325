from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, Timestamped
from app.tenancy.models import Store

LOW_SQL = "on_hand <= reserved + low_stock_threshold"  # available at or under the threshold


class StockLevel(TenantScoped, Base):
    """Stock of one variant in one store. The CHECKs make overselling impossible."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("tenant_id", "variant_id", "store_id"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("on_hand - reserved >= 0", name="available_not_negative"),
        Index("ix_stock_levels_variant", "variant_id", "store_id"),
        # Low-stock list and count: only the levels at or under their threshold, covering.
        # The condition is written as in app.reports.stock.IS_LOW (SQLite matches it literally).
        Index("ix_stock_levels_low", "tenant_id", "store_id", "variant_id", "on_hand", "reserved",
              "low_stock_threshold", sqlite_where=text(LOW_SQL), postgresql_where=text(LOW_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=3)

    store: Mapped[Store] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(TenantScoped, Timestamped, Base):
    """Append-only ledger. Per (variant, store): sum(on_hand_delta) == on_hand and
    sum(reserved_delta) == reserved."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_variant", "tenant_id", "variant_id", "store_id"),)

    KINDS = ("receipt", "sale", "return", "adjustment", "transfer_in", "transfer_out", "reservation", "release")

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(255), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(120), default="system")


class Reservation(TenantScoped, Timestamped, Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index("ix_reservations_expiry", "status", "expires_at"),
        Index("ix_reservations_active", "tenant_id", "status", "expires_at"),  # back-office list
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | confirmed | released
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)

    store: Mapped[Store] = relationship()
