"""The one-page checkout."""
from __future__ import annotations

import uuid

from flask import flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.cart.services import price_cart, remember_contact
from app.checkout import services
from app.checkout.forms import CheckoutForm
from app.checkout.shipping import quote
from app.core.htmx import is_fragment_request, render_fragment, see_other
from app.inventory.services import eligible_stores
from app.orders.tracking import tracking_token
from app.payments.errors import PaymentError
from app.payments.providers.registry import label
from app.shop import bp, payment_views
from app.shop.cart_cookie import current_cart


def _form() -> CheckoutForm:
    stores = [s for s in eligible_stores() if s.is_pickup_point]
    methods = [(m, label(m)) for m in services.payment_methods(g.tenant)]
    form = CheckoutForm(country=g.tenant.country, stores=stores, payment_methods=methods)
    if not form.idempotency_key.data:
        form.idempotency_key.data = uuid.uuid4().hex
    return form


def _summary_context(form: CheckoutForm, priced) -> dict:
    method = form.delivery_method.data if form.delivery_method.data in ("home", "pickup") else "home"
    shipping = quote(g.tenant, method, priced.subtotal)
    return {"priced": priced, "shipping": shipping, "total": priced.subtotal + shipping.amount}


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    cart = current_cart()
    priced = price_cart(cart, g.tenant.currency)
    if not priced.lines:
        existing = _resubmitted_order()
        if existing is not None:  # the first submit converted the cart: show its order
            return see_other(url_for("shop.show_order", token=tracking_token(existing)))
        flash(_l("Votre panier est vide."), "error")
        return redirect(url_for("shop.show_cart"))
    form = _form()
    status = 200
    if form.is_submitted():
        valid = form.validate()
        _remember_contact(form, cart)
        if valid:
            try:
                order = services.place_order(g.tenant, cart.id, _checkout_data(form))
            except services.CheckoutError as exc:
                target = getattr(form, exc.field).errors if exc.field else form.form_errors
                target.append(exc.message)
            else:
                return _after_placing(order, form)
        status = 422
    return render_template("shop/checkout.html", form=form, **_summary_context(form, priced)), status


@bp.post("/checkout/summary")
def checkout_summary():
    """htmx: the order summary again when the delivery mode changes. Without htmx the
    checkout page itself shows it, so a plain POST here goes back there."""
    if not is_fragment_request():
        return see_other(url_for("shop.checkout"))
    cart = current_cart()
    form = _form()
    if cart is not None:
        form.validate()
        _remember_contact(form, cart)
    priced = price_cart(cart, g.tenant.currency)
    return render_fragment("shop/_checkout_summary.html", **_summary_context(form, priced))


def _after_placing(order, form: CheckoutForm):
    """Cash on delivery: done. Online: start the payment; if it cannot start, the order
    keeps its stock and the shopper lands on its payment page to retry or switch."""
    if order.payment_method == "cod":
        flash(_l("Merci ! Votre commande %(n)s est enregistrée.", n=order.number), "success")
        return see_other(url_for("shop.show_order", token=tracking_token(order)))
    try:
        return payment_views.start(order, order.payment_method, msisdn=form.momo_msisdn,
                                   key=f"{form.idempotency_key.data}:1")
    except PaymentError as exc:
        flash(str(exc), "error")
        return see_other(url_for("shop.pay_order", token=tracking_token(order)))


def _remember_contact(form: CheckoutForm, cart) -> None:
    """Keep a valid email or phone on the cart, so an abandoned cart can be recovered."""
    email = (form.email.data or "").strip().lower() if form.email.data and not form.email.errors else ""
    phone = form.e164_phone if not form.phone.errors else ""
    if email or phone:
        remember_contact(cart, email=email, phone=phone, locale=str(get_locale() or "fr"))


def _resubmitted_order():
    form = _form()
    return services.existing_order(form.idempotency_key.data) if form.is_submitted() else None


def _checkout_data(form: CheckoutForm) -> services.CheckoutData:
    pickup = form.delivery_method.data == "pickup"
    return services.CheckoutData(
        email=(form.email.data or "").strip(), phone=form.e164_phone, first_name=form.first_name.data.strip(),
        last_name=form.last_name.data.strip(), delivery_method=form.delivery_method.data,
        city="" if pickup else form.city.data, quarter="" if pickup else form.quarter.data.strip(),
        address="" if pickup else form.address.data.strip(), landmark="" if pickup else form.landmark.data.strip(),
        pickup_store_id=int(form.pickup_store.data) if pickup else None,
        payment_method=form.payment_method.data, note=(form.note.data or "").strip(),
        idempotency_key=form.idempotency_key.data, locale=str(get_locale() or "fr"),
    )
