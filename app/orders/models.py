from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, Timestamped, utcnow
from app.core.money import Money
from app.tenancy.models import Store

STATUS_LABELS = {"received": _l("Reçue"), "prepared": _l("Préparée"), "shipped": _l("Expédiée"),
                 "delivered": _l("Livrée"), "cancelled": _l("Annulée"), "returned": _l("Retournée")}
PAYMENT_LABELS = {"pending": _l("en attente"), "paid": _l("payé"), "failed": _l("en échec"),
                  "refunded": _l("remboursé"), "partially_refunded": _l("partiellement remboursé")}


class Order(TenantScoped, Timestamped, Base):
    """Totals are snapshots taken when the order is placed, never recomputed."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint("total >= 0", name="total_positive"),
        Index("ix_orders_tenant_created", "tenant_id", "created_at"),
        # The back-office list filters on these and sorts by date within them (100 000 orders).
        Index("ix_orders_tenant_status_created", "tenant_id", "status", "created_at"),
        Index("ix_orders_tenant_payment_created", "tenant_id", "payment_status", "created_at"),
        Index("ix_orders_tenant_store_created", "tenant_id", "fulfilment_store_id", "created_at"),
        Index("ix_orders_tenant_total", "tenant_id", "total"),
        Index("ix_orders_tenant_phone", "tenant_id", "phone"),
        Index("ix_orders_tenant_email", "tenant_id", "email"),
        # Dashboard (app.reports.dashboard): covering indexes for a year of orders without a sort.
        Index("ix_orders_breakdown", "tenant_id", "status", "payment_status", "payment_method", "created_at", "total"),
        Index("ix_orders_timeline", "tenant_id", "created_at", "status", "total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16), default="ecommerce")
    status: Mapped[str] = mapped_column(String(16), default="received")
    payment_status: Mapped[str] = mapped_column(String(20), default="pending")
    payment_method: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(Integer)
    shipping_total: Mapped[int] = mapped_column(Integer, default=0)
    discount_total: Mapped[int] = mapped_column(Integer, default=0)
    tax_total: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    # contact and delivery snapshot
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    delivery_method: Mapped[str] = mapped_column(String(10))  # home | pickup
    shipping_method: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(80), default="")
    quarter: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    landmark: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    pickup_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"))
    # None when no single store can serve every line: staff see the proposed split.
    fulfilment_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"))
    carrier: Mapped[str] = mapped_column(String(80), default="")  # set when shipped
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderLine.id")
    history: Mapped[list[OrderStatusChange]] = relationship(cascade="all, delete-orphan",
                                                            order_by="OrderStatusChange.id")
    returns: Mapped[list[OrderReturn]] = relationship(cascade="all, delete-orphan", order_by="OrderReturn.id")
    pickup_store: Mapped[Store | None] = relationship(foreign_keys=[pickup_store_id])
    fulfilment_store: Mapped[Store | None] = relationship(foreign_keys=[fulfilment_store_id])

    def money(self, field: str) -> Money:
        return Money(getattr(self, field), self.currency)


# Name search in the back-office list is a prefix of lower(first/last name): expression
# indexes, declared here because __table_args__ cannot reach the mapped columns. PostgreSQL
# needs text_pattern_ops for LIKE 'x%'; SQLite's planner uses them for a range instead
# (app.reports.orders.search_condition).
for _name in ("first_name", "last_name"):
    Index(f"ix_orders_tenant_{_name}_lower", Order.tenant_id,
          func.lower(getattr(Order, _name)).label(f"{_name}_lower"),
          postgresql_ops={f"{_name}_lower": "text_pattern_ops"})


class OrderLine(TenantScoped, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_order_lines_sales", "tenant_id", "order_id", "product_id", "quantity", "line_total"),  # top products
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    variant_label: Mapped[str] = mapped_column(String(200), default="")
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderStatusChange(TenantScoped, Timestamped, Base):
    """Who moved the order (or its payment) from what to what, when, and why.

    ``field`` says what moved: ``status``, ``payment``, ``store`` (fulfilment store codes),
    ``return`` (units taken back) or ``note`` (a staff remark; from = to = the status)."""

    __tablename__ = "order_status_changes"
    # Dashboard lead time: the period's "shipped" moves as one range.
    __table_args__ = (
        Index("ix_order_status_changes_moves", "tenant_id", "to_status", "field", "created_at", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16), default="status")  # status | payment | store | return | note
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120), default="system")
    note: Mapped[str] = mapped_column(String(500), default="")


class OrderReturn(TenantScoped, Timestamped, Base):
    """Units a customer brought back; ``restock`` says whether they went back on the shelf."""

    __tablename__ = "order_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    restock: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(120), default="system")

    lines: Mapped[list[OrderReturnLine]] = relationship(cascade="all, delete-orphan", order_by="OrderReturnLine.id")


class OrderReturnLine(TenantScoped, Base):
    __tablename__ = "order_return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("order_returns.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    order_line: Mapped[OrderLine] = relationship()


class Counter(TenantScoped, Base):
    """Per-tenant sequences (order numbers), advanced with an atomic UPDATE."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer, default=0)
