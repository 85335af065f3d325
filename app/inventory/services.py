"""The inventory write path. Every change is one conditional UPDATE plus a ledger row.

Never read-modify-write: the database decides whether the quantity is there
(``WHERE on_hand - reserved >= :qty``) and the CHECK constraints back it up. Helpers
flush; the caller's top-level service commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, func, select, update

from app.catalog.models import Product, Variant
from app.core.db import changed_rows
from app.extensions import db
from app.inventory.models import Reservation, StockLevel, StockMovement
from app.tenancy.models import Store, Tenant
from app.tenancy.settings import current_tenant, tenant_setting


class OutOfStock(Exception):
    def __init__(self, variant_id: int, requested: int, available: int):
        super().__init__(f"variant {variant_id}: {requested} requested, {available} available")
        self.variant_id, self.requested, self.available = variant_id, requested, available


class StockError(ValueError):
    pass


def eligible_stores(tenant: Tenant | None = None) -> list[Store]:
    """Stores the shop sells from: all active ones, or only the e-commerce warehouse."""
    tenant = tenant or current_tenant()
    query = select(Store).where(Store.active.is_(True)).order_by(Store.position, Store.id)
    if tenant_setting(tenant, "stock_mode") == "dedicated":
        query = query.where(Store.is_ecommerce_warehouse.is_(True))
    return list(db.session.scalars(query))


def available_by_store(variant_ids: Iterable[int], store_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """{(variant_id, store_id): available} for the given variants and stores."""
    variant_ids, store_ids = list(variant_ids), list(store_ids)
    if not variant_ids or not store_ids:
        return {}
    rows = db.session.execute(
        select(StockLevel.variant_id, StockLevel.store_id, StockLevel.on_hand - StockLevel.reserved).where(
            StockLevel.variant_id.in_(variant_ids), StockLevel.store_id.in_(store_ids)
        )
    )
    return {(v, s): a for v, s, a in rows}


def available_total(variant_ids: Iterable[int]) -> dict[int, int]:
    """{variant_id: units available across the tenant's eligible stores}."""
    per_store = available_by_store(variant_ids, [s.id for s in eligible_stores()])
    totals: dict[int, int] = {}
    for (variant_id, _store), qty in per_store.items():
        totals[variant_id] = totals.get(variant_id, 0) + max(qty, 0)
    return totals


def _level(variant_id: int, store_id: int) -> StockLevel:
    level = db.session.scalar(
        select(StockLevel).where(StockLevel.variant_id == variant_id, StockLevel.store_id == store_id)
    )
    if level is None:
        level = StockLevel(variant_id=variant_id, store_id=store_id, on_hand=0, reserved=0)
        db.session.add(level)
        db.session.flush()
    return level


def _move(variant_id: int, store_id: int, kind: str, on_hand: int = 0, reserved: int = 0, *, reason: str = "",
          order_id: int | None = None, actor: str = "system") -> None:
    db.session.add(StockMovement(variant_id=variant_id, store_id=store_id, kind=kind, on_hand_delta=on_hand,
                                 reserved_delta=reserved, reason=reason, order_id=order_id, actor=actor))


def change_on_hand(variant_id: int, store_id: int, delta: int, kind: str, *, reason: str = "",
                   order_id: int | None = None, actor: str = "system") -> None:
    """Receipt, return, adjustment (+/−): refused if it would drop below what is reserved."""
    if kind not in StockMovement.KINDS or delta == 0:
        raise StockError(f"bad movement {kind} {delta}")
    level = _level(variant_id, store_id)
    if changed_rows(
        update(StockLevel)
        .where(StockLevel.id == level.id, StockLevel.on_hand + delta - StockLevel.reserved >= 0)
        .values(on_hand=StockLevel.on_hand + delta)
        .execution_options(synchronize_session=False)
    ) != 1:
        raise OutOfStock(variant_id, -delta, level.available)
    _move(variant_id, store_id, kind, on_hand=delta, reason=reason, order_id=order_id, actor=actor)
    db.session.expire(level)
    refresh_product_availability([variant_id])


def reserve(variant_id: int, store_id: int, quantity: int, *, order_id: int | None,
            expires_at: datetime | None, actor: str = "system") -> Reservation:
    if quantity <= 0:
        raise StockError("quantity must be positive")
    if changed_rows(
        update(StockLevel)
        .where(StockLevel.variant_id == variant_id, StockLevel.store_id == store_id,
               StockLevel.on_hand - StockLevel.reserved >= quantity)
        .values(reserved=StockLevel.reserved + quantity)
        .execution_options(synchronize_session=False)
    ) != 1:
        have = available_by_store([variant_id], [store_id]).get((variant_id, store_id), 0)
        raise OutOfStock(variant_id, quantity, have)
    reservation = Reservation(order_id=order_id, variant_id=variant_id, store_id=store_id, quantity=quantity,
                              expires_at=expires_at)
    db.session.add(reservation)
    _move(variant_id, store_id, "reservation", reserved=quantity, order_id=order_id, actor=actor)
    refresh_product_availability([variant_id])
    return reservation


def _settle(reservation: Reservation, new_status: str, kind: str, *, sold: bool, reason: str, actor: str) -> bool:
    """active → new_status, once: a second release/confirm of the same row does nothing.
    The reserved units are freed; a sale also takes them off the shelf."""
    closed = changed_rows(
        update(Reservation)
        .where(Reservation.id == reservation.id, Reservation.status == "active")
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    ) == 1
    db.session.expire(reservation)
    if not closed:
        return False
    q = reservation.quantity
    on_hand = -q if sold else 0
    db.session.execute(
        update(StockLevel)
        .where(StockLevel.variant_id == reservation.variant_id, StockLevel.store_id == reservation.store_id)
        .values(reserved=StockLevel.reserved - q, on_hand=StockLevel.on_hand + on_hand)
        .execution_options(synchronize_session=False)
    )
    _move(reservation.variant_id, reservation.store_id, kind, on_hand=on_hand, reserved=-q, reason=reason,
          order_id=reservation.order_id, actor=actor)
    return True


def release(reservation: Reservation, *, reason: str = "", actor: str = "system") -> bool:
    released = _settle(reservation, "released", "release", sold=False, reason=reason, actor=actor)
    if released:
        refresh_product_availability([reservation.variant_id])
    return released


def confirm(reservation: Reservation, *, actor: str = "system") -> bool:
    """The reserved units leave the shelf: a sale (availability does not change)."""
    return _settle(reservation, "confirmed", "sale", sold=True, reason="", actor=actor)


def refresh_product_availability(variant_ids: Iterable[int]) -> None:
    """Keep ``Product.in_stock`` (a listing filter) true to the stock levels."""
    variant_ids = list(variant_ids)
    if not variant_ids:
        return
    store_ids = [s.id for s in eligible_stores()]
    product_ids = select(Variant.product_id).where(Variant.id.in_(variant_ids))
    stocked = (
        select(StockLevel.id)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .where(Variant.product_id == Product.id, Variant.active.is_(True),
               StockLevel.on_hand - StockLevel.reserved > 0, StockLevel.store_id.in_(store_ids))
    )
    db.session.execute(
        update(Product)
        .where(Product.id.in_(product_ids))
        .values(in_stock=exists(stocked))
        .execution_options(synchronize_session=False)
    )


def low_levels(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(variant_id, store_id, available) of the given levels at or under their threshold."""
    pairs = set(pairs)
    if not pairs:
        return []
    rows = db.session.execute(
        select(StockLevel.variant_id, StockLevel.store_id, StockLevel.on_hand - StockLevel.reserved)
        .where(StockLevel.variant_id.in_({v for v, _ in pairs}),
               StockLevel.on_hand - StockLevel.reserved <= StockLevel.low_stock_threshold)
    )
    return sorted((v, s, a) for v, s, a in rows if (v, s) in pairs)


def ledger_totals(variant_id: int, store_id: int) -> tuple[int, int]:
    """(sum of on_hand deltas, sum of reserved deltas): must equal the level's numbers."""
    row = db.session.execute(
        select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0),
               func.coalesce(func.sum(StockMovement.reserved_delta), 0))
        .where(StockMovement.variant_id == variant_id, StockMovement.store_id == store_id)
    ).one()
    return int(row[0]), int(row[1])
