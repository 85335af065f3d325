"""Abandoned-cart reminders (email and SMS) with a signed recovery link."""
from __future__ import annotations

from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cart.models import Cart
from app.cart.services import price_cart, recovery_token
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.registry import composer
from app.tenancy.mail import shop_email, shop_url
from app.tenancy.models import Tenant
from app.tenancy.settings import current_tenant

TOPIC = "cart_reminder"
SUBJECT = _l("Votre panier vous attend chez %(n)s")


def recovery_url(cart: Cart, tenant: Tenant) -> str:
    return shop_url(tenant, f"/shop/cart/recover/{recovery_token(cart)}")


def _live_cart(message: OutboxMessage) -> Cart | None:
    """The cart, unless it was bought or emptied meanwhile (the reminder no longer applies)."""
    cart = db.session.get(Cart, message.payload["cart_id"])
    return cart if cart is not None and cart.status == "active" and cart.lines else None


@composer(("email",), TOPIC)
def compose_reminder_email(message: OutboxMessage) -> EmailMessage | None:
    cart, tenant = _live_cart(message), current_tenant()
    if cart is None:
        return None
    with force_locale(cart.locale or tenant.locale):
        return shop_email(message, tenant, str(SUBJECT) % {"n": tenant.name}, "cart_reminder",
                          {"priced": price_cart(cart, tenant.currency), "currency": tenant.currency,
                           "recovery_url": recovery_url(cart, tenant), "locale": cart.locale})


@composer(("sms",), TOPIC)
def compose_reminder_sms(message: OutboxMessage) -> str | None:
    cart, tenant = _live_cart(message), current_tenant()
    if cart is None:
        return None
    with force_locale(cart.locale or tenant.locale):
        return _("%(shop)s : votre panier vous attend. Reprenez-le ici : %(url)s") % {
            "shop": tenant.name, "url": recovery_url(cart, tenant)}
