"""The payment write path: start an attempt, move it forward, refund.

Every state change goes through :func:`transition`: a conditional ``UPDATE … WHERE status =
:old`` decides which of several racing workers (ten copies of one callback, a poll and a
callback together) moves the payment; the others see nothing to do. The order's payment
status, its history and its stock move in the same transaction.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.audit import Actor, audit
from app.core.db import changed_rows, utcnow
from app.core.money import MoneyError
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation
from app.orders.models import Order
from app.orders.services import set_payment_status
from app.payments import refunds
from app.payments.errors import PaymentError, PaymentUnavailable, failure_message
from app.payments.messages import alert_payment_failures, alert_payment_review
from app.payments.models import Payment
from app.payments.providers.base import (
    EXPIRED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    Observed,
    ProviderRefused,
    ProviderUnavailable,
    Urls,
)
from app.payments.providers.paypal import PayPal, convert
from app.payments.providers.registry import enabled_methods, provider
from app.tenancy.settings import current_tenant, tenant_setting

FIRST_CHECK_S, MAX_INTERVAL_S = 30, 1800  # reconciliation: first look, then doubling up to this
LATE_CHECK = timedelta(hours=1)  # an expired payment is asked once more, this much later
FAILURE_SPIKE = 5  # failed online payments of one method within 15 minutes → staff alert


def mask_msisdn(msisdn: str) -> str:
    return f"{msisdn[:3]}•••{msisdn[-2:]}" if len(msisdn) > 5 else "•••"


# --- starting ---------------------------------------------------------------------------

def start_payment(order: Order, method: str, *, urls_for: Callable[[Payment], Urls], msisdn: str = "",
                  idempotency_key: str = "") -> Payment | None:
    """Start paying ``order`` with ``method``; the caller sends the shopper on from the
    returned payment (None for cash on delivery). Safe to repeat with the same key."""
    if idempotency_key:
        found = db.session.scalar(select(Payment).where(Payment.idempotency_key == idempotency_key))
        if found is not None:
            return found
    tenant = current_tenant()
    if method not in enabled_methods(tenant):
        raise PaymentError(_l("Ce moyen de paiement n’est pas proposé."))
    if order.status != "received" or order.payment_status not in ("pending", "failed"):
        raise PaymentError(_l("Cette commande n’attend pas de paiement."))
    _settle_open_attempts(order)
    if order.payment_status == "paid":  # an earlier attempt turned out to have worked
        return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == SUCCEEDED))
    chosen = provider(method)
    if not chosen.online:
        _switch_to_cash(order, tenant)
        return None

    window = timedelta(minutes=int(current_app.config[chosen.window_setting]))
    _hold_stock(order, utcnow() + max(window, timedelta(minutes=tenant_setting(tenant,
                                                                                "payment_reservation_minutes"))))
    payment = Payment(order_id=order.id, method=method, amount=order.total, currency=order.currency,
                      reference=str(uuid.uuid4()), idempotency_key=idempotency_key or None,
                      payer=mask_msisdn(msisdn) if msisdn else "", data={}, expires_at=utcnow() + window,
                      next_check_at=utcnow() + timedelta(seconds=30))
    db.session.add(payment)
    payment.order = order
    if method == "paypal":
        target = tenant_setting(tenant, "paypal_currency")
        try:
            payment.provider_amount, payment.exchange_rate = convert(order.total, order.currency,
                                                                     tenant_setting(tenant, "paypal_rate"), target)
        except MoneyError as exc:  # a rate staff mistyped: say so rather than charge a wrong amount
            db.session.rollback()
            raise PaymentError(_l("PayPal n’est pas disponible pour cette commande. Choisissez un autre moyen "
                                  "de paiement.")) from exc
        payment.provider_currency = target
    if order.payment_method != method or order.payment_status != "pending":
        set_payment_status(order, "pending", actor="shop", note=f"{order.payment_method} → {method}")
    order.payment_method = method
    db.session.commit()  # the attempt exists before the provider hears of it: nothing is lost
    return _call_start(payment, urls_for(payment), msisdn)


def _call_start(payment: Payment, urls: Urls, msisdn: str) -> Payment:
    try:
        started = provider(payment.method).start(payment, urls, msisdn=msisdn)
    except ProviderUnavailable as exc:
        current_app.logger.warning("payment %s: provider unavailable at start: %s", payment.reference, exc)
        raise PaymentUnavailable(_l("Le service de paiement ne répond pas. Réessayez ou choisissez un autre "
                                    "moyen de paiement.")) from exc
    except ProviderRefused as exc:
        transition(payment, Observed(FAILED, reason=exc.reason[:120]), actor="shop")
        db.session.commit()
        raise PaymentError(failure_message(exc.reason)) from exc
    payment.created = True
    payment.provider_reference = started.provider_reference[:64] or payment.provider_reference
    payment.data = {**(payment.data or {}), **started.data, "redirect_url": started.redirect_url}
    db.session.commit()
    return payment


def _settle_open_attempts(order: Order) -> None:
    """Before a new attempt: no earlier one may still be able to take money."""
    for payment in db.session.scalars(select(Payment).where(Payment.order_id == order.id,
                                                            Payment.status == PENDING)):
        observed = ask(payment)
        if observed is not None and observed.status != PENDING:
            transition(payment, observed)
            db.session.commit()
            continue
        if payment.method == "momo" and observed is None:
            raise PaymentUnavailable(_l("Nous ne pouvons pas vérifier votre demande Mobile Money en cours. "
                                        "Réessayez dans un instant."))
        if payment.method == "momo":
            # The prompt may still be on the shopper's phone: approving it would charge twice.
            raise PaymentError(_l("Une demande de paiement Mobile Money attend encore sur votre téléphone. "
                                  "Validez-la ou refusez-la, puis réessayez."))
        # Orange / PayPal: money moves only if the shopper finishes on the provider's page;
        # leaving it is giving up (a late success is still recorded and flagged).
        transition(payment, Observed(FAILED, reason="ABANDONED"), actor="shop")
        db.session.commit()


def ask(payment: Payment) -> Observed | None:
    """The provider's word now, or None when it cannot be reached."""
    if not payment.created and payment.method != "momo":
        return Observed(FAILED, reason="NOT_CREATED")  # the shopper never got a payment page
    try:
        return provider(payment.method).fetch_status(payment)
    except ProviderUnavailable:
        return None


