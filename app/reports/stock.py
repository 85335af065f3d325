"""Inventory reads for the back-office: the stock grid, a variant's ledger, reservations, low stock.

Every list is one page of rows plus the few lookups that page needs (its stock levels,
names, stores), so its cost does not grow with the catalog. Lists whose size is cheap to
count (a partial or narrow index) say how many pages they have; the grid over every
variant does not count, it only knows whether a next page exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import func, select

from app.catalog.models import Product, Variant
from app.catalog.search import match_clause
from app.core.db import utcnow
from app.extensions import db
from app.inventory.models import Reservation, StockLevel, StockMovement
from app.orders.models import Order
from app.tenancy.models import Store

PAGE = 50
MAX_PAGE = 2000
# Written as the partial index ix_stock_levels_low is (SQLite matches the text, not its meaning).
IS_LOW = StockLevel.on_hand <= StockLevel.reserved + StockLevel.low_stock_threshold

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    has_next: bool
    total: int | None = None  # None: not counted (too costly for that list)

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max((self.total + PAGE - 1) // PAGE, 1)


@dataclass(frozen=True)
class Cell:
    on_hand: int
    reserved: int
    threshold: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low(self) -> bool:
        return self.available <= self.threshold


@dataclass
class StockRow:
    variant_id: int
    sku: str
    product_id: int
    product_name: str
    label: str
    cells: dict[int, Cell] = field(default_factory=dict)  # store id → cell; absent: never stocked there

    @property
    def available(self) -> int:
        return sum(max(c.available, 0) for c in self.cells.values())


def clamp_page(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def stores() -> list[Store]:
    """Columns of the grid: the tenant's stores, active first, in their display order."""
    return list(db.session.scalars(select(Store).order_by(Store.active.desc(), Store.position, Store.id)))


def _label(attributes: dict | None) -> str:
    return " / ".join(str(v) for v in (attributes or {}).values())


def _sku_range(column, prefix: str):
    """``column`` starts with ``prefix``, as a range the (tenant_id, sku) unique index serves."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


SKU_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def stock_grid(q: str = "", page: int = 1) -> Page[StockRow]:
    """Variants with their stock per store. ``q``: a SKU prefix (``AKW-ACC``) or words of the product.

    Each shape walks one index in the order it shows, so a page stops after its rows: SKU
    order for the whole grid and for a SKU prefix, product order for words (full-text).
    """
    q = (q or "").strip()[:100]
    query = select(Variant.id, Variant.sku, Variant.attributes, Variant.product_id, Product.name).join(
        Product, Product.id == Variant.product_id)
    rows = []
    if not q or _looks_like_sku(q):
        narrowed = query.where(_sku_range(Variant.sku, q.upper())) if q else query
        rows = db.session.execute(narrowed.order_by(Variant.sku).limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    if q and not rows:
        words = match_clause(q)
        if words is not None:
            rows = db.session.execute(query.where(words).order_by(Variant.product_id, Variant.id)
                                      .limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    items = [StockRow(v_id, sku, p_id, name, _label(attrs)) for v_id, sku, attrs, p_id, name in rows[:PAGE]]
    _fill_cells(items)
    return Page(items, page, len(rows) > PAGE)


def _looks_like_sku(q: str) -> bool:
    return bool(SKU_LIKE.fullmatch(q)) and any(ch == "-" or ch.isdigit() for ch in q)


def stock_row(variant_id: int) -> StockRow | None:
    """One grid row (after an adjustment), or None for a variant of no concern to this tenant."""
    row = db.session.execute(
        select(Variant.id, Variant.sku, Variant.attributes, Variant.product_id, Product.name)
        .join(Product, Product.id == Variant.product_id).where(Variant.id == variant_id)
    ).first()
    if row is None:
        return None
    item = StockRow(row[0], row[1], row[3], row[4], _label(row[2]))
    _fill_cells([item])
    return item


def _fill_cells(items: list[StockRow]) -> None:
    by_id = {item.variant_id: item for item in items}
    if not by_id:
        return
    for variant_id, store_id, on_hand, reserved, threshold in db.session.execute(
        select(StockLevel.variant_id, StockLevel.store_id, StockLevel.on_hand, StockLevel.reserved,
               StockLevel.low_stock_threshold).where(StockLevel.variant_id.in_(by_id))
    ):
        by_id[variant_id].cells[store_id] = Cell(on_hand, reserved, threshold)


def variant(variant_id: int) -> Variant | None:
    return db.session.get(Variant, variant_id)  # scoped: another tenant's id is None


def levels(variant_id: int) -> list[tuple[Store, Cell | None]]:
    """Every store with this variant's level there (None where it was never stocked)."""
    cells = {store_id: Cell(on_hand, reserved, threshold) for store_id, on_hand, reserved, threshold in
             db.session.execute(select(StockLevel.store_id, StockLevel.on_hand, StockLevel.reserved,
                                       StockLevel.low_stock_threshold).where(StockLevel.variant_id == variant_id))}
    return [(store, cells.get(store.id)) for store in stores()]


