"""Refunds: staff give money back through the provider where it can, or record a refund
paid out by hand; a full refund made on the provider's own dashboard is mirrored here.

A staff refund is written as ``pending`` and committed before the provider is called, so
the provider's refund webhook (which can arrive before this request ends) finds it and
leaves the bookkeeping to this module instead of counting the money twice.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.audit import audit
from app.extensions import db
from app.orders.models import Order
from app.orders.services import set_payment_status
from app.payments.errors import PaymentError, PaymentUnavailable, failure_message
from app.payments.messages import notify_refund
from app.payments.models import Payment, Refund
from app.payments.providers.base import REFUNDED, SUCCEEDED, Observed, ProviderRefused, ProviderUnavailable
from app.payments.providers.registry import provider

CHANNELS = ("provider", "cash", "mobile_money")


def refund_order(order: Order, amount: int, *, channel: str, actor, note: str = "") -> Refund:
    """Give money back: through the provider (``channel="provider"``) where it can, else a
    record of a refund paid out by hand (``"cash"`` / ``"mobile_money"``)."""
    if channel not in CHANNELS:
        raise PaymentError(_l("Mode de remboursement inconnu."))
    if amount <= 0:
        raise PaymentError(_l("Le montant doit être positif."))
    if order.payment_status not in ("paid", "partially_refunded"):
        raise PaymentError(_l("Seule une commande payée peut être remboursée."))
    taken = _refunded_total(order, ("succeeded", "pending"))
    if amount > order.total - taken:
        raise PaymentError(_l("Le remboursement dépasse ce qui reste payé (%(n)s).", n=order.total - taken))
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == SUCCEEDED))
    if channel == "provider" and payment is None:
        raise PaymentError(_l("Aucun paiement en ligne à rembourser : enregistrez un remboursement manuel."))
    refund = Refund(order_id=order.id, payment_id=payment.id if payment else None, amount=amount,
                    currency=order.currency, channel=channel, note=note[:500], actor=getattr(actor, "email", actor),
                    status="pending")
    db.session.add(refund)
    db.session.commit()
    if channel == "provider" and payment is not None:  # checked above: a provider refund has its payment
        try:
            observed = provider(payment.method).refund(payment, amount)
        except (ProviderRefused, ProviderUnavailable) as exc:
            refund.status = "failed"
            db.session.commit()
            if isinstance(exc, ProviderUnavailable):
                raise PaymentUnavailable(_l("Le service de paiement ne répond pas. Réessayez plus tard.")) from exc
            raise PaymentError(_l("Ce moyen de paiement ne permet pas de rembourser automatiquement : "
                                  "enregistrez un remboursement manuel.") if exc.reason == "NOT_SUPPORTED"
                               else failure_message(exc.reason)) from exc
        refund.provider_reference = observed.provider_reference[:64]
    refund.status = "succeeded"
    if payment is not None:
        _add_to_payment(payment, amount)
    before = order.payment_status
    _set_order_status(order, refund.actor)
    notify_refund(order, refund.id, amount)
    if hasattr(actor, "id"):
        audit(actor, "order.refund", "order", order.id, before={"payment_status": before},
              after={"payment_status": order.payment_status, "refund": amount, "channel": channel})
    db.session.commit()
    return refund


def provider_refunded_everything(payment: Payment, observed: Observed) -> bool:
    """A REFUNDED state we did not cause: the whole capture refunded, and no refund of ours
    on this payment (a partial one made on the provider's dashboard is left to staff)."""
    if observed.data.get("refund_status", "REFUNDED") != "REFUNDED":
        return False
    return not db.session.scalar(select(func.count()).select_from(Refund).where(Refund.payment_id == payment.id))


def record_provider_refund(payment: Payment, order: Order, actor: str) -> None:
    """Mirror a full refund made at the provider (the payment has just moved to refunded)."""
    amount = payment.amount - payment.refunded_amount
    refund = Refund(order_id=order.id, payment_id=payment.id, amount=amount, currency=payment.currency,
                    channel="provider", actor=actor, note="Remboursé chez le fournisseur / refunded at the provider")
    db.session.add(refund)
    db.session.flush()
    payment.refunded_amount = payment.amount
    _set_order_status(order, actor)
    notify_refund(order, refund.id, amount)


def _refunded_total(order: Order, statuses: tuple[str, ...]) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.order_id == order.id, Refund.status.in_(statuses))) or 0


def _add_to_payment(payment: Payment, amount: int) -> None:
    payment.refunded_amount += amount
    if payment.refunded_amount >= payment.amount:
        db.session.execute(update(Payment).where(Payment.id == payment.id, Payment.status == SUCCEEDED)
                           .values(status=REFUNDED).execution_options(synchronize_session=False))


def _set_order_status(order: Order, actor: str) -> None:
    db.session.flush()
    status = "refunded" if _refunded_total(order, ("succeeded",)) >= order.total else "partially_refunded"
    if order.payment_status != status:
        set_payment_status(order, status, actor=actor)
