"""What a customer receives: emails (HTML + text) and SMS, in the order's language."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.orders.models import STATUS_LABELS, Order
from app.orders.services import tracking_token
from app.tenancy.models import Tenant

SUBJECTS = {
    "order_received": _l("Commande %(n)s reçue"),
    "order_prepared": _l("Commande %(n)s prête"),
    "order_shipped": _l("Commande %(n)s expédiée"),
    "order_delivered": _l("Commande %(n)s livrée"),
    "order_cancelled": _l("Commande %(n)s annulée"),
}


def shop_url(tenant: Tenant, path: str) -> str:
    config = current_app.config
    primary = next((d.host for d in tenant.domains if d.is_primary), None)
    host = primary or f"{tenant.slug}.{config['PLATFORM_DOMAIN']}"
    port = f":{config['PUBLIC_PORT']}" if config["PUBLIC_PORT"] else ""
    return f"{config['PREFERRED_URL_SCHEME']}://{host}{port}{path}"


def tracking_url(order: Order, tenant: Tenant) -> str:
    return shop_url(tenant, f"/shop/orders/{tracking_token(order)}")


def _intro(topic: str, order: Order) -> str:
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
    return _("Votre commande %(n)s a été annulée.", n=n)


def order_email(topic: str, order: Order, tenant: Tenant, recipient: str, dedup_key: str) -> EmailMessage:
    with force_locale(order.locale or tenant.locale):
        context = {"order": order, "tenant": tenant, "topic": topic, "tracking_url": tracking_url(order, tenant),
                   "status_label": STATUS_LABELS[order.status], "intro": _intro(topic, order)}
        message = EmailMessage()
        message["Subject"] = str(SUBJECTS[topic]) % {"n": order.number}
        message["From"] = formataddr((tenant.name, current_app.config["MAIL_FROM"]))
        message["To"] = recipient
        # Stable per milestone: a resend after a crash carries the same id (MTAs can dedupe).
        message["Message-ID"] = make_msgid(idstring=dedup_key.replace(":", "."), domain="afrigest.local")
        if tenant.contact_email:
            message["Reply-To"] = tenant.contact_email
        message.set_content(render_template("emails/order.txt", **context))
        message.add_alternative(render_template("emails/order.html", **context), subtype="html")
    return message


def order_sms(topic: str, order: Order, tenant: Tenant) -> str:
    with force_locale(order.locale or tenant.locale):
        link = tracking_url(order, tenant)
        texts = {
            "order_received": _("%(shop)s : commande %(n)s reçue. Suivi : %(url)s"),
            "order_prepared": _("%(shop)s : commande %(n)s prête. Suivi : %(url)s"),
            "order_shipped": _("%(shop)s : commande %(n)s expédiée. Suivi : %(url)s"),
            "order_delivered": _("%(shop)s : commande %(n)s livrée. Merci !"),
            "order_cancelled": _("%(shop)s : commande %(n)s annulée. Infos : %(url)s"),
        }
        return texts[topic] % {"shop": tenant.name, "n": order.number, "url": link}
