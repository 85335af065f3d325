"""Which store serves an order: a pure function over a stock snapshot.

The nearest store holding every line wins; when none does, lines are split across the
stores nearest first and the order is left without a single fulfilment store, for staff
to review. The plan is only a proposal: the reservations that follow are conditional
updates, so a plan made from a stale snapshot fails cleanly and is recomputed.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.tenancy.geo import distance_km


@dataclass(frozen=True)
class StoreRef:
    id: int
    latitude: float
    longitude: float
    position: int = 0


@dataclass
class Allocation:
    store_id: int | None  # the single store serving everything, or None for a split
    picks: list[tuple[int, int, int]]  # (variant_id, store_id, quantity), sorted for lock order


class Unavailable(Exception):
    def __init__(self, variant_id: int, requested: int, available: int):
        super().__init__(f"variant {variant_id}: {requested} requested, {available} available")
        self.variant_id, self.requested, self.available = variant_id, requested, available


def by_distance(stores: list[StoreRef], origin: tuple[float, float] | None) -> list[StoreRef]:
    if origin is None:
        return sorted(stores, key=lambda s: (s.position, s.id))
    return sorted(stores, key=lambda s: (distance_km(origin, (s.latitude, s.longitude)), s.id))


def allocate(lines: dict[int, int], stores: list[StoreRef], stock: dict[tuple[int, int], int],
             origin: tuple[float, float] | None = None, *, allow_split: bool = True) -> Allocation:
    """``lines``: {variant_id: quantity}; ``stock``: {(variant_id, store_id): available}."""
    ordered = by_distance(stores, origin)
    for store in ordered:
        if all(stock.get((v, store.id), 0) >= q for v, q in lines.items()):
            return Allocation(store.id, sorted((v, store.id, q) for v, q in lines.items()))
    for variant_id, quantity in lines.items():
        have = sum(max(stock.get((variant_id, s.id), 0), 0) for s in ordered)
        if have < quantity or not allow_split:
            raise Unavailable(variant_id, quantity, have)
    picks = []
    for variant_id, quantity in lines.items():
        left = quantity
        for store in ordered:
            take = min(left, max(stock.get((variant_id, store.id), 0), 0))
            if take:
                picks.append((variant_id, store.id, take))
                left -= take
            if not left:
                break
    return Allocation(None, sorted(picks))
