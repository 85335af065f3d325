"""The catalog write path: products, variants and their option rows, images, slugs.

With :mod:`app.catalog.categories` (the tree) and :mod:`app.catalog.upserts` (the CSV
import's and the core sync's upserts by SKU), this is the only code that creates or
changes catalog rows: the back-office, the import job, the sync and the checkout's sales
count all go through it. ``in_stock`` is not ours: inventory keeps it. Refusals are
raised before the first flush; helpers flush, the caller commits (or rolls back what a
refusal left unflushed).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3
from sqlalchemy import delete, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.catalog.media import store_image
from app.catalog.models import Category, Product, ProductImage, SlugRedirect, Tag, Variant, VariantOption
from app.core.db import current_tenant_id, utcnow
from app.extensions import db

STATUSES = ("draft", "active", "archived")
# Fields the audit log compares before and after (web fields and core fields alike).
AUDITED = ("name", "sku", "brand", "barcode", "base_price", "cost", "status", "category_id", "slug", "seo_title",
           "seo_description", "canonical_url", "noindex", "web_description", "visible", "featured", "sort_order",
           "price_override")
# What each writer sets on a variant: the editor everything, the core its own fields.
EDITOR_VARIANT_FIELDS = ("sku", "attributes", "price", "compare_at_price", "weight_grams", "barcode", "active")


class CatalogError(ValueError):
    pass


class InputErrors(ValueError):
    """Input the database refuses (a SKU or slug already taken): {field name: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class ProductChanged(Exception):
    """Someone saved the product after this editor loaded it: nothing was written."""

    def __init__(self, product_id: int):
        super().__init__(product_id)
        self.product_id = product_id


@dataclass
class VariantData:
    sku: str
    attributes: dict[str, str] = field(default_factory=dict)
    price: int | None = None
    compare_at_price: int | None = None
    weight_grams: int = 0
    barcode: str = ""
    id: int | None = None  # the editor's row: an existing variant (its SKU may change)
    active: bool = True  # the editor's switch; a created variant always starts active


@dataclass
class ProductInput:
    name: str
    sku: str
    base_price: int
    brand: str = ""
    barcode: str = ""
    cost: int = 0
    status: str = "active"
    category_id: int | None = None
    slug: str = ""
    seo_title: str = ""
    seo_description: str = ""
    canonical_url: str = ""
    noindex: bool = False
    description: str = ""
    visible: bool = True
    featured: bool = False
    sort_order: int = 0
    price_override: int | None = None
    variants: list[VariantData] = field(default_factory=list)


def slugify(text: str, max_length: int = 200) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "produit"


def sanitize_html(html: str) -> str:
    """Rich descriptions keep formatting tags only; scripts, styles and handlers go."""
    return nh3.clean(html or "", tags={"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a", "b", "i"},
                     attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"})


def category_by_id(category_id: int | None, field_name: str = "category_id") -> Category | None:
    if category_id is None:
        return None
    category = db.session.get(Category, category_id)  # scoped: another tenant's id is None
    if category is None:
        raise InputErrors({field_name: "unknown"})
    return category


def tag(name: str) -> Tag:
    slug = slugify(name)
    existing = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if existing:
        return existing
    new = Tag(name=name, slug=slug)
    db.session.add(new)
    return new


def unique_slug(base: str, product_id: int | None = None) -> str:
    slug, n = base, 1
    while True:
        clash = db.session.scalar(select(Product.id).where(Product.slug == slug))
        taken = clash is not None and clash != product_id
        taken = taken or db.session.scalar(
            select(SlugRedirect.id).where(SlugRedirect.old_slug == slug, SlugRedirect.product_id != (product_id or 0))
        ) is not None
        if not taken:
            return slug
        n += 1
        slug = f"{base}-{n}"


def create_product(name: str, sku: str, base_price: int, *, category: Category | None = None,
                   variants: Iterable[VariantData] = (), tags: Iterable[str] = (), description: str = "",
                   slug: str | None = None, **fields) -> Product:
    if base_price < 0:
        raise CatalogError("price must not be negative")
    product = Product(name=name, sku=sku, base_price=base_price, category=category,
                      web_description=sanitize_html(description),
                      slug=slug or unique_slug(slugify(name)), **fields)
    variant_list = list(variants) or [VariantData(sku=sku)]
    for position, data in enumerate(variant_list):
        product.variants.append(Variant(sku=data.sku, attributes=dict(data.attributes), price=data.price,
                                        compare_at_price=data.compare_at_price, weight_grams=data.weight_grams,
                                        barcode=data.barcode, position=position))
    product.tags = [tag(t) for t in tags]
    db.session.add(product)
    db.session.flush()  # the column defaults (status, visible, active) are set from here on
    write_options(product.variants)
    refresh_listing(product)
    return product


def add_product(data: ProductInput) -> Product:
    """The editor's new product: SKUs and slug checked first (InputErrors), then created."""
    # A product without options gets one variant carrying its own SKU: checked like the rest.
    variants = [v for v in data.variants if v.sku] or [VariantData(sku=data.sku)]
    check_skus(data.sku, variants, None)
    slug = slugify(data.slug or data.name)
    if data.slug and unique_slug(slug) != slug:
        raise InputErrors({"slug": "taken"})
    return create_product(
        data.name, data.sku, data.base_price, category=category_by_id(data.category_id), description=data.description,
        slug=unique_slug(slug), variants=variants, brand=data.brand, barcode=data.barcode, cost=data.cost,
        status=data.status, seo_title=data.seo_title, seo_description=data.seo_description,
        canonical_url=data.canonical_url, noindex=data.noindex, visible=data.visible, featured=data.featured,
        sort_order=data.sort_order, price_override=data.price_override)


def update_product(product_id: int, version: int, data: ProductInput) -> tuple[Product, dict, dict]:
    """Save the editor's values, unless the product changed since ``version`` was read.
    Returns the product and its changed fields (before, after) for the audit log; when
    nothing changed, nothing was flushed and the caller rolls back.

    Every change goes out in one flush, so one save is one UPDATE of the row and one step
    of its version; a concurrent save between our read and that UPDATE makes it match no
    row (StaleDataError), which is the same refusal as a stale form. A refusal
    (LookupError, ProductChanged, InputErrors) may leave unflushed changes: the caller
    rolls back."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    if product.version != version:
        raise ProductChanged(product_id)
    before = snapshot(product)
    variants = [v for v in data.variants if v.sku]
    check_skus(data.sku, variants, product)
    with db.session.no_autoflush:
        if data.slug and slugify(data.slug) != product.slug:
            _move_slug(product, slugify(data.slug))
        _web_fields(product, data)
        retagged = set_variants(product, variants, EDITOR_VARIANT_FIELDS, match="id")
        refresh_listing(product)
    before_audit, after_audit = changes(before, snapshot(product))
    if not after_audit:
        return product, {}, {}
    product.updated_at = utcnow()  # a variant-only edit must still step the version
    try:
        db.session.flush()
    except StaleDataError:
        raise ProductChanged(product_id) from None
    write_options(retagged)
    return product, before_audit, after_audit


def _web_fields(product: Product, data: ProductInput) -> None:
    product.name, product.brand, product.barcode = data.name, data.brand, data.barcode
    product.base_price, product.cost, product.status = data.base_price, data.cost, data.status
    product.category = category_by_id(data.category_id)
    product.seo_title, product.seo_description = data.seo_title, data.seo_description
    product.canonical_url, product.noindex = data.canonical_url, data.noindex
    product.web_description = sanitize_html(data.description)
    product.visible, product.featured, product.sort_order = data.visible, data.featured, data.sort_order
    product.price_override = data.price_override


def check_skus(sku: str, variants: list[VariantData], product: Product | None) -> None:
    """A new product's SKU and every variant SKU must be free (or already this product's)."""
    errors: dict[str, str] = {}
    own = product.id if product else None
    if product is None and db.session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        errors["sku"] = "taken"
    owners = dict(db.session.execute(select(Variant.sku, Variant.product_id)
                                     .where(Variant.sku.in_([v.sku for v in variants]))).all())
    seen: set[str] = set()
    for i, v in enumerate(variants):
        if v.sku in seen or owners.get(v.sku, own) != own:
            errors[f"variants-{i}-sku"] = "taken"
        seen.add(v.sku)
    if errors:
        raise InputErrors(errors)


def set_variants(product: Product, inputs: list[VariantData], fields: tuple[str, ...], *,
                 match: str = "sku") -> list[Variant]:
    """Update the product's variants matching the inputs (by SKU; by id for the editor,
    whose rows may change a SKU) and add the others. Variants not sent stay as they are
    (a variant is retired with ``active``, never deleted: order lines point at it).
    Nothing is flushed; returns the variants whose option rows must be rewritten once it
    is (new ones, changed attributes)."""
    existing = {getattr(v, match): v for v in product.variants}
    retagged: list[Variant] = []
    for i, data in enumerate(inputs):
        key = getattr(data, match)
        variant = existing.get(key) if key is not None else None
        if variant is None and match == "id" and key is not None:
            raise InputErrors({f"variants-{i}-sku": "unknown"})  # another product's (or tenant's) variant id
        if variant is None:
            variant = Variant(sku=data.sku, position=len(product.variants), attributes={}, active=True)
            product.variants.append(variant)
        if variant.id is None or variant.attributes != data.attributes:
            retagged.append(variant)
        for name in fields:
            setattr(variant, name, dict(data.attributes) if name == "attributes" else getattr(data, name))
    return retagged


def write_options(variants: list[Variant]) -> None:
    """The attribute rows the shop's filters read, rewritten for these (flushed) variants."""
    if not variants:
        return
    db.session.execute(delete(VariantOption).where(VariantOption.variant_id.in_([v.id for v in variants]))
                       .execution_options(synchronize_session=False))
    db.session.add_all(VariantOption(variant_id=v.id, product_id=v.product_id, name=name, value=value)
                       for v in variants for name, value in v.attributes.items())


