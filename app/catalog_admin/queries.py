"""Catalog reads for the back-office: the product list and the category tree.

The list is keyset-paged on the product id (``after`` / ``before``), newest first: each
page is one walk down the ``(tenant_id, id)`` index that stops after a page of rows, so a
100 000-product catalog answers as fast as a small one, at any depth. No total count is
taken (that would be a scan of the whole tenant on every request).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Integer, column, select, table, text
from sqlalchemy.orm import defer, selectinload
from werkzeug.datastructures import MultiDict

from app.catalog.models import Category, ImportJob, Product, Variant
from app.catalog.search import match_clause, tokens
from app.extensions import db

PAGE_SIZE = 50
VISIBILITIES = ("all", "listed", "hidden", "draft", "archived")  # "" = everything but archived
STOCKS = ("in", "out")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None  # within int4


@dataclass
class AdminFilters:
    q: str = ""
    category_id: int | None = None
    visibility: str = ""
    stock: str = ""
    after: int | None = None
    before: int | None = None
    category_ids: list[int] = field(default_factory=list)
    exact_ids: list[int] = field(default_factory=list)  # products with exactly this SKU

    @classmethod
    def from_args(cls, args: MultiDict) -> AdminFilters:
        """Unknown or malformed values are dropped: a filter never answers 500."""
        f = cls(q=(args.get("q") or "").strip()[:100], category_id=_int(args.get("category")),
                visibility=args.get("visibility") if args.get("visibility") in VISIBILITIES else "",
                stock=args.get("stock") if args.get("stock") in STOCKS else "",
                after=_int(args.get("after")), before=_int(args.get("before")))
        f.exact_ids = exact_sku_ids(f.q)
        if f.category_id is not None:
            category = db.session.get(Category, f.category_id)  # scoped to the tenant
            if category is None:
                f.category_id = None
            else:
                f.category_ids = list(db.session.scalars(
                    select(Category.id).where(Category.path.startswith(category.path))))
        return f

    def args(self, **changes) -> dict:
        """Query arguments of this filter set (for links), with some changed."""
        values = {"q": self.q, "category": self.category_id, "visibility": self.visibility, "stock": self.stock}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def exact_sku_ids(q: str) -> list[int]:
    """Products whose own or one of whose variants' SKU is exactly ``q`` (a scanned
    barcode label, a SKU pasted from an order): two unique-index lookups."""
    if not q or " " in q:
        return []
    return list(db.session.scalars(
        select(Product.id).where(Product.sku == q)
        .union(select(Variant.product_id).where(Variant.sku == q))))


def conditions(f: AdminFilters, *, text_search: bool = True) -> list:
    """WHERE clauses on ``products``. The ``listed`` terms are implied by the filters but
    spelt out: they let the category and "not listed" filters walk the listing indexes."""
    where = []
    if f.q:
        if f.exact_ids:
            where.append(Product.id.in_(f.exact_ids))
        elif text_search:
            clause = match_clause(f.q)
            where.append(clause if clause is not None else Product.id.is_(None))
    if f.visibility == "listed":
        where.append(Product.listed.is_(True))
    elif f.visibility in ("hidden", "draft", "archived"):
        where.append(Product.listed.is_(False))
        if f.visibility == "hidden":
            # The visibility flag alone (an archived product can carry it too): a third
            # term on status made SQLite's planner give up the index for a full scan.
            where.append(Product.visible.is_(False))
        else:
            where.append(Product.status == f.visibility)
    elif f.category_id is not None:
        where.append(Product.listed.in_([False, True]))
    if f.visibility == "":
        where.append(Product.status != "archived")
    if f.category_id is not None:
        where.append(Product.category_id.in_(f.category_ids))
    if f.stock:
        where.append(Product.in_stock.is_(f.stock == "in"))
    return where


@dataclass
class AdminPage:
    products: list[Product]
    next_after: int | None  # id for the "next" link, None on the last page
    prev_before: int | None  # id for the "previous" link, None on the first page


# Reviewed for scoping: the FTS table has no tenant column; it is joined to ``products``,
# which the session hook scopes to the current tenant.
_FTS = table("product_search", column("rowid", Integer))


def _statement(f: AdminFilters):
    """The page query, the column it is keyset-paged on, and the expression it is
    ordered by.

    SQLite: a text search walks the full-text index in rowid order (newest first) and
    stops after a page, instead of sorting every match. A "not listed" filter (hidden,
    draft, archived: usually a handful of products) orders by ``id + 0``, which no index
    provides, so the planner takes the listing index on ``listed`` and sorts the few rows
    instead of walking the whole tenant in id order looking for them. (The category filter
    gets there by itself: its ``listed IN (0, 1)`` term fits the category index.)"""
    sqlite = db.engine.dialect.name == "sqlite"
    words = tokens(f.q)
    if sqlite and words and not f.exact_ids:
        query = " ".join(f'"{w}"*' for w in words)
        stmt = select(Product).where(*conditions(f, text_search=False)).join(_FTS, _FTS.c.rowid == Product.id).where(
            text("product_search MATCH :fts_query").bindparams(fts_query=query))
        return stmt, _FTS.c.rowid, _FTS.c.rowid
    stmt = select(Product).where(*conditions(f))
    if sqlite and f.visibility in ("hidden", "draft", "archived"):
        return stmt, Product.id, Product.id + 0
    return stmt, Product.id, Product.id


def product_page(f: AdminFilters, size: int = PAGE_SIZE) -> AdminPage:
    stmt, key, order = _statement(f)
    stmt = stmt.options(selectinload(Product.images), selectinload(Product.category)).limit(size + 1)
    if f.before is not None:
        rows = list(db.session.scalars(stmt.where(key > f.before).order_by(order.asc())))
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return AdminPage(rows, rows[-1].id if rows else None, rows[0].id if rows and more_before else None)
    if f.after is not None:
        stmt = stmt.where(key < f.after)
    rows = list(db.session.scalars(stmt.order_by(order.desc())))
    more_after = len(rows) > size
    rows = rows[:size]
    return AdminPage(rows, rows[-1].id if rows and more_after else None,
                     rows[0].id if rows and f.after is not None else None)


EXPORT_COLUMNS = (Product.id, Product.sku, Product.name, Product.category_id, Product.base_price, Product.cost,
                  Product.price_override, Product.status, Product.visible, Product.featured, Product.sort_order,
                  Product.brand, Product.barcode, Product.seo_title, Product.seo_description, Product.web_description)
VARIANT_EXPORT_COLUMNS = (Variant.product_id, Variant.sku, Variant.attributes, Variant.price, Variant.compare_at_price,
                          Variant.weight_grams, Variant.barcode)


def export_batches(f: AdminFilters, batch: int = 1000) -> Iterator[list[tuple]]:
    """Every product the filters select, oldest first, as (product row, [variant rows]),
    a batch at a time (keyset on id). Plain rows, not ORM objects: a 100 000-product
    export neither fills the session nor pays for 270 000 instances."""
    last = 0
    while True:
        products = db.session.execute(select(*EXPORT_COLUMNS).where(*conditions(f), Product.id > last)
                                      .order_by(Product.id).limit(batch)).all()
        if not products:
            return
        variants: dict[int, list] = {}
        for v in db.session.execute(select(*VARIANT_EXPORT_COLUMNS)
                                    .where(Variant.product_id.in_([p.id for p in products]))
                                    .order_by(Variant.product_id, Variant.position, Variant.id)):
            variants.setdefault(v.product_id, []).append(v)
        yield [(p, variants.get(p.id, [])) for p in products]
        last = products[-1].id


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, depth-first, siblings by position then name."""
    categories = list(db.session.scalars(select(Category).order_by(Category.position, Category.name, Category.id)))
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Category, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for c in children.get(parent_id, []):
            out.append((c, depth))
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


def category_paths() -> dict[int, str]:
    """{id: "Vêtements > Chemises"}: the names CSV files use for categories."""
    tree = category_tree()
    by_id = {c.id: c for c, _ in tree}
    return {c.id: " > ".join(by_id[int(i)].name for i in c.path.strip("/").split("/") if int(i) in by_id)
            for c, _ in tree}


def product_for_edit(product_id: int) -> Product | None:
    return db.session.scalar(select(Product).where(Product.id == product_id)
                             .options(selectinload(Product.variants), selectinload(Product.images)))


def import_job(job_id: int) -> ImportJob | None:
    # The progress fragment asks every second: leave the uploaded file in the database.
    return db.session.get(ImportJob, job_id, options=[defer(ImportJob.content)])


def recent_imports(limit: int = 10) -> list[ImportJob]:
    return list(db.session.scalars(select(ImportJob).options(defer(ImportJob.content))
                                   .order_by(ImportJob.id.desc()).limit(limit)))
