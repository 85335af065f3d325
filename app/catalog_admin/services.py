"""The back-office's catalog edits: products (with an optimistic version check), images,
categories. Each function makes its change through the catalog write path, keeps
inventory's ``in_stock`` true to it, records the audit entry and commits once; a
refusal rolls back whatever it had started.
"""
from __future__ import annotations

from app.audit import audit
from app.catalog import categories
from app.catalog import services as catalog
from app.catalog.categories import CategoryInput
from app.catalog.models import Category, Product, ProductImage
from app.catalog.services import InputErrors, ProductChanged, ProductInput
from app.extensions import db
from app.inventory.services import refresh_product_availability


def create_product(actor, data: ProductInput) -> Product:
    product = catalog.add_product(data)  # refusals come before any write: nothing to roll back
    audit(actor, "product.create", "product", product.id, after=catalog.snapshot(product))
    db.session.commit()
    return product


def update_product(actor, product_id: int, version: int, data: ProductInput) -> Product:
    """Save the editor's values, unless the product changed since ``version`` was read
    (ProductChanged: the page shows what changed)."""
    try:
        product, before, after = catalog.update_product(product_id, version, data)
    except (InputErrors, ProductChanged):
        db.session.rollback()
        raise
    if not after:
        db.session.rollback()
        return product
    refresh_product_availability([v.id for v in product.variants])  # an (in)active variant changes in_stock
    audit(actor, "product.update", "product", product.id, before=before, after=after)
    db.session.commit()
    return product


def set_archived(actor, product_id: int, archived: bool) -> Product:
    product, before = catalog.set_archived(product_id, archived)
    if before != product.status:
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
    image = catalog.remove_image(product_id, image_id)
    audit(actor, "product.image_remove", "product", product_id, before={"image": image.path, "alt": image.alt})
    db.session.commit()


def save_category(actor, category_id: int | None, data: CategoryInput) -> Category:
    category, before, after = categories.save_category(category_id, data)
    if category_id is None:
        audit(actor, "category.create", "category", category.id, after=after)
    elif after:
        audit(actor, "category.update", "category", category.id, before=before, after=after)
    db.session.commit()
    return category


def move_category(actor, category_id: int, offset: int) -> None:
    category, before, after = categories.move_category(category_id, offset)
    if before != after:
        audit(actor, "category.move", "category", category.id, before={"positions": before},
              after={"positions": after})
    db.session.commit()
