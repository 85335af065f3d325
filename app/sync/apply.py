"""Applying the core's data to the shop: the same helpers serve webhooks and polling.

Each helper checks everything first and raises :class:`~app.sync.schemas.SyncRefused`
before its first write, so a refused item leaves nothing behind without needing a
savepoint. Helpers flush; the caller (app.sync.services) commits once.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from app.catalog import services as catalog
from app.catalog.models import Product, Variant, VariantOption
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


def _set_options(variant: Variant) -> None:
    db.session.execute(delete(VariantOption).where(VariantOption.variant_id == variant.id)
                       .execution_options(synchronize_session=False))
    for name, value in variant.attributes.items():
        db.session.add(VariantOption(variant_id=variant.id, product_id=variant.product_id, name=name, value=value))


def upsert_product(data: dict) -> dict:
    """Create the product, or update only its core fields: the shop's web fields (slug,
    SEO, description, visibility, featuring, order, price override, category, images)
    stay as the shop set them. Variants the core no longer sends are left alone."""
    item = schemas.product(data)
    product = db.session.scalar(select(Product).where(Product.sku == item.sku))
    # A new product without variants gets one carrying its own SKU (as create_product does).
    variants = item.variants or (() if product else (schemas.VariantPayload(sku=item.sku),))
    owners = dict(db.session.execute(
        select(Variant.sku, Variant.product_id).where(Variant.sku.in_([v.sku for v in variants]))
    ).all())
    if any(owner != (product.id if product else None) for owner in owners.values()):
        raise Invalid("sku_conflict", "a variant SKU belongs to another product")
    core_fields = {"name": item.name, "brand": item.brand, "barcode": item.barcode, "base_price": item.base_price,
                   "cost": item.cost, "status": item.status}
    if product is None:
        product = catalog.create_product(
            item.name, item.sku, item.base_price,
            variants=[catalog.VariantData(v.sku, v.attributes, price=v.price, weight_grams=v.weight_grams,
                                          barcode=v.barcode) for v in variants],
            brand=item.brand, barcode=item.barcode, cost=item.cost, status=item.status)
        return {"sku": item.sku, "created": True}
    for key, value in core_fields.items():
        setattr(product, key, value)
    by_sku = {v.sku: v for v in product.variants}
    for data_variant in variants:
        variant = by_sku.get(data_variant.sku)
        if variant is None:
            variant = Variant(sku=data_variant.sku, position=len(product.variants))
            product.variants.append(variant)
        changed_options = variant.attributes != data_variant.attributes
        variant.attributes = dict(data_variant.attributes)
        variant.price, variant.barcode = data_variant.price, data_variant.barcode
        variant.weight_grams = data_variant.weight_grams
        db.session.flush()
        if changed_options:
            _set_options(variant)
    catalog.refresh_listing(product)
    db.session.flush()
    return {"sku": item.sku, "created": False}
