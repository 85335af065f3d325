"""What a customer receives: emails (HTML + text) and SMS, in the customer's language.

``compose_email`` / ``compose_sms`` turn an outbox row into the message to send, or None
when it no longer applies (a reminder for a cart that was bought or emptied meanwhile).
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cart.models import Cart
from app.cart.services import price_cart, recovery_token
from app.catalog.models import Variant
from app.core.money import format_money
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.orders.models import STATUS_LABELS, Order
from app.orders.services import tracking_token
from app.payments.models import METHOD_LABELS
from app.tenancy.models import Store, Tenant

SUBJECTS = {
    "order_received": _l("Commande %(n)s reçue"),
    "order_prepared": _l("Commande %(n)s prête"),
    "order_shipped": _l("Commande %(n)s expédiée"),
    "order_delivered": _l("Commande %(n)s livrée"),
    "order_cancelled": _l("Commande %(n)s annulée"),
    "payment_received": _l("Paiement reçu pour la commande %(n)s"),
    "refund_issued": _l("Remboursement pour la commande %(n)s"),
    "staff_payment_review": _l("Paiement à vérifier : commande %(n)s"),
    "staff_payment_failures": _l("Paiements en échec : %(n)s"),
    "cart_reminder": _l("Votre panier vous attend chez %(n)s"),
    "staff_new_order": _l("Nouvelle commande %(n)s"),
    "staff_low_stock": _l("Stock bas : %(n)s"),
}


def shop_url(tenant: Tenant, path: str) -> str:
    config = current_app.config
    primary = next((d.host for d in tenant.domains if d.is_primary), None)
    host = primary or f"{tenant.slug}.{config['PLATFORM_DOMAIN']}"
    port = f":{config['PUBLIC_PORT']}" if config["PUBLIC_PORT"] else ""
    return f"{config['PREFERRED_URL_SCHEME']}://{host}{port}{path}"


def tracking_url(order: Order, tenant: Tenant) -> str:
    return shop_url(tenant, f"/shop/orders/{tracking_token(order)}")


def recovery_url(cart: Cart, tenant: Tenant) -> str:
    return shop_url(tenant, f"/shop/cart/recover/{recovery_token(cart)}")


def _intro(topic: str, order: Order, amount: int | None = None) -> str:
    """The first sentence, as plain text: the HTML template escapes it, the text one not."""
    n = order.number
    if topic == "order_received":
        return _("Merci %(name)s ! Nous avons bien reçu votre commande %(n)s.", name=order.first_name, n=n)
    if topic == "order_prepared" and order.delivery_method == "pickup":
        return _("Votre commande %(n)s est prête : vous pouvez la retirer en boutique.", n=n)
    if topic == "order_prepared":
        return _("Votre commande %(n)s est préparée et partira bientôt.", n=n)
    if topic == "order_shipped":
        return _("Votre commande %(n)s est en route.", n=n)
    if topic == "order_delivered":
        return _("Votre commande %(n)s a été livrée. Merci de votre confiance !", n=n)
    if topic == "payment_received":
        return _("Nous avons bien reçu votre paiement de %(total)s pour la commande %(n)s.",
                 total=format_money(order.total, order.currency, str(get_locale())), n=n)
    if topic == "refund_issued":
        return _("Nous vous remboursons %(amount)s pour la commande %(n)s.",
                 amount=format_money(amount or 0, order.currency, str(get_locale())), n=n)
    return _("Votre commande %(n)s a été annulée.", n=n)


def _email(message: OutboxMessage, tenant: Tenant, subject: str, template: str, context: dict) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = formataddr((tenant.name, current_app.config["MAIL_FROM"]))
    email["To"] = message.recipient
    # Stable per milestone: a resend after a crash carries the same id (MTAs can dedupe).
    email["Message-ID"] = make_msgid(idstring=message.dedup_key.replace(":", "."), domain="afrigest.local")
    if tenant.contact_email:
        email["Reply-To"] = tenant.contact_email
    context = {"tenant": tenant, "topic": message.topic, "order": None, **context}
    email.set_content(render_template(f"emails/{template}.txt", **context))
    email.add_alternative(render_template(f"emails/{template}.html", **context), subtype="html")
    return email


def _live_cart(message: OutboxMessage) -> Cart | None:
    cart = db.session.get(Cart, message.payload["cart_id"])
    return cart if cart is not None and cart.status == "active" and cart.lines else None


def _order(message: OutboxMessage) -> Order:
    order = db.session.get(Order, message.payload["order_id"])
    if order is None:
        raise LookupError(f"order {message.payload['order_id']} not found")
    return order


def _staff_email(message: OutboxMessage, tenant: Tenant) -> EmailMessage:
    payload = message.payload
    with force_locale(tenant.locale):
        if payload["alert"] in ("new_order", "payment_review"):
            order = _order(message)
            subject = SUBJECTS[f"staff_{payload['alert']}"]
            return _email(message, tenant, str(subject) % {"n": order.number}, "staff_alert",
                          {"order": order, "locale": tenant.locale, "note": payload.get("note", "")})
        if payload["alert"] == "payment_failures":
            label = f"{METHOD_LABELS.get(payload['method'], payload['method'])} × {payload['failures']}"
            return _email(message, tenant, str(SUBJECTS["staff_payment_failures"]) % {"n": label}, "staff_alert",
                          {"failures": payload["failures"], "method_label": METHOD_LABELS.get(payload["method"], ""),
                           "locale": tenant.locale})
        variant = db.session.get(Variant, payload["variant_id"])
        store = db.session.get(Store, payload["store_id"])
        label = " / ".join([variant.product.name, *variant.attributes.values()])
        return _email(message, tenant, str(SUBJECTS["staff_low_stock"]) % {"n": label}, "staff_alert",
                      {"variant": variant, "label": label, "store": store, "available": payload["available"],
                       "locale": tenant.locale})


def compose_email(message: OutboxMessage, tenant: Tenant) -> EmailMessage | None:
    if message.topic.startswith("staff_password_"):  # the signed link is made now, never stored
        from app.staff.passwords import compose_password_email

        return compose_password_email(message, tenant)
    if "alert" in message.payload:
        return _staff_email(message, tenant)
    if "cart_id" in message.payload:
        cart = _live_cart(message)
        if cart is None:
            return None
        with force_locale(cart.locale or tenant.locale):
            return _email(message, tenant, str(SUBJECTS["cart_reminder"]) % {"n": tenant.name}, "cart_reminder",
                          {"priced": price_cart(cart, tenant.currency), "currency": tenant.currency,
                           "recovery_url": recovery_url(cart, tenant), "locale": cart.locale})
    order = _order(message)
    with force_locale(order.locale or tenant.locale):
        return _email(message, tenant, str(SUBJECTS[message.topic]) % {"n": order.number}, "order", {
            "order": order, "tracking_url": tracking_url(order, tenant), "locale": order.locale,
            "status_label": STATUS_LABELS[order.status], "intro": _intro(message.topic, order, message.payload.get("amount"))})


def compose_sms(message: OutboxMessage, tenant: Tenant) -> str | None:
    if "cart_id" in message.payload:
        cart = _live_cart(message)
        if cart is None:
            return None
        with force_locale(cart.locale or tenant.locale):
            return _("%(shop)s : votre panier vous attend. Reprenez-le ici : %(url)s") % {
                "shop": tenant.name, "url": recovery_url(cart, tenant)}
    order = _order(message)
    with force_locale(order.locale or tenant.locale):
        texts = {
            "order_received": _("%(shop)s : commande %(n)s reçue. Suivi : %(url)s"),
            "order_prepared": _("%(shop)s : commande %(n)s prête. Suivi : %(url)s"),
            "order_shipped": _("%(shop)s : commande %(n)s expédiée. Suivi : %(url)s"),
            "order_delivered": _("%(shop)s : commande %(n)s livrée. Merci !"),
            "order_cancelled": _("%(shop)s : commande %(n)s annulée. Infos : %(url)s"),
            "payment_received": _("%(shop)s : paiement reçu pour la commande %(n)s. Merci !"),
            "refund_issued": _("%(shop)s : remboursement de %(amount)s pour la commande %(n)s."),
        }
        amount = format_money(message.payload.get("amount") or 0, order.currency, str(get_locale()))
        return texts[message.topic] % {"shop": tenant.name, "n": order.number, "url": tracking_url(order, tenant),
                                       "amount": amount}
