"""The catalog write path for products that arrive by SKU from outside: the CSV import's
batches and the core system's sync. Each is an upsert, so a repeated run changes nothing.

Refusals come before any write; helpers flush, the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from app.catalog.models import Product, SlugRedirect, Variant, VariantOption
from app.catalog.services import (
    InputErrors,
    VariantData,
    changes,
    create_product,
    refresh_listing,
    sanitize_html,
    set_variants,
    slugify,
    write_options,
)
from app.core.db import current_tenant_id, utcnow
from app.extensions import db

IMPORTED_VARIANT_FIELDS = ("attributes", "price", "compare_at_price", "weight_grams", "barcode")
CORE_VARIANT_FIELDS = ("attributes", "price", "weight_grams", "barcode")  # the rest is the shop's
# Every column a new product's INSERT sets when the file has no column for it (the rows of
# one multi-row INSERT share their columns). ``in_stock`` is left to its default: inventory's.
NEW_PRODUCT = {"brand": "", "barcode": "", "cost": 0, "status": "active", "category_id": None, "seo_title": "",
               "seo_description": "", "canonical_url": "", "noindex": False, "web_description": "", "visible": True,
               "featured": False, "sort_order": 0, "price_override": None}


@dataclass
class ImportedProduct:
    """One product of an import: the product fields its file has columns for (a raw
    ``description`` among them), and its variant rows."""

    sku: str
    values: dict
    variants: list[VariantData] = field(default_factory=list)


@dataclass
class Upserted:
    before: dict  # the changed fields of updated products, by SKU, for the audit log
    after: dict  # ... and of created products ({"created": True, ...})
    created: int = 0
    updated: int = 0  # products that actually changed


def upsert_batch(items: list[ImportedProduct], slugs: set[str]) -> Upserted:
    """Create or update one batch of products by SKU. ``slugs`` holds the slugs this run
    has given so far (it grows). Variants missing from a product's rows stay as they are."""
    existing = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_([i.sku for i in items])).options(selectinload(Product.variants)))}
    result = Upserted({}, {})
    retagged: list[Variant] = []
    for item in items:
        product = existing.get(item.sku)
        if product is None:
            continue
        values = _columns(item.values)
        old = {k: getattr(product, k) for k in values}
        by_sku = {v.sku: v for v in product.variants}
        old.update({f"variant:{d.sku}": _variant_values(by_sku[d.sku]) for d in item.variants if d.sku in by_sku})
        retagged += set_variants(product, item.variants, IMPORTED_VARIANT_FIELDS)
        for k, v in values.items():
            setattr(product, k, v)
        refresh_listing(product)  # before the flush: one UPDATE per changed product
        new = {k: getattr(product, k) for k in values}
        by_sku = {v.sku: v for v in product.variants}
        new.update({f"variant:{d.sku}": _variant_values(by_sku[d.sku]) for d in item.variants})
        was, now = changes(old, new)
        if now:
            result.before[item.sku], result.after[item.sku] = was, now
            result.updated += 1
    db.session.flush()
    write_options(retagged)
    fresh = [i for i in items if i.sku not in existing]
    if fresh:
        result.after.update(_insert_new(fresh, slugs))
        result.created += len(fresh)
    return result


def _columns(values: dict) -> dict:
    """The product columns an import sets: the description is sanitised like the editor's."""
    columns = {k: v for k, v in values.items() if k != "description"}
    if "description" in values:
        columns["web_description"] = sanitize_html(values["description"])
    return columns


def _variant_values(variant: Variant) -> dict:
    return {name: getattr(variant, name) for name in IMPORTED_VARIANT_FIELDS}


def _taken_slugs(names: list[str]) -> set[str]:
    """Which of these names' slugs the database already has: one query per batch, not
    two per product."""
    wanted = {slugify(n) for n in names}
    return set(db.session.scalars(select(Product.slug).where(Product.slug.in_(wanted)))) | set(
        db.session.scalars(select(SlugRedirect.old_slug).where(SlugRedirect.old_slug.in_(wanted))))


