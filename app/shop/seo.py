"""robots.txt, sitemap.xml (an index of product pages in chunks) and the root URL."""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, url_for
from sqlalchemy import func, select

from app.catalog.models import Category, Product
from app.extensions import db
from app.tenancy.settings import shop_is_open

bp = Blueprint("seo", __name__)
CHUNK = 10_000


@bp.get("/")
def root():
    return redirect(url_for("shop.home"), 301)


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *"]
    if shop_is_open(g.tenant):
        lines += ["Disallow: /shop/cart", "Disallow: /shop/checkout", "Disallow: /shop/orders/",
                  "Disallow: /shop/track", f"Sitemap: {url_for('seo.sitemap_index', _external=True)}"]
    else:
        lines.append("Disallow: /")
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index():
    count = db.session.scalar(select(func.count()).where(Product.listed.is_(True), Product.noindex.is_(False)))
    chunks = range(1, max((count + CHUNK - 1) // CHUNK, 1) + 1)
    return Response(render_template("seo/sitemap_index.xml", chunks=chunks), mimetype="application/xml")


@bp.get("/sitemap-<int:chunk>.xml")
def sitemap_chunk(chunk: int):
    if chunk < 1:
        abort(404)
    products = db.session.execute(
        select(Product.slug, Product.updated_at).where(Product.listed.is_(True), Product.noindex.is_(False))
        .order_by(Product.id).limit(CHUNK).offset((chunk - 1) * CHUNK)
    ).all()
    if not products and chunk > 1:
        abort(404)
    categories = db.session.scalars(select(Category.slug).where(Category.visible.is_(True))).all() if chunk == 1 else []
    return Response(render_template("seo/sitemap.xml", products=products, categories=categories),
                    mimetype="application/xml")
