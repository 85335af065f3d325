"""What an order tells its customer (email and SMS at each milestone), its staff (a new
order) and, when the shop is linked to one, its core system (``core`` channel)."""
from __future__ import annotations

from email.message import EmailMessage

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.money import format_money
from app.extensions import db
from app.orders.models import STATUS_LABELS, Order
from app.orders.tracking import tracking_token
from app.outbox.models import OutboxMessage
from app.outbox.queue import channel_active, queue
from app.outbox.registry import composer
from app.staff.messages import alert_email, alert_staff
from app.tenancy.mail import shop_email, shop_url
from app.tenancy.models import Tenant
from app.tenancy.settings import current_tenant

# Order milestones that tell the customer something (email and SMS), and their topics.
ORDER_TOPICS = {"received": "order_received", "paid": "payment_received", "prepared": "order_prepared",
                "shipped": "order_shipped", "delivered": "order_delivered", "cancelled": "order_cancelled"}
# Topics of the "core" channel: the core system learns of every online sale and its progress.
CORE_TOPICS = tuple(f"order_{status}" for status in ORDER_TOPICS)

SUBJECTS = {
    "order_received": _l("Commande %(n)s reçue"),
    "order_prepared": _l("Commande %(n)s prête"),
    "order_shipped": _l("Commande %(n)s expédiée"),
    "order_delivered": _l("Commande %(n)s livrée"),
    "order_cancelled": _l("Commande %(n)s annulée"),
    "payment_received": _l("Paiement reçu pour la commande %(n)s"),
}
NEW_ORDER_SUBJECT = _l("Nouvelle commande %(n)s")


def notify_order(order: Order, status: str) -> None:
    """Email and SMS the customer about an order milestone, once each (flushes)."""
    topic = ORDER_TOPICS.get(status)
    if topic is None:
        return
    if order.email:
        queue("email", topic, order.email, f"order:{order.id}:{status}:email", {"order_id": order.id})
    if order.phone:
        queue("sms", topic, order.phone, f"order:{order.id}:{status}:sms", {"order_id": order.id})
    if channel_active("core"):
        queue("core", f"order_{status}", "core", f"order:{order.id}:{status}:core", {"order_id": order.id})


def alert_new_order(order: Order) -> None:
    alert_staff("new_order", f"order:{order.id}:new", {"order_id": order.id})


def tracking_url(order: Order, tenant: Tenant) -> str:
    return shop_url(tenant, f"/shop/orders/{tracking_token(order)}")


def message_order(message: OutboxMessage) -> Order:
    order = db.session.get(Order, message.payload["order_id"])
    if order is None:
        raise LookupError(f"order {message.payload['order_id']} not found")
    return order


def order_email(message: OutboxMessage, subject, intro) -> EmailMessage:
    """The customer's email about their order: ``subject`` and ``intro`` are callables of
    the order, run in the order's language (the intro is plain text: HTML escapes it)."""
    order, tenant = message_order(message), current_tenant()
    with force_locale(order.locale or tenant.locale):
        return shop_email(message, tenant, str(subject(order)), "order", {
            "order": order, "tracking_url": tracking_url(order, tenant), "locale": order.locale,
            "status_label": STATUS_LABELS[order.status], "intro": intro(order)})


def order_sms(message: OutboxMessage, text) -> str:
    """The customer's SMS about their order; ``text`` is a callable of the order and the
    shop's tracking link, run in the order's language."""
    order, tenant = message_order(message), current_tenant()
    with force_locale(order.locale or tenant.locale):
        return text(order, tracking_url(order, tenant))


def _intro(topic: str, order: Order) -> str:
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
    return _("Votre commande %(n)s a été annulée.", n=n)


@composer(("email",), *SUBJECTS)
def compose_milestone_email(message: OutboxMessage) -> EmailMessage:
    return order_email(message, lambda order: SUBJECTS[message.topic] % {"n": order.number},
                       lambda order: _intro(message.topic, order))


@composer(("sms",), *SUBJECTS)
def compose_milestone_sms(message: OutboxMessage) -> str:
    def text(order: Order, url: str) -> str:
        texts = {
            "order_received": _("%(shop)s : commande %(n)s reçue. Suivi : %(url)s"),
            "order_prepared": _("%(shop)s : commande %(n)s prête. Suivi : %(url)s"),
            "order_shipped": _("%(shop)s : commande %(n)s expédiée. Suivi : %(url)s"),
            "order_delivered": _("%(shop)s : commande %(n)s livrée. Merci !"),
            "order_cancelled": _("%(shop)s : commande %(n)s annulée. Infos : %(url)s"),
            "payment_received": _("%(shop)s : paiement reçu pour la commande %(n)s. Merci !"),
        }
        return texts[message.topic] % {"shop": current_tenant().name, "n": order.number, "url": url}
    return order_sms(message, text)


@composer(("email",), "staff_new_order")
def compose_new_order_alert(message: OutboxMessage) -> EmailMessage:
    order = message_order(message)
    return alert_email(message, NEW_ORDER_SUBJECT, order.number, {"order": order, "note": ""})
