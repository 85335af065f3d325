"""What the back-office bell shows: new orders, low stock, payment problems.

Each kind is listed only to staff who may read it. "New" orders are those placed since
the staff member last opened the notifications (``StaffUser.bell_seen_at``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.catalog.models import Variant
from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.models import Order
from app.payments.queries import payment_problems
from app.staff.models import StaffUser
from app.staff.permissions import allowed
from app.tenancy.models import Store


@dataclass
class LowStock:
    label: str
    sku: str
    store: str
    available: int
    threshold: int


@dataclass
class Bell:
    new_orders: int | None = None  # None: this staff member may not see this kind
    orders: list[Order] = field(default_factory=list)
    low_stock: int | None = None
    levels: list[LowStock] = field(default_factory=list)
    payment_problems: int | None = None
    payments: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n or 0 for n in (self.new_orders, self.low_stock, self.payment_problems))


def bell_for(user: StaffUser, limit: int = 5) -> Bell:
    bell = Bell()
    if allowed(user.role, "orders:read"):
        since = user.bell_seen_at or user.created_at
        new = select(Order).where(Order.created_at > since)
        bell.new_orders = db.session.scalar(select(func.count()).select_from(new.subquery()))
        bell.orders = list(db.session.scalars(new.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)))
    if allowed(user.role, "inventory:read"):
        available = StockLevel.on_hand - StockLevel.reserved
        low = (select(StockLevel, available).join(Store, Store.id == StockLevel.store_id)
               .where(Store.active.is_(True), available <= StockLevel.low_stock_threshold))
        bell.low_stock = db.session.scalar(select(func.count()).select_from(low.subquery()))
        rows = db.session.execute(low.options(joinedload(StockLevel.store))
                                  .order_by(available, StockLevel.id).limit(limit)).all()
        variants = {v.id: v for v in db.session.scalars(
            select(Variant).options(joinedload(Variant.product))
            .where(Variant.id.in_({level.variant_id for level, _ in rows})))}
        for level, left in rows:
            variant = variants[level.variant_id]
            label = " / ".join([variant.product.name, *variant.attributes.values()])
            bell.levels.append(LowStock(label, variant.sku, level.store.name, left, level.low_stock_threshold))
    if allowed(user.role, "payments:read"):
        problems = list(payment_problems(max(limit, 50)))
        bell.payment_problems, bell.payments = len(problems), problems[:limit]
    return bell
