"""The back-office write path for products: edit with an optimistic version check,
archive, images. Each top-level function commits once, with its audit entry.

The shop's read model (``listed``, ``price``, ``in_stock``) is refreshed in the same
transaction, so a saved change shows on the shop at the next request.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError

from app.catalog import services as catalog
from app.catalog.models import Category, Product, ProductImage, SlugRedirect, Variant, VariantOption
from app.core.db import utcnow
from app.extensions import db
from app.inventory.services import refresh_product_availability
from app.staff.services import audit

STATUSES = ("draft", "active", "archived")
# Fields the audit log compares before and after (web fields and core fields alike).
AUDITED = ("name", "sku", "brand", "barcode", "base_price", "cost", "status", "category_id", "slug", "seo_title",
           "seo_description", "canonical_url", "noindex", "web_description", "visible", "featured", "sort_order",
           "price_override")


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


def parse_attributes(text: str) -> dict[str, str]:
    """``"Taille=M; Couleur=Bleu"`` → ``{"Taille": "M", "Couleur": "Bleu"}``; ValueError if malformed."""
    attributes: dict[str, str] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValueError(part.strip())
        if len(name) > 40 or len(value) > 60:
            raise ValueError(part.strip())
        attributes[name] = value
    return attributes


def format_attributes(attributes: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in attributes.items())


@dataclass
class VariantInput:
    sku: str
    id: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    price: int | None = None
    compare_at_price: int | None = None
    weight_grams: int = 0
    barcode: str = ""
    active: bool = True


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
    variants: list[VariantInput] = field(default_factory=list)


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


def _category(category_id: int | None, field_name: str = "category_id") -> Category | None:
    if category_id is None:
        return None
    category = db.session.get(Category, category_id)  # scoped: another tenant's id is None
    if category is None:
        raise InputErrors({field_name: "unknown"})
    return category


def _check_skus(data: ProductInput, product: Product | None) -> None:
    errors: dict[str, str] = {}
    own = product.id if product else None
    if product is None and db.session.scalar(select(Product.id).where(Product.sku == data.sku)) is not None:
        errors["sku"] = "taken"
    skus = [v.sku for v in data.variants]
    owners = dict(db.session.execute(select(Variant.sku, Variant.product_id).where(Variant.sku.in_(skus))).all())
    seen: set[str] = set()
    for i, v in enumerate(data.variants):
        if v.sku in seen or owners.get(v.sku, own) != own:
            errors[f"variants-{i}-sku"] = "taken"
        seen.add(v.sku)
    if errors:
        raise InputErrors(errors)


def _apply_variants(product: Product, inputs: list[VariantInput]) -> list[tuple[Variant, bool]]:
    """Update the listed variants, add the new ones; those not sent stay as they are
    (a variant is retired with ``active``, never deleted: order lines point at it).
    Returns (variant, options changed); nothing is flushed yet."""
    by_id = {v.id: v for v in product.variants}
    touched: list[tuple[Variant, bool]] = []
    for i, data in enumerate(inputs):
        if data.id is not None:
            variant = by_id.get(data.id)
            if variant is None:  # another product's (or tenant's) variant id
                raise InputErrors({f"variants-{i}-sku": "unknown"})
        else:
            variant = Variant(sku=data.sku, position=len(product.variants), attributes={})
            product.variants.append(variant)
        options_changed = variant.id is None or variant.attributes != data.attributes
        variant.sku, variant.attributes, variant.price = data.sku, dict(data.attributes), data.price
        variant.compare_at_price, variant.weight_grams = data.compare_at_price, data.weight_grams
        variant.barcode, variant.active = data.barcode, data.active
        touched.append((variant, options_changed))
    return touched


def _write_options(product: Product, touched: list[tuple[Variant, bool]]) -> None:
    """The attribute rows the shop's filters read, for variants whose options changed."""
    for variant, options_changed in touched:
        if options_changed:
            db.session.execute(delete(VariantOption).where(VariantOption.variant_id == variant.id)
                               .execution_options(synchronize_session=False))
            db.session.add_all(VariantOption(variant_id=variant.id, product_id=product.id, name=k, value=v)
                               for k, v in variant.attributes.items())