@dataclass(frozen=True)
class MovementRow:
    id: int
    created_at: datetime
    store_name: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    reason: str
    actor: str
    order_id: int | None
    order_number: str | None


def movements(variant_id: int, page: int = 1, store_id: int | None = None) -> Page[MovementRow]:
    """The variant's ledger, newest first."""
    where = [StockMovement.variant_id == variant_id]
    if store_id:
        where.append(StockMovement.store_id == store_id)
    total = db.session.scalar(select(func.count()).select_from(StockMovement).where(*where)) or 0
    rows = db.session.execute(
        select(StockMovement.id, StockMovement.created_at, Store.name, StockMovement.kind, StockMovement.on_hand_delta,
               StockMovement.reserved_delta, StockMovement.reason, StockMovement.actor, StockMovement.order_id,
               Order.number)
        .join(Store, Store.id == StockMovement.store_id)
        .outerjoin(Order, Order.id == StockMovement.order_id)
        .where(*where).order_by(StockMovement.id.desc()).limit(PAGE).offset((page - 1) * PAGE)
    ).all()
    return Page([MovementRow(*r) for r in rows], page, page * PAGE < total, total)


@dataclass(frozen=True)
class ReservationRow:
    id: int
    created_at: datetime
    expires_at: datetime | None
    quantity: int
    variant_id: int
    sku: str
    product_name: str
    store_name: str
    order_id: int | None
    order_number: str | None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at < utcnow()


def reservations(page: int = 1, variant_id: int | None = None) -> Page[ReservationRow]:
    """Active reservations, the soonest to expire first (ix_reservations_active)."""
    where = [Reservation.status == "active"]
    if variant_id:
        where.append(Reservation.variant_id == variant_id)
    total = db.session.scalar(select(func.count()).select_from(Reservation).where(*where)) or 0
    rows = db.session.execute(
        select(Reservation.id, Reservation.created_at, Reservation.expires_at, Reservation.quantity,
               Reservation.variant_id, Variant.sku, Product.name, Store.name, Reservation.order_id, Order.number)
        .join(Variant, Variant.id == Reservation.variant_id).join(Product, Product.id == Variant.product_id)
        .join(Store, Store.id == Reservation.store_id).outerjoin(Order, Order.id == Reservation.order_id)
        .where(*where).order_by(Reservation.expires_at, Reservation.id).limit(PAGE).offset((page - 1) * PAGE)
    ).all()
    return Page([ReservationRow(*r) for r in rows], page, page * PAGE < total, total)


@dataclass(frozen=True)
class LowRow:
    variant_id: int
    sku: str
    product_name: str
    label: str
    store_id: int
    store_name: str
    cell: Cell


def low_stock(page: int = 1, store_id: int | None = None, out_only: bool = False) -> Page[LowRow]:
    """Levels at or under their threshold, store by store (the partial index's order: no sort)."""
    where = [IS_LOW]
    if store_id:
        where.append(StockLevel.store_id == store_id)
    if out_only:
        where.append(StockLevel.on_hand <= StockLevel.reserved)
    total = db.session.scalar(select(func.count()).select_from(StockLevel).where(*where)) or 0
    # The page from the partial index alone, then its names: joins never drive the scan.
    ids = list(db.session.scalars(select(StockLevel.id).where(*where).order_by(StockLevel.store_id,
                                                                                 StockLevel.variant_id)
                                  .limit(PAGE).offset((page - 1) * PAGE)))
    rows = db.session.execute(
        select(StockLevel.variant_id, Variant.sku, Product.name, Variant.attributes, StockLevel.store_id, Store.name,
               StockLevel.on_hand, StockLevel.reserved, StockLevel.low_stock_threshold)
        .join(Variant, Variant.id == StockLevel.variant_id).join(Product, Product.id == Variant.product_id)
        .join(Store, Store.id == StockLevel.store_id).where(StockLevel.id.in_(ids))
        .order_by(StockLevel.store_id, StockLevel.variant_id)
    ).all() if ids else []
    items = [LowRow(v, sku, name, _label(attrs), s, store, Cell(on_hand, reserved, threshold))
             for v, sku, name, attrs, s, store, on_hand, reserved, threshold in rows]
    return Page(items, page, page * PAGE < total, total)