def set_archived(product_id: int, archived: bool) -> tuple[Product, str]:
    """Archive or restore; returns the product and its status before."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    before = product.status
    product.status = "archived" if archived else "active"
    if before != product.status:
        refresh_listing(product)
    return product, before


def add_image(product: Product, data: bytes, alt: str = "") -> ProductImage:
    """Raises MediaError for anything Pillow does not recognise as a JPEG/PNG/WebP."""
    path, width, height = store_image(current_tenant_id(), data)
    image = ProductImage(product_id=product.id, path=path, alt=alt or product.name, width=width, height=height,
                         position=len(product.images))
    product.images.append(image)
    db.session.flush()
    return image


def remove_image(product_id: int, image_id: int) -> ProductImage:
    image = db.session.scalar(select(ProductImage).where(ProductImage.id == image_id,
                                                         ProductImage.product_id == product_id))
    if image is None:
        raise LookupError(image_id)
    # The file stays: the same picture (same content hash) may serve another product.
    db.session.delete(image)
    return image


def change_slug(product: Product, new_slug: str) -> None:
    """The old slug keeps answering with a 301 to the new one."""
    new_slug = slugify(new_slug)
    if new_slug != product.slug:
        _move_slug(product, new_slug)
        db.session.flush()


def _move_slug(product: Product, new_slug: str) -> None:
    """As change_slug, without its flush (the editor's save goes out as one UPDATE)."""
    if unique_slug(new_slug, product.id) != new_slug:
        raise InputErrors({"slug": "taken"})
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug == new_slug)
                       .execution_options(synchronize_session=False))
    db.session.add(SlugRedirect(old_slug=product.slug, product_id=product.id))
    product.slug = new_slug


