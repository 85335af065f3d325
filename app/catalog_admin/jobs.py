"""CSV imports: a dry run stored as an :class:`ImportJob`, then a background run that
upserts by SKU in batches, committing its progress after each one (the page polls it).

The run checks the file again first (the catalog may have changed since the preview);
"all rows" mode then refuses to start if any row is bad, so a bad file imports nothing.
A run is safe to repeat: every row is an upsert by SKU.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from app.catalog import services as catalog
from app.catalog.models import Category, ImportJob, Product, SlugRedirect, Variant, VariantOption
from app.catalog_admin.importer import ERROR_LIMIT, Checked, ParsedRow, category_ids_by_path, check, decode
from app.catalog_admin.services import VariantInput, changes, next_position
from app.core.db import current_tenant_id, utcnow
from app.core.jobs import enqueue, redis_connection
from app.core.jobs import run as run_job
from app.extensions import db
from app.staff.models import StaffUser
from app.staff.services import audit
from app.tenancy.settings import current_tenant

BATCH = 250  # products per transaction: progress moves, and no lock is held for long
MODES = ("all", "valid")
VARIANT_FIELDS = ("attributes", "price", "compare_at_price", "weight_grams", "barcode")
# Every column a new product's INSERT sets when the file has no column for it.
NEW_PRODUCT = {"brand": "", "barcode": "", "cost": 0, "status": "active", "category_id": None, "seo_title": "",
               "seo_description": "", "canonical_url": "", "noindex": False, "web_description": "", "visible": True,
               "featured": False, "sort_order": 0, "price_override": None, "in_stock": False, "sales_count": 0,
               "version": 1}


class ImportRefused(ValueError):
    """The job is not in a state (or mode) that allows this."""


def _record(job: ImportJob, checked: Checked) -> None:
    job.total_rows, job.valid_rows = checked.total_rows, checked.valid_rows
    job.error_count = len(checked.errors)
    job.errors = checked.errors[:ERROR_LIMIT]
    job.new_categories = checked.new_categories
    job.created_count = checked.to_create  # expected, until the run counts what it did
    job.updated_count = len(checked.valid_groups) - checked.to_create
    job.message = ", ".join(checked.ignored_columns)[:500]


def preview_import(actor, filename: str, data: bytes) -> ImportJob:
    """Check the file (dry run) and keep it for the run. Raises FileRefused."""
    text = decode(data)
    checked = check(text, current_tenant().currency)
    job = ImportJob(staff_id=actor.id, filename=filename[:200], content=text)
    _record(job, checked)
    db.session.add(job)
    db.session.commit()
    return job


def start_import(actor, job_id: int, mode: str) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise LookupError(job_id)
    # A failed or stalled run may be started again: every row is an upsert by SKU.
    if mode not in MODES or not (job.status in ("previewed", "failed") or job.stalled):
        raise ImportRefused("state")
    if mode == "all" and job.error_count:
        raise ImportRefused("errors")
    if job.valid_rows == 0:
        raise ImportRefused("empty")
    job.mode, job.status = mode, "queued"
    audit(actor, "catalog.import_start", "import", job.id,
          after={"filename": job.filename, "mode": mode, "rows": job.valid_rows})
    enqueue("app.catalog_admin.jobs.run_import", job.id)
    db.session.commit()
    return job


def run_import(job_id: int) -> None:
    """Job entry point. With RQ it runs in a worker. Without Redis the in-process runner
    would hold the staff's request until the last row, and the progress bar would never
    show: the run moves to a thread of its own instead (tests keep it synchronous)."""
    app = current_app._get_current_object()
    if redis_connection(app) is None and app.config["CATALOG_IMPORT_THREAD"]:
        threading.Thread(target=run_job, args=("app.catalog_admin.jobs.process_import", current_tenant_id(), job_id),
                         kwargs={"app": app}, daemon=True, name=f"catalog-import-{job_id}").start()
        return
    process_import(job_id)


def process_import(job_id: int) -> str:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return "skipped"  # done, failed or never confirmed: a repeated job does nothing
    job.status, job.processed_rows, job.created_count, job.updated_count = "running", 0, 0, 0
    db.session.commit()
    try:
        _run(job)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("catalog import %s failed", job_id)  # the details, for us
        job = db.session.get(ImportJob, job_id)
        job.status, job.message, job.finished_at = "failed", type(exc).__name__, utcnow()
        db.session.commit()
        return "failed"
    return "done"


def _run(job: ImportJob) -> None:
    actor = db.session.get(StaffUser, job.staff_id) if job.staff_id else None
    actor = actor or SimpleNamespace(id=None, email="import")
    checked = check(job.content, current_tenant().currency)
    if job.mode == "all" and checked.errors:
        _record(job, checked)
        job.status, job.finished_at = "failed", utcnow()
        job.message = "errors"  # the catalog changed since the preview: nothing was imported
        db.session.commit()
        return
    categories = _ensure_categories(checked)
    groups = checked.valid_groups
    job.valid_rows = checked.valid_rows  # the progress bar's goal, as of now
    slugs: set[str] = set()
    for i in range(0, len(groups), BATCH):
        chunk = groups[i:i + BATCH]
        before, after = _apply(chunk, checked, categories, slugs, job)
        job.processed_rows += sum(len(rows) for _, rows in chunk)
        audit(actor, "catalog.import_batch", "import", job.id, before=before, after=after)
        db.session.commit()
    job.status, job.finished_at, job.content = "done", utcnow(), ""  # the file is not needed any more
    db.session.commit()


def _ensure_categories(checked: Checked) -> dict[str, int]:
    by_path = category_ids_by_path()
    for path in checked.new_categories:  # parents come first (sorted by depth)
        parts = path.split(" > ")
        if path.lower() in by_path:
            continue
        parent_id = by_path.get(" > ".join(parts[:-1]).lower()) if len(parts) > 1 else None
        parent = db.session.get(Category, parent_id) if parent_id else None
        slug = base = catalog.slugify(parts[-1], 120)
        n = 1
        while db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
            n += 1
            slug = f"{base}-{n}"
        category = catalog.create_category(parts[-1], parent, slug=slug, position=next_position(parent_id))
        by_path[path.lower()] = category.id
    return by_path


def _taken_slugs(names: list[str]) -> set[str]:
    """Which of these names' slugs the database already has: one query per batch, not
    two per product."""
    wanted = {catalog.slugify(n) for n in names}
    return set(db.session.scalars(select(Product.slug).where(Product.slug.in_(wanted)))) | set(
        db.session.scalars(select(SlugRedirect.old_slug).where(SlugRedirect.old_slug.in_(wanted))))


def _free_slug(name: str, run: set[str], in_database: set[str]) -> str:
    base = slug = catalog.slugify(name)
    n = 1
    while slug in run or slug in in_database or (slug != base and (
            db.session.scalar(select(Product.id).where(Product.slug == slug)) is not None
            or db.session.scalar(select(SlugRedirect.id).where(SlugRedirect.old_slug == slug)) is not None)):
        n += 1
        slug = f"{base}-{n}"
    run.add(slug)
    return slug


def _values(first: ParsedRow, categories: dict[str, int]) -> dict:
    values = {k: v for k, v in first.product.items() if k != "description"}
    if "description" in first.product:
        values["web_description"] = catalog.sanitize_html(first.product["description"])
    if first.category is not None:
        values["category_id"] = categories.get(first.category.lower()) if first.category else None
    return values


def _variant_values(variant: Variant) -> dict:
    return {name: getattr(variant, name) for name in VARIANT_FIELDS}


def _apply(chunk, checked: Checked, categories: dict[str, int], slugs: set[str], job: ImportJob):
    """Upsert one batch of products; returns the audit's changed fields by SKU."""
    existing = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_([sku for sku, _ in chunk])).options(selectinload(Product.variants)))}
    before, after = {}, {}
    new_variants: list[Variant] = []
    retagged: list[Variant] = []
    fresh = [(sku, rows) for sku, rows in chunk if sku not in existing]
    for sku, rows in chunk:
        product = existing.get(sku)
        if product is None:
            continue
        values = _values(rows[0], categories)
        variant_rows = [r.variant for r in rows if r.variant]
        old = {k: getattr(product, k) for k in values}
        by_sku = {v.sku: v for v in product.variants}
        for data in variant_rows:
            variant = by_sku.get(data.sku)
            if variant is None:
                variant = Variant(sku=data.sku, position=len(product.variants), active=True)
                product.variants.append(variant)
                new_variants.append(variant)
            else:
                old[f"variant:{data.sku}"] = _variant_values(variant)
                if variant.attributes != data.attributes:
                    retagged.append(variant)
            for k in VARIANT_FIELDS:
                setattr(variant, k, getattr(data, k) if k != "attributes" else dict(data.attributes))
        for k, v in values.items():
            setattr(product, k, v)
        catalog.refresh_listing(product)  # before the flush: one UPDATE per changed product
        new = {k: getattr(product, k) for k in values}
        now_by_sku = {v.sku: v for v in product.variants}
        new.update({f"variant:{d.sku}": _variant_values(now_by_sku[d.sku]) for d in variant_rows})
        was, now = changes(old, new)
        if now:
            before[sku], after[sku] = was, now
            job.updated_count += 1
    db.session.flush()
    if retagged:
        db.session.execute(delete(VariantOption).where(VariantOption.variant_id.in_([v.id for v in retagged]))
                           .execution_options(synchronize_session=False))
    db.session.add_all(VariantOption(variant_id=v.id, product_id=v.product_id, name=k, value=val)
                       for v in new_variants + retagged for k, val in v.attributes.items())
    if fresh:
        after.update(_insert_new(fresh, categories, slugs))
        job.created_count += len(fresh)
    return before, after


def _insert_new(fresh, categories: dict[str, int], slugs: set[str]) -> dict:
    """New products as multi-row INSERTs, as the demo seed does: the ORM unit of work
    inserted them one statement per row (17 s for 5 000 products with their variants).
    Core inserts skip the session hooks, so every row carries the current tenant here."""
    tenant_id, now = current_tenant_id(), utcnow()
    in_database = _taken_slugs([rows[0].product["name"] for _, rows in fresh])
    products, plans, audit_after = [], [], {}
    for sku, rows in fresh:
        values = {**NEW_PRODUCT, **_values(rows[0], categories)}
        variants = [r.variant for r in rows if r.variant] or [VariantInput(sku=sku)]
        override, base = values["price_override"], values["base_price"]
        # The read model, by catalog.refresh_listing's rule (override, else variant, else base).
        prices = [override if override is not None else (v.price if v.price is not None else base) for v in variants]
        values.update(tenant_id=tenant_id, sku=sku, slug=_free_slug(values["name"], slugs, in_database),
                      listed=values["status"] == "active" and values["visible"], price=min(prices),
                      created_at=now, updated_at=now)
        products.append(values)
        plans.append((sku, variants))
        audit_after[sku] = {"created": True, "name": values["name"], "base_price": base}
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
