"""Applying the core's data to the shop: the same helpers serve webhooks and polling.

Each helper checks everything first and raises :class:`~app.sync.schemas.SyncRefused`
before its first write, so a refused item leaves nothing behind without needing a
savepoint. Helpers flush; the caller (app.sync.services) commits once.
"""
from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import Variant
from app.catalog.services import InputErrors, VariantData
from app.catalog.upserts import upsert_core_product
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import StockLevel
from app.sync import schemas
from app.sync.schemas import Invalid
from app.tenancy.models import Store

REASON = "Synchro cœur AfriGest / core sync"
ACTOR = "core"


def set_stock(data: dict) -> dict:
    """Make on_hand equal the core's absolute figure by one adjustment of the difference."""
    item = schemas.stock(data)
    variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == item.sku))
    if variant_id is None:
        raise Invalid("unknown_sku", f"unknown SKU {item.sku}")
    store_id = db.session.scalar(select(Store.id).where(Store.code == item.store))
    if store_id is None:
        raise Invalid("unknown_store", f"unknown store {item.store}")
    # Locked until commit (PostgreSQL), so no sale slips between reading and adjusting.
    level = db.session.scalar(
        select(StockLevel).where(StockLevel.variant_id == variant_id, StockLevel.store_id == store_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
    if item.on_hand < reserved:
        raise Invalid("below_reserved", f"{item.sku}@{item.store}: on_hand {item.on_hand} is below the "
                                        f"{reserved} units reserved by orders")
    delta = item.on_hand - on_hand
    if delta:
        inventory.change_on_hand(variant_id, store_id, delta, "adjustment", reason=REASON, actor=ACTOR)
    return {"sku": item.sku, "store": item.store, "on_hand": item.on_hand, "delta": delta}


def upsert_product(data: dict) -> dict:
    """Create the product, or update only its core fields: the shop's web fields stay as
    the shop set them (the catalog's rule, :func:`app.catalog.upserts.upsert_core_product`)."""
    item = schemas.product(data)
    try:
        created = upsert_core_product(
            item.sku, name=item.name, base_price=item.base_price, brand=item.brand, barcode=item.barcode,
            cost=item.cost, status=item.status,
            variants=[VariantData(v.sku, v.attributes, price=v.price, weight_grams=v.weight_grams, barcode=v.barcode)
                      for v in item.variants])
    except InputErrors:
        raise Invalid("sku_conflict", "a variant SKU belongs to another product") from None
    return {"sku": item.sku, "created": created}