def _free_slug(name: str, run: set[str], in_database: set[str]) -> str:
    base = slug = slugify(name)
    n = 1
    while slug in run or slug in in_database or (slug != base and (
            db.session.scalar(select(Product.id).where(Product.slug == slug)) is not None
            or db.session.scalar(select(SlugRedirect.id).where(SlugRedirect.old_slug == slug)) is not None)):
        n += 1
        slug = f"{base}-{n}"
    run.add(slug)
    return slug


def _insert_new(fresh: list[ImportedProduct], slugs: set[str]) -> dict:
    """New products as multi-row INSERTs, as the demo seed does: the ORM unit of work
    inserted them one statement per row (17 s for 5 000 products with their variants).
    Core inserts skip the session hooks, so every row carries the current tenant here."""
    tenant_id, now = current_tenant_id(), utcnow()
    in_database = _taken_slugs([item.values["name"] for item in fresh])
    products, plans, audit_after = [], [], {}
    for item in fresh:
        values = {**NEW_PRODUCT, **_columns(item.values)}
        variants = item.variants or [VariantData(sku=item.sku)]
        override, base = values["price_override"], values["base_price"]
        # The read model, by refresh_listing's rule (override, else variant, else base).
        prices = [override if override is not None else (v.price if v.price is not None else base) for v in variants]
        values.update(tenant_id=tenant_id, sku=item.sku, slug=_free_slug(values["name"], slugs, in_database),
                      listed=values["status"] == "active" and values["visible"], price=min(prices),
                      created_at=now, updated_at=now)
        products.append(values)
        plans.append((item.sku, variants))
        audit_after[item.sku] = {"created": True, "name": values["name"], "base_price": base}
    table = Product.__table__
    ids = dict((sku, id_) for id_, sku in db.session.execute(insert(table).returning(table.c.id, table.c.sku),
                                                              products))
    variant_rows = [{"tenant_id": tenant_id, "product_id": ids[sku], "sku": v.sku, "attributes": dict(v.attributes),
                     "price": v.price, "compare_at_price": v.compare_at_price, "weight_grams": v.weight_grams,
                     "barcode": v.barcode, "image_id": None, "position": position, "active": True}
                    for sku, variants in plans for position, v in enumerate(variants)]
    table = Variant.__table__
    variant_ids = dict((sku, id_) for id_, sku in db.session.execute(
        insert(table).returning(table.c.id, table.c.sku), variant_rows))
    options = [{"tenant_id": tenant_id, "variant_id": variant_ids[row["sku"]], "product_id": row["product_id"],
                "name": name, "value": value} for row in variant_rows for name, value in row["attributes"].items()]
    if options:
        db.session.execute(insert(VariantOption.__table__), options)
    return audit_after


def upsert_core_product(sku: str, *, name: str, base_price: int, brand: str, barcode: str, cost: int, status: str,
                        variants: list[VariantData]) -> bool:
    """Create the product, or update only the core's fields (these arguments, and the
    variants' attributes, price, weight and barcode): the shop's web fields (slug, SEO,
    description, visibility, featuring, order, price override, category, images) stay as
    the shop set them. Variants the core no longer sends are left alone. Returns whether
    the product was created; InputErrors, before any write, if a variant SKU belongs to
    another product."""
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    # A new product without variants gets one carrying its own SKU (as create_product does).
    variants = variants or ([] if product else [VariantData(sku=sku)])
    owners = dict(db.session.execute(
        select(Variant.sku, Variant.product_id).where(Variant.sku.in_([v.sku for v in variants]))).all())
    if any(owner != (product.id if product else None) for owner in owners.values()):
        raise InputErrors({"variants": "taken"})
    if product is None:
        create_product(name, sku, base_price, variants=variants, brand=brand, barcode=barcode, cost=cost,
                       status=status)
        return True
    product.name, product.brand, product.barcode = name, brand, barcode
    product.base_price, product.cost, product.status = base_price, cost, status
    retagged = set_variants(product, variants, CORE_VARIANT_FIELDS)
    refresh_listing(product)
    db.session.flush()
    write_options(retagged)
    return False
