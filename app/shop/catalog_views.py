"""Home, listing (category, search, filters) and product pages."""
from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, send_from_directory, url_for
from sqlalchemy import select

from app.catalog import queries
from app.catalog.models import Product, SlugRedirect
from app.catalog.services import effective_price
from app.core.htmx import render
from app.core.media import tenant_media_dir
from app.core.redirects import safe_next
from app.extensions import db
from app.inventory.models import StockLevel
from app.inventory.services import eligible_stores
from app.shop import bp


@bp.get("/")
def home():
    return render_template("shop/home.html", featured=queries.featured_products(),
                           newest=queries.newest_products(), categories=queries.root_categories())


@bp.get("/catalog")
def list_products():
    return _listing(None)


@bp.get("/c/<slug>")
def list_category(slug: str):
    category = queries.category_by_slug(slug)
    if category is None:
        abort(404)
    return _listing(category)


def _listing(category):
    filters = queries.ListingFilters.from_args(request.args, g.tenant.currency, category)
    page = queries.list_products(filters, current_app.config["CATALOG_PAGE_SIZE"])
    return render("shop/listing.html", "shop/_listing.html", filters=filters, page=page,
                  crumbs=queries.breadcrumbs(filters.category))


@bp.get("/p/<slug>")
def show_product(slug: str):
    product = queries.product_by_slug(slug)
    if product is None:
        moved = db.session.scalar(select(SlugRedirect).where(SlugRedirect.old_slug == slug))
        if moved is not None:
            return redirect(url_for("shop.show_product", slug=_current_slug(moved.product_id), **request.args), 301)
        abort(404)
    picks = {k[2:]: v for k, v in request.args.items() if k.startswith("o.")}
    variant = queries.pick_variant(product, request.args.get("v"), picks)
    if variant is None or (request.args.get("v") and str(variant.id) != request.args.get("v")):
        abort(404)  # unknown variant id, or a product with nothing to sell
    stores = eligible_stores()
    levels = {lvl.store_id: lvl.available for lvl in db.session.scalars(
        select(StockLevel).where(StockLevel.variant_id == variant.id))}
    availability = [(store, max(levels.get(store.id, 0), 0)) for store in stores]
    return render("shop/product.html", "shop/_buybox.html", product=product, variant=variant,
                  price=effective_price(product, variant),
                  options=queries.option_values(product), availability=availability,
                  crumbs=queries.breadcrumbs(product.category),
                  related=queries.related_products(product))


def _current_slug(product_id: int) -> str:
    product = db.session.get(Product, product_id)
    if product is None or not product.listed:
        abort(404)
    return product.slug


@bp.get("/media/<path:filename>")
def media(filename: str):
    # Only the current tenant's folder is ever served (send_from_directory refuses "..").
    response = send_from_directory(tenant_media_dir(g.tenant.id), filename)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # names carry a content hash
    return response


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    target = safe_next(request.args.get("next"), url_for("shop.home"))
    response = redirect(target, 303)
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
