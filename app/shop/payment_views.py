"""Paying for a placed order: choose a method, wait for the phone, come back from the provider.

Every page shows the payment's real state (asked of the provider when still pending), never
what a return URL claims.
"""
from __future__ import annotations

import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from app.checkout.forms import PaymentForm
from app.core.htmx import is_fragment_request, render, render_fragment, see_other
from app.extensions import db
from app.orders.models import PAYMENT_LABELS
from app.orders.tracking import order_from_token, tracking_token
from app.payments import services
from app.payments.errors import PaymentError, PaymentUnavailable, failure_message
from app.payments.models import Payment
from app.payments.providers.base import Urls
from app.payments.providers.registry import enabled_methods, label, provider
from app.shop import bp

POLL_SECONDS = 3


def _order_or_404(token: str):
    order = order_from_token(token)
    if order is None:
        abort(404)
    return order


def _payment_or_404(order, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id:
        abort(404)
    return payment


def urls_for(token: str):
    """The provider-facing URLs of a payment: callbacks to the platform, the shopper back here."""
    base = (current_app.config["PAYMENT_CALLBACK_BASE_URL"] or request.url_root).rstrip("/")

    def build(payment: Payment) -> Urls:
        return Urls(callback=provider(payment.method).callback_url(payment, base),
                    return_=url_for("shop.return_from_payment", token=token, payment_id=payment.id, _external=True),
                    cancel=url_for("shop.cancel_payment", token=token, payment_id=payment.id, _external=True))
    return build


def start(order, method: str, *, msisdn: str, key: str):
    """Start paying; the response sends the shopper to the next step (or raises PaymentError)."""
    token = tracking_token(order)
    payment = services.start_payment(order, method, urls_for=urls_for(token), msisdn=msisdn, idempotency_key=key)
    return next_step(order, payment)


def next_step(order, payment: Payment | None):
    token = tracking_token(order)
    if payment is None:  # cash on delivery
        return see_other(url_for("shop.show_order", token=token))
    redirect_url = (payment.data or {}).get("redirect_url")
    if payment.status == "pending" and redirect_url:
        return see_other(redirect_url)  # Orange's payment page, PayPal's approval
    return see_other(url_for("shop.show_payment", token=token, payment_id=payment.id))


def _form(order) -> PaymentForm:
    methods = [(m, label(m)) for m in enabled_methods(g.tenant)]
    form = PaymentForm(country=g.tenant.country, payment_methods=methods)
    if not form.idempotency_key.data:
        form.idempotency_key.data = uuid.uuid4().hex
    if not form.is_submitted():
        form.payment_method.data = order.payment_method
        form.momo_phone.data = order.phone
    return form


@bp.route("/orders/<token>/pay", methods=["GET", "POST"])
def pay_order(token: str):
    order = _order_or_404(token)
    if order.payment_status not in ("pending", "failed") or order.status != "received":
        return see_other(url_for("shop.show_order", token=token))
    form = _form(order)
    status = 200
    if form.validate_on_submit():
        try:
            return start(order, form.payment_method.data, msisdn=form.momo_msisdn, key=form.idempotency_key.data)
        except PaymentError as exc:
            form.form_errors.append(str(exc))
            form.idempotency_key.data = uuid.uuid4().hex  # a fresh attempt next time
            db.session.rollback()
    if form.is_submitted():
        status = 422
    last = max(order.payments, key=lambda p: p.id, default=None)
    return render_template("shop/pay.html", order=order, form=form, last=last,
                           reason=failure_message(last.reason) if last is not None and last.reason else "",
                           payment_labels=PAYMENT_LABELS), status


@bp.get("/orders/<token>/payments/<int:payment_id>")
def show_payment(token: str, payment_id: int):
    """Waiting page: polls itself (htmx, or a meta refresh without JS) until the payment is final."""
    order = _order_or_404(token)
    payment = _payment_or_404(order, payment_id)
    if payment.status == "pending":
        services.refresh(payment, min_age_seconds=POLL_SECONDS)
    if payment.status == "succeeded" and is_fragment_request():
        response = render_fragment("shop/_payment_status.html", **_context(order, payment))
        response.headers["HX-Redirect"] = url_for("shop.show_order", token=token)
        return response
    if payment.status == "succeeded" and not payment.needs_review:
        flash(_l("Paiement reçu. Merci ! Votre commande %(n)s est confirmée.", n=order.number), "success")
        return redirect(url_for("shop.show_order", token=token))
    return render("shop/payment.html", "shop/_payment_status.html", **_context(order, payment))


@bp.get("/orders/<token>/payments/<int:payment_id>/return")
def return_from_payment(token: str, payment_id: int):
    """Back from Orange or PayPal. PayPal is captured here; both then show the real state."""
    order = _order_or_404(token)
    payment = _payment_or_404(order, payment_id)
    try:
        services.complete_return(payment)
    except PaymentUnavailable as exc:
        flash(str(exc), "error")
    return redirect(url_for("shop.show_payment", token=token, payment_id=payment.id))


@bp.get("/orders/<token>/payments/<int:payment_id>/cancel")
def cancel_payment(token: str, payment_id: int):
    order = _order_or_404(token)
    payment = _payment_or_404(order, payment_id)
    services.refresh(payment)
    if payment.status == "pending":
        flash(_l("Paiement interrompu. Vous pouvez réessayer ou choisir un autre moyen de paiement."), "info")
        return redirect(url_for("shop.pay_order", token=token))
    return redirect(url_for("shop.show_payment", token=token, payment_id=payment.id))


def _context(order, payment: Payment) -> dict:
    return {"order": order, "payment": payment, "token": tracking_token(order), "poll": POLL_SECONDS,
            "method_label": label(payment.method),
            "reason": failure_message(payment.reason) if payment.status in ("failed", "expired") else ""}
