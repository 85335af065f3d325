"""The public storefront: thin views over the catalog, cart, checkout and orders services."""
from flask import Blueprint, g, render_template, url_for

from app.catalog.media import THUMB_WIDTHS, thumb_name
from app.shop.cart_cookie import cart_count
from app.tenancy.settings import shop_is_open

bp = Blueprint("shop", __name__, url_prefix="/shop")
bp.add_app_template_global(THUMB_WIDTHS, "thumb_widths")


@bp.app_template_global()
def media_url(path: str, width: int) -> str:
    """URL of an image's thumbnail; the route prefix is built once per request (a listing
    shows dozens of images, each in three widths)."""
    if "media_prefix" not in g:
        g.media_prefix = url_for("shop.media", filename="_")[:-1]
    return g.media_prefix + thumb_name(path, width)


@bp.before_request
def _refuse_closed_shop():
    if not shop_is_open(g.tenant):
        return render_template("shop/closed.html"), 503


@bp.context_processor
def _cart_badge() -> dict:
    return {"cart_count": cart_count}


from app.shop import cart_views, catalog_views, checkout_views, order_views, payment_views  # noqa: E402,F401