def _switch_to_cash(order: Order, tenant) -> None:
    _hold_stock(order, utcnow() + timedelta(hours=tenant_setting(tenant, "cod_reservation_hours")))
    set_payment_status(order, "pending", actor="shop", note=f"{order.payment_method} → cod")
    order.payment_method = "cod"
    db.session.commit()


def _hold_stock(order: Order, until) -> None:
    """Keep (or take back, after a failed attempt released it) the order's stock until ``until``."""
    reservations = list(db.session.scalars(select(Reservation).where(Reservation.order_id == order.id)
                                           .order_by(Reservation.variant_id, Reservation.store_id)))
    if any(r.status == "active" for r in reservations):
        for r in reservations:
            if r.status == "active":
                r.expires_at = max(r.expires_at, until)
        return
    try:
        for r in reservations:
            if r.status in ("released", "expired"):
                inventory.reserve(r.variant_id, r.store_id, r.quantity, order_id=order.id, expires_at=until,
                                  actor="shop")
    except inventory.OutOfStock as exc:
        db.session.rollback()
        raise PaymentError(_l("Un article de votre commande n’est plus en stock. Contactez la boutique.")) from exc


def refresh(payment: Payment, *, min_age_seconds: int = 0) -> bool:
    """Ask the provider about a pending payment now (the shopper is waiting on our page)."""
    if payment.status != PENDING or (min_age_seconds and utcnow() - payment.updated_at
                                      < timedelta(seconds=min_age_seconds)):
        return False
    observed = ask(payment)
    if observed is None or observed.status == PENDING:
        payment.updated_at = utcnow()  # ask again in a few seconds, not on every poll
        db.session.commit()
        return False
    return apply(payment, observed, actor="shop")


