"""Cart pages. The guest cart is found through a signed cookie holding its token."""
from __future__ import annotations

from flask import flash, g, render_template, url_for
from flask_babel import gettext as _

from app.cart import services
from app.cart.forms import AddLineForm, QuantityForm
from app.core.htmx import is_fragment_request, render, render_fragment, see_other
from app.core.redirects import safe_next
from app.shop import bp
from app.shop.cart_cookie import current_cart, remember_cart
from app.tenancy.settings import tenant_setting


@bp.get("/cart")
def show_cart():
    priced = services.price_cart(current_cart(), g.tenant.currency)
    return render("shop/cart.html", "shop/_cart.html", priced=priced)


@bp.post("/cart/lines")
def add_line():
    form = AddLineForm()
    back = safe_next(form.next.data, url_for("shop.show_cart"), prefix="/shop/")
    error = None
    cart = current_cart()
    if form.validate():
        try:
            cart = services.add_line(cart, form.variant_id.data, form.quantity.data)
        except services.CartError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    if is_fragment_request():
        g.cart = cart  # the badge, swapped out of band, counts this cart
        response = render_fragment("shop/_added.html", status=422 if error else 200, error=error)
    else:
        flash(error or _("Article ajouté au panier."), "error" if error else "success")
        response = see_other(back if error else url_for("shop.show_cart"))
    if cart is not None and not error:
        remember_cart(response, cart)
    return response


def _line_action(line_id: int, action) -> object:
    cart = current_cart()
    error = None
    if cart is None:
        error = _("Votre panier est vide.")
    else:
        try:
            action(cart)
        except services.CartError as exc:
            error = str(exc)
    if is_fragment_request():
        priced = services.price_cart(current_cart(), g.tenant.currency)
        return render_fragment("shop/_cart.html", status=422 if error else 200, priced=priced,
                               line_error=(line_id, error) if error else None)
    if error:
        flash(error, "error")
    return see_other(url_for("shop.show_cart"))


@bp.post("/cart/lines/<int:line_id>")
def update_line(line_id: int):
    form = QuantityForm()

    def apply(cart) -> None:
        if not form.validate():
            raise services.CartError(first_error(form))
        services.set_quantity(cart, line_id, form.quantity.data)

    return _line_action(line_id, apply)


@bp.post("/cart/lines/<int:line_id>/remove")
def remove_line(line_id: int):
    return _line_action(line_id, lambda cart: services.remove_line(cart, line_id))


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@bp.get("/cart/recover/<token>")
def recover_cart(token: str):
    """A reminder's link: this shopper's cart comes back, or a clear "expired" page."""
    cart = services.recover(token, tenant_setting(g.tenant, "cart_recovery_days"))
    if cart is None:
        return render_template("shop/recover_failed.html"), 410
    flash(_("Votre panier est de retour."), "success")
    response = see_other(url_for("shop.show_cart"))
    remember_cart(response, cart)
    return response