def _web_fields(product: Product, data: ProductInput) -> None:
    product.name, product.brand, product.barcode = data.name, data.brand, data.barcode
    product.base_price, product.cost, product.status = data.base_price, data.cost, data.status
    product.category = _category(data.category_id)
    product.seo_title, product.seo_description = data.seo_title, data.seo_description
    product.canonical_url, product.noindex = data.canonical_url, data.noindex
    product.web_description = catalog.sanitize_html(data.description)
    product.visible, product.featured, product.sort_order = data.visible, data.featured, data.sort_order
    product.price_override = data.price_override


def create_product(actor, data: ProductInput) -> Product:
    # A product without options gets one variant carrying its own SKU: checked like the rest.
    variants = [v for v in data.variants if v.sku] or [VariantInput(sku=data.sku)]
    _check_skus(replace(data, variants=variants), None)  # before any write: nothing to roll back
    slug = catalog.slugify(data.slug or data.name)
    if data.slug and catalog.unique_slug(slug) != slug:
        raise InputErrors({"slug": "taken"})
    product = catalog.create_product(
        data.name, data.sku, data.base_price, category=_category(data.category_id), description=data.description,
        slug=catalog.unique_slug(slug),
        variants=[catalog.VariantData(v.sku, v.attributes, price=v.price, compare_at_price=v.compare_at_price,
                                      weight_grams=v.weight_grams, barcode=v.barcode) for v in variants],
        brand=data.brand, barcode=data.barcode, cost=data.cost, status=data.status, seo_title=data.seo_title,
        seo_description=data.seo_description, canonical_url=data.canonical_url, noindex=data.noindex,
        visible=data.visible, featured=data.featured, sort_order=data.sort_order, price_override=data.price_override)
    catalog.refresh_listing(product)
    audit(actor, "product.create", "product", product.id, after=snapshot(product))
    db.session.commit()
    return product


def update_product(actor, product_id: int, version: int, data: ProductInput) -> Product:
    """Save the editor's values, unless the product changed since ``version`` was read.

    Every change goes out in one flush, so one save is one UPDATE of the row and one step
    of its version; a concurrent save between our read and that UPDATE makes it match no
    row (StaleDataError), which is the same refusal as a stale form."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    if product.version != version:
        raise ProductChanged(product_id)
    before = snapshot(product)
    try:
        _check_skus(data, product)
        with db.session.no_autoflush:
            if data.slug and catalog.slugify(data.slug) != product.slug:
                _move_slug(product, catalog.slugify(data.slug))
            _web_fields(product, data)
            touched = _apply_variants(product, [v for v in data.variants if v.sku])
            catalog.refresh_listing(product)
    except InputErrors:
        db.session.rollback()
        raise
    before_audit, after_audit = changes(before, snapshot(product))
    if not after_audit:
        db.session.rollback()
        return product
    product.updated_at = utcnow()  # a variant-only edit must still step the version
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ProductChanged(product_id) from None
    _write_options(product, touched)
    refresh_product_availability([v.id for v, _ in touched])  # an (in)active variant changes in_stock
    audit(actor, "product.update", "product", product.id, before=before_audit, after=after_audit)
    db.session.commit()
    return product


def _move_slug(product: Product, new_slug: str) -> None:
    """As catalog.change_slug, without its flush: the old slug answers 301 to the new one."""
    if catalog.unique_slug(new_slug, product.id) != new_slug:
        raise InputErrors({"slug": "taken"})
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug == new_slug)
                       .execution_options(synchronize_session=False))
    db.session.add(SlugRedirect(old_slug=product.slug, product_id=product.id))
    product.slug = new_slug


def set_archived(actor, product_id: int, archived: bool) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    before = product.status
    product.status = "archived" if archived else "active"
    if before != product.status:
        catalog.refresh_listing(product)
        audit(actor, "product.archive" if archived else "product.restore", "product", product.id,
              before={"status": before}, after={"status": product.status})
    db.session.commit()
    return product


def add_image(actor, product_id: int, data: bytes, alt: str) -> ProductImage:
    """Raises MediaError for anything Pillow does not recognise as a JPEG/PNG/WebP."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    # The product row itself is not touched: a photo added while a colleague edits the
    # text must not turn their save into a version conflict.
    image = catalog.add_image(product, data, alt)
    audit(actor, "product.image_add", "product", product.id, after={"image": image.path, "alt": image.alt})
    db.session.commit()
    return image