def complete_return(payment: Payment) -> bool:
    """The shopper is back from the provider's page: PayPal is captured now (paid only if
    the capture itself is COMPLETED); Orange is asked for its real status."""
    if payment.status != PENDING:
        return False
    if payment.method != "paypal":
        return refresh(payment)
    paypal = provider("paypal")
    assert isinstance(paypal, PayPal)  # only PayPal captures on return
    try:
        observed = paypal.capture(payment)
    except ProviderUnavailable as exc:
        raise PaymentUnavailable(_l("PayPal ne répond pas. Votre paiement n’a pas été pris ; réessayez dans un "
                                    "instant.")) from exc
    except ProviderRefused as exc:
        observed = Observed(FAILED, reason=exc.reason[:120])
    if observed.data.get("capture_id"):
        payment.data = {**payment.data, "capture_id": observed.data["capture_id"]}
    return apply(payment, observed, actor="shop")


def check(payment: Payment) -> bool:
    """Reconciliation of one pending (or just expired) payment: ask the provider, apply a
    final answer, expire it once its window has passed, else schedule the next look with
    backoff (flushes; the caller commits). True if the payment moved."""
    observed = ask(payment)
    moved = False
    if payment.status == EXPIRED:  # the one late look
        if observed is not None:
            moved = transition(payment, observed)
            payment.next_check_at = None
        else:
            payment.next_check_at = utcnow() + LATE_CHECK
    elif observed is not None and observed.status != PENDING:
        moved = transition(payment, observed)
    elif utcnow() >= payment.expires_at:
        moved = transition(payment, Observed(EXPIRED, reason="WINDOW_ELAPSED"))
        if payment.method != "paypal":  # PayPal takes money only when we capture: nothing can come late
            payment.next_check_at = utcnow() + LATE_CHECK
    else:
        payment.checks += 1
        interval = min(FIRST_CHECK_S * 2 ** payment.checks, MAX_INTERVAL_S)
        payment.next_check_at = min(utcnow() + timedelta(seconds=interval), payment.expires_at)
    return moved


def check_now(payment: Payment, *, actor: Actor) -> Payment:
    """Staff's "check now": ask the provider whatever the schedule says, apply the answer
    and audit it, in one commit."""
    before = payment.status
    payment.next_check_at = utcnow()  # due now, whatever the schedule said
    check(payment)
    audit(actor, "payment.check", "payment", payment.id, before={"status": before}, after={"status": payment.status})
    db.session.commit()
    return payment


# --- moving forward ---------------------------------------------------------------------

def apply(payment: Payment, observed: Observed, *, actor: str = "system") -> bool:
    """Bring the payment to what the provider says, forward only; commits. True if it moved."""
    moved = transition(payment, observed, actor=actor)
    db.session.commit()
    return moved


FORWARD = {PENDING: (SUCCEEDED, FAILED, EXPIRED), SUCCEEDED: (REFUNDED,)}
MOVE, THROUGH_SUCCESS, LATE, IGNORE = "move", "through_success", "late", "ignore"


def decide(old: str, new: str) -> str:
    """What the provider observing ``new`` does to a payment in ``old`` (no database):
    ``MOVE`` forward (FORWARD); ``THROUGH_SUCCESS`` for pending → refunded, the completion
    and the refund both happened: succeeded first, then refunded; ``LATE`` for a success
    after failed or expired: the money came after all, flagged for staff to review;
    ``IGNORE`` when nothing is new or it goes backwards (a stale "pending" or "failed"
    after success)."""
    if new in (old, PENDING):
        return IGNORE
    if old in (FAILED, EXPIRED) and new in (SUCCEEDED, REFUNDED):
        return LATE
    if old == PENDING and new == REFUNDED:
        return THROUGH_SUCCESS
    return MOVE if new in FORWARD.get(old, ()) else IGNORE