def record_sales(units_by_product: dict[int, int]) -> None:
    """Units ordered, for the shop's "best sellers" sort: one increment per product, in id
    order (a stable lock order between concurrent checkouts)."""
    for product_id, quantity in sorted(units_by_product.items()):
        db.session.execute(update(Product).where(Product.id == product_id)
                           .values(sales_count=Product.sales_count + quantity)
                           .execution_options(synchronize_session=False))


def refresh_listing(product: Product) -> None:
    """Recompute the listing read model: listed flag and displayed (lowest) price."""
    product.listed = product.status == "active" and product.visible
    product.price = min((effective_price(product, v) for v in product.variants if v.active),
                        default=product.price_override or product.base_price)


def effective_price(product: Product, variant: Variant) -> int:
    """A price override set in the shop wins; then the variant's price; then the base."""
    if product.price_override is not None:
        return product.price_override
    return variant.price if variant.price is not None else product.base_price


def snapshot(product: Product) -> dict:
    values = {name: getattr(product, name) for name in AUDITED}
    for v in product.variants:
        values[f"variant:{v.sku}"] = {"attributes": dict(v.attributes), "price": v.price,
                                      "compare_at_price": v.compare_at_price, "weight_grams": v.weight_grams,
                                      "barcode": v.barcode, "active": v.active}
    return values


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose value changed, for the audit log."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