def remove_image(actor, product_id: int, image_id: int) -> None:
    image = db.session.scalar(select(ProductImage).where(ProductImage.id == image_id,
                                                         ProductImage.product_id == product_id))
    if image is None:
        raise LookupError(image_id)
    # The file stays: the same picture (same content hash) may serve another product.
    audit(actor, "product.image_remove", "product", product_id, before={"image": image.path, "alt": image.alt})
    db.session.delete(image)
    db.session.commit()


@dataclass
class CategoryInput:
    name: str
    slug: str = ""
    parent_id: int | None = None
    visible: bool = True
    seo_title: str = ""
    seo_description: str = ""


def _category_values(category: Category) -> dict:
    return {"name": category.name, "slug": category.slug, "parent_id": category.parent_id, "path": category.path,
            "visible": category.visible, "seo_title": category.seo_title,
            "seo_description": category.seo_description, "position": category.position}


def next_position(parent_id: int | None) -> int:
    where = Category.parent_id == parent_id if parent_id else Category.parent_id.is_(None)
    positions = db.session.scalars(select(Category.position).where(where)).all()
    return max(positions, default=-1) + 1


def save_category(actor, category_id: int | None, data: CategoryInput) -> Category:
    """Create (``category_id`` None) or edit a category; moving it under another parent
    rewrites the materialised paths of its whole subtree."""
    parent = _category(data.parent_id, "parent_id")
    slug = catalog.slugify(data.slug or data.name, 140)
    clash = db.session.scalar(select(Category.id).where(Category.slug == slug))
    if clash is not None and clash != category_id:
        raise InputErrors({"slug": "taken"})
    fields = {"visible": data.visible, "seo_title": data.seo_title, "seo_description": data.seo_description}
    if category_id is None:
        category = catalog.create_category(data.name, parent, slug=slug,
                                           position=next_position(parent.id if parent else None), **fields)
        audit(actor, "category.create", "category", category.id, after=_category_values(category))
        db.session.commit()
        return category
    category = _category(category_id, "id")
    before = _category_values(category)
    if parent is not None and parent.path.startswith(category.path):
        raise InputErrors({"parent_id": "cycle"})  # itself or one of its descendants
    if category.parent_id != data.parent_id:
        old_path, new_path = category.path, f"{parent.path if parent else '/'}{category.id}/"
        for node in db.session.scalars(select(Category).where(Category.path.startswith(old_path))):
            node.path = new_path + node.path[len(old_path):]
        category.parent = parent
        category.position = next_position(data.parent_id)
    category.name, category.slug = data.name, slug
    for key, value in fields.items():
        setattr(category, key, value)
    db.session.flush()
    before_audit, after_audit = changes(before, _category_values(category))
    if after_audit:
        audit(actor, "category.update", "category", category.id, before=before_audit, after=after_audit)
    db.session.commit()
    return category


def move_category(actor, category_id: int, offset: int) -> None:
    """Swap a category with its previous (-1) or next (+1) sibling; positions are
    renumbered 0..n-1 on the way, so gaps and ties left by older data disappear."""
    category = _category(category_id, "id")
    where = Category.parent_id == category.parent_id if category.parent_id else Category.parent_id.is_(None)
    siblings = list(db.session.scalars(select(Category).where(where)
                                       .order_by(Category.position, Category.name, Category.id)))
    before = {c.id: c.position for c in siblings}
    i = siblings.index(category)
    j = i + offset
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    after = {c.id: c.position for c in siblings}
    if before != after:
        audit(actor, "category.move", "category", category.id, before={"positions": before},
              after={"positions": after})
    db.session.commit()