def transition(payment: Payment, observed: Observed, *, actor: str = "system") -> bool:
    """The payment state machine: move ``payment`` to what the provider observed, as
    :func:`decide` says, through one conditional UPDATE so that of several racing workers
    exactly one wins; the order's payment status and its stock follow in the same
    transaction (flushes; the caller commits). True if this call moved it."""
    decision = decide(payment.status, observed.status)
    if decision == IGNORE:
        return False
    if decision == LATE:
        return _late_success(payment, observed)
    if decision == THROUGH_SUCCESS:
        transition(payment, Observed(SUCCEEDED, provider_reference=observed.provider_reference), actor=actor)
        if payment.status != SUCCEEDED:
            return True
    old, new = payment.status, observed.status
    if new == REFUNDED and not refunds.provider_refunded_everything(payment, observed):
        return False  # staff's own refunds (app.payments.refunds) are recorded there
    won = changed_rows(
        update(Payment).where(Payment.id == payment.id, Payment.status == old)
        .values(status=new, reason=observed.reason[:120] or payment.reason, finalized_at=utcnow(),
                provider_reference=(observed.provider_reference or payment.provider_reference)[:64],
                next_check_at=None).execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    if not won:
        return False  # another worker moved it first
    if observed.data:
        payment.data = {**(payment.data or {}), **observed.data}
    order = db.session.get_one(Order, payment.order_id)
    if new == SUCCEEDED:
        _succeeded(payment, order, actor)
    elif new in (FAILED, EXPIRED):
        _failed(payment, order, actor)
    else:
        _refunded(payment, order, observed.amount, actor)
    return True


def _succeeded(payment: Payment, order: Order, actor: str) -> None:
    if order.status == "cancelled" or order.payment_status == "paid":
        _flag(payment, "Paiement reçu pour une commande déjà payée ou annulée : rembourser ou rétablir.")
        return
    active = list(db.session.scalars(select(Reservation).where(Reservation.order_id == order.id,
                                                               Reservation.status == "active")
                                     .order_by(Reservation.variant_id, Reservation.store_id)))
    for reservation in active:  # paid: the units are sold and no longer expire
        inventory.confirm(reservation, actor=actor)
    set_payment_status(order, "paid", actor=actor, note=payment.method)


def _failed(payment: Payment, order: Order, actor: str) -> None:
    others = db.session.scalar(select(func.count()).select_from(Payment).where(
        Payment.order_id == order.id, Payment.id != payment.id, Payment.status.in_((PENDING, SUCCEEDED))))
    if others or order.payment_status != "pending" or order.payment_method != payment.method:
        return  # another attempt (or cash on delivery) carries the order now
    for reservation in db.session.scalars(select(Reservation).where(Reservation.order_id == order.id,
                                                                    Reservation.status == "active")
                                          .order_by(Reservation.variant_id, Reservation.store_id)):
        inventory.release(reservation, reason=f"Paiement {payment.status} ({payment.reason})", actor=actor)
    set_payment_status(order, "failed", actor=actor, note=f"{payment.method}: {payment.reason}"[:500])
    _watch_failure_rate(payment.method)


def _refunded(payment: Payment, order: Order, amount: int | None, actor: str) -> None:
    refunds.record_provider_refund(payment, order, actor)


def _late_success(payment: Payment, observed: Observed) -> bool:
    if payment.needs_review:
        return False
    _flag(payment, f"Succès tardif ({observed.status}) après {payment.status} : vérifier et rembourser ou valider.")
    payment.provider_reference = (observed.provider_reference or payment.provider_reference)[:64]
    return True


def _flag(payment: Payment, note: str) -> None:
    payment.needs_review, payment.review_note = True, note[:255]
    alert_payment_review(payment.id, payment.order_id, note)


def resolve_review(payment: Payment, *, actor, note: str) -> None:
    """Staff dealt with a flagged payment (refunded it by hand, or kept the order)."""
    before = {"needs_review": payment.needs_review, "review_note": payment.review_note}
    payment.needs_review = False
    payment.review_note = f"{payment.review_note} — {note}"[:255] if note else payment.review_note
    audit(actor, "payment.resolve", "payment", payment.id, before=before,
          after={"needs_review": False, "review_note": payment.review_note})
    db.session.commit()


def _watch_failure_rate(method: str) -> None:
    now = utcnow()
    window_start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    failures = db.session.scalar(select(func.count()).select_from(Payment).where(
        Payment.method == method, Payment.status.in_((FAILED, EXPIRED)), Payment.finalized_at >= window_start,
        Payment.reason != "ABANDONED")) or 0
    if failures >= FAILURE_SPIKE:
        alert_payment_failures(method, failures, window_start.isoformat())
