"""What payments tell: the customer of a refund, the staff of payments to check and of
failure spikes."""
from __future__ import annotations

from email.message import EmailMessage

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.money import format_money
from app.orders.messages import message_order, order_email, order_sms
from app.orders.models import Order
from app.outbox.models import OutboxMessage
from app.outbox.queue import queue
from app.outbox.registry import composer
from app.payments.providers.registry import label as method_label
from app.staff.messages import alert_email, alert_staff
from app.tenancy.settings import current_tenant

REFUND_SUBJECT = _l("Remboursement pour la commande %(n)s")
REVIEW_SUBJECT = _l("Paiement à vérifier : commande %(n)s")
FAILURES_SUBJECT = _l("Paiements en échec : %(n)s")


def notify_refund(order: Order, refund_id: int, amount: int) -> None:
    """Tell the customer money is on its way back, once per refund (flushes)."""
    payload = {"order_id": order.id, "refund_id": refund_id, "amount": amount}
    if order.email:
        queue("email", "refund_issued", order.email, f"refund:{refund_id}:email", payload)
    if order.phone:
        queue("sms", "refund_issued", order.phone, f"refund:{refund_id}:sms", payload)


def alert_payment_review(payment_id: int, order_id: int, note: str) -> None:
    alert_staff("payment_review", f"payment:{payment_id}:review", {"order_id": order_id, "note": note})


def alert_payment_failures(method: str, failures: int, window_start: str) -> None:
    """A spike of failed payments (provider down, misconfigured?): once per method and window."""
    alert_staff("payment_failures", f"payfail:{method}:{window_start}", {"method": method, "failures": failures})


def _amount(message: OutboxMessage, order: Order) -> str:
    return format_money(message.payload.get("amount") or 0, order.currency, str(get_locale()))


@composer(("email",), "refund_issued")
def compose_refund_email(message: OutboxMessage) -> EmailMessage:
    return order_email(message, lambda order: REFUND_SUBJECT % {"n": order.number},
                       lambda order: _("Nous vous remboursons %(amount)s pour la commande %(n)s.",
                                       amount=_amount(message, order), n=order.number))


@composer(("sms",), "refund_issued")
def compose_refund_sms(message: OutboxMessage) -> str:
    return order_sms(message, lambda order, _url: _("%(shop)s : remboursement de %(amount)s pour la commande "
                                                    "%(n)s.") % {"shop": current_tenant().name, "n": order.number,
                                                                 "amount": _amount(message, order)})


@composer(("email",), "staff_payment_review")
def compose_review_alert(message: OutboxMessage) -> EmailMessage:
    order = message_order(message)
    return alert_email(message, REVIEW_SUBJECT, order.number, {"order": order,
                                                 "note": message.payload.get("note", "")})


@composer(("email",), "staff_payment_failures")
def compose_failures_alert(message: OutboxMessage) -> EmailMessage:
    method, failures = message.payload["method"], message.payload["failures"]
    label = method_label(method)
    return alert_email(message, FAILURES_SUBJECT, f"{label} × {failures}", {"failures": failures,
                                                   "method_label": label})
