"""The catalog write path: products, variants, categories, images, slugs.

Helpers flush; the caller commits (seed command, sync job, back-office view).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3
from sqlalchemy import select

from app.catalog.media import store_image
from app.catalog.models import Category, Product, ProductImage, SlugRedirect, Tag, Variant, VariantOption
from app.core.db import current_tenant_id
from app.extensions import db


class CatalogError(ValueError):
    pass


def slugify(text: str, max_length: int = 200) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "produit"


def sanitize_html(html: str) -> str:
    """Rich descriptions keep formatting tags only; scripts, styles and handlers go."""
    return nh3.clean(html or "", tags={"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a", "b", "i"},
                     attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"})


def create_category(name: str, parent: Category | None = None, *, slug: str | None = None,
                    position: int = 0, **fields) -> Category:
    category = Category(name=name, slug=slug or slugify(name), parent=parent, position=position, **fields)
    db.session.add(category)
    db.session.flush()
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    return category


def tag(name: str) -> Tag:
    slug = slugify(name)
    existing = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if existing:
        return existing
    new = Tag(name=name, slug=slug)
    db.session.add(new)
    return new


@dataclass
class VariantData:
    sku: str
    attributes: dict[str, str] = field(default_factory=dict)
    price: int | None = None
    compare_at_price: int | None = None
    weight_grams: int = 0
    barcode: str = ""


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
    db.session.flush()
    for variant in product.variants:
        for key, value in variant.attributes.items():
            db.session.add(VariantOption(variant_id=variant.id, product_id=product.id, name=key, value=value))
    refresh_listing(product)
    return product


def add_image(product: Product, data: bytes, alt: str = "") -> ProductImage:
    path, width, height = store_image(current_tenant_id(), data)
    image = ProductImage(product_id=product.id, path=path, alt=alt or product.name, width=width, height=height,
                         position=len(product.images))
    product.images.append(image)
    db.session.flush()
    return image


def change_slug(product: Product, new_slug: str) -> None:
    """The old slug keeps answering with a 301 to the new one."""
    new_slug = slugify(new_slug)
    if new_slug == product.slug:
        return
    if unique_slug(new_slug, product.id) != new_slug:
        raise CatalogError("slug already used")
    db.session.execute(SlugRedirect.__table__.delete().where(SlugRedirect.old_slug == new_slug,
                                                             SlugRedirect.tenant_id == product.tenant_id))
    db.session.add(SlugRedirect(old_slug=product.slug, product_id=product.id))
    product.slug = new_slug
    db.session.flush()


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
