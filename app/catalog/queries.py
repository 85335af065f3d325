"""Catalog reads for the shop: the filtered listing with facets, and the product page."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app.catalog.models import Category, Product, Tag, Variant, VariantOption, product_tags
from app.catalog.search import match_clause
from app.core.cache import TenantCache
from app.core.money import MoneyError, parse_major
from app.extensions import db

SORTS = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "price_asc": (Product.price.asc(), Product.id.asc()),
    "price_desc": (Product.price.desc(), Product.id.desc()),
    "name": (Product.name.asc(), Product.id.asc()),
    "best": (Product.sales_count.desc(), Product.id.desc()),
}
# Attribute facets are counted when the filtered set is at most this big; above it the
# shopper is asked to narrow by category first (the counts would cost a full scan).
ATTRIBUTE_FACET_LIMIT = 5000
MAX_PAGE = 1000


@dataclass
class ListingFilters:
    q: str = ""
    category: Category | None = None
    tag: Tag | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    options: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "newest"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    # The category and its descendants, as literal ids: both planners then pick the
    # category index (a subquery on the path hid its selectivity from them).
    category_ids: list[int] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: MultiDict, currency: str, category: Category | None = None) -> ListingFilters:
        """Parse query arguments; bad values are dropped and reported, never fatal."""
        f = cls(q=(args.get("q") or "").strip()[:100], category=category, in_stock=args.get("in_stock") == "1")
        if f.category is None and args.get("category"):
            f.category = db.session.scalar(
                select(Category).where(Category.slug == args["category"], Category.visible.is_(True))
            )
        if f.category is not None:
            f.category_ids = list(db.session.scalars(
                select(Category.id).where(Category.path.startswith(f.category.path))))
        if args.get("tag"):
            f.tag = db.session.scalar(select(Tag).where(Tag.slug == args["tag"]))
        for key in ("min", "max"):
            raw = (args.get(key) or "").strip()
            if raw:
                try:
                    setattr(f, f"{key}_price", parse_major(raw, currency))
                except MoneyError:
                    f.errors[key] = "price"
        for raw in args.getlist("opt")[:20]:
            name, sep, value = raw.partition(":")
            if sep and name and value:
                f.options.setdefault(name[:40], []).append(value[:60])
        default_sort = "best" if f.q else "newest"
        f.sort = args.get("sort") if args.get("sort") in SORTS else default_sort
        try:
            f.page = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
        except ValueError:
            f.page = 1
        return f

    def count_key(self) -> tuple:
        """What the counts depend on (not the sort, not the page)."""
        return (self.q, self.category and self.category.id, self.tag and self.tag.id, self.min_price,
                self.max_price, self.in_stock, tuple(sorted((k, tuple(sorted(v))) for k, v in self.options.items())))

    def is_selected(self, name: str, value: str) -> bool:
        return value in self.options.get(name, [])


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    name: str
    count: int


@dataclass
class Facets:
    """Plain values only: facets outlive the session that computed them (facet_cache)."""

    categories: list[CategoryCount]
    options: dict[str, list[tuple[str, int]]]
    options_skipped: bool
    in_stock_count: int


@dataclass
class ListingPage:
    products: list[Product]
    total: int
    page: int
    pages: int
    facets: Facets


def _conditions(f: ListingFilters, *, with_options: bool = True) -> list:
    """WHERE clauses on ``products`` for the filters (applied directly: no self-subquery,
    so SQLite and PostgreSQL can walk the listing indexes)."""
    where = [Product.listed.is_(True)]
    if f.category is not None:
        where.append(Product.category_id.in_(f.category_ids))
    if f.tag is not None:
        where.append(Product.id.in_(select(product_tags.c.product_id).where(product_tags.c.tag_id == f.tag.id)))
    if f.min_price is not None:
        where.append(Product.price >= f.min_price)
    if f.max_price is not None:
        where.append(Product.price <= f.max_price)
    if f.in_stock:
        where.append(Product.in_stock.is_(True))
    if f.q:
        clause = match_clause(f.q)
        if clause is not None:
            where.append(clause)
    if with_options:
        for name, values in f.options.items():
            where.append(Product.id.in_(
                select(VariantOption.product_id).where(VariantOption.name == name, VariantOption.value.in_(values))
            ))
    return where


def _facet_parents(f: ListingFilters) -> list[Category]:
    parent_filter = Category.parent_id == f.category.id if f.category else Category.parent_id.is_(None)
    return list(db.session.scalars(
        select(Category).where(parent_filter, Category.visible.is_(True)).order_by(Category.position, Category.name)
    ))


# Counts and facets may lag the catalog by a minute; the page of products never does.
facet_cache = TenantCache(ttl=60)


def _facets(f: ListingFilters) -> tuple[int, Facets]:
    # One grouped scan of the covering index gives the total, the in-stock count and
    # the category facet.
    grouped = db.session.execute(
        select(Product.category_id, Product.in_stock, func.count()).where(*_conditions(f))
        .group_by(Product.category_id, Product.in_stock)
    ).all()
    total = sum(n for _, _, n in grouped)
    in_stock_count = sum(n for _, stocked, n in grouped if stocked)
    paths = dict(db.session.execute(select(Category.id, Category.path)).all())
    category_counts = []
    for child in _facet_parents(f):
        n = sum(count for cat_id, _, count in grouped if cat_id and paths.get(cat_id, "").startswith(child.path))
        if n:
            category_counts.append(CategoryCount(child.slug, child.name, n))
    options: dict[str, list[tuple[str, int]]] = {}
    skipped = total > ATTRIBUTE_FACET_LIMIT
    if not skipped and total:
        rows = db.session.execute(
            select(VariantOption.name, VariantOption.value, func.count(func.distinct(VariantOption.product_id)))
            .where(VariantOption.product_id.in_(select(Product.id).where(*_conditions(f, with_options=False))))
            .group_by(VariantOption.name, VariantOption.value)
            .order_by(VariantOption.name, VariantOption.value)
        )
        for name, value, n in rows:
            options.setdefault(name, []).append((value, n))
    return total, Facets(category_counts, options, skipped, in_stock_count)


def list_products(f: ListingFilters, page_size: int) -> ListingPage:
    total, facets = facet_cache.get_or_compute(f.count_key(), lambda: _facets(f))
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(f.page, pages)
    products = list(db.session.scalars(
        select(Product)
        .where(*_conditions(f))
        .options(selectinload(Product.images))
        .order_by(*SORTS[f.sort])
        .limit(page_size)
        .offset((page - 1) * page_size)
    ))
    return ListingPage(products, total, page, pages, facets)


def featured_products(limit: int = 8) -> list[Product]:
    return list(db.session.scalars(
        select(Product).where(Product.listed.is_(True), Product.featured.is_(True))
        .options(selectinload(Product.images)).order_by(Product.sort_order, Product.id).limit(limit)
    ))


def newest_products(limit: int = 8) -> list[Product]:
    return list(db.session.scalars(
        select(Product).where(Product.listed.is_(True)).options(selectinload(Product.images))
        .order_by(*SORTS["newest"]).limit(limit)
    ))


def root_categories() -> list[Category]:
    return list(db.session.scalars(
        select(Category).where(Category.parent_id.is_(None), Category.visible.is_(True))
        .order_by(Category.position, Category.name)
    ))


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug, Category.visible.is_(True)))


def breadcrumbs(category: Category | None) -> list[Category]:
    if category is None:
        return []
    ids = [int(i) for i in category.path.strip("/").split("/") if i]
    by_id = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def product_by_slug(slug: str) -> Product | None:
    return db.session.scalar(
        select(Product).where(Product.slug == slug, Product.listed.is_(True))
        .options(selectinload(Product.variants).selectinload(Variant.image), selectinload(Product.images))
    )


def pick_variant(product: Product, variant_id: str | None, picks: dict[str, str]) -> Variant | None:
    """The variant asked for by id, else the one matching most picked attribute values."""
    variants = [v for v in product.variants if v.active]
    if not variants:
        return None
    if variant_id and variant_id.isdigit():
        for v in variants:
            if v.id == int(variant_id):
                return v
    if picks:
        return max(variants, key=lambda v: (sum(v.attributes.get(k) == val for k, val in picks.items()),
                                            -v.position))
    return variants[0]


def option_values(product: Product) -> dict[str, list[str]]:
    """{"Taille": ["S", "M"], ...} in the variants' order, for the picker."""
    values: dict[str, list[str]] = {}
    for v in product.variants:
        if v.active:
            for k, val in v.attributes.items():
                if val not in values.setdefault(k, []):
                    values[k].append(val)
    return values


def related_products(product: Product, limit: int = 4) -> list[Product]:
    if product.category_id is None:
        return []
    return list(db.session.scalars(
        select(Product)
        .where(Product.listed.is_(True), Product.category_id == product.category_id, Product.in_stock.is_(True),
               Product.id != product.id)
        .options(selectinload(Product.images))
        .order_by(Product.sales_count.desc())
        .limit(limit)
    ))

