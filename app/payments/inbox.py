"""The inbox: every provider callback is stored first, then processed by a job.

``receive`` runs in the callback request: it stores the raw event (a replay hits the
unique key and is answered without a second row) and enqueues ``process`` after commit.
``process`` never trusts a callback: it checks it (notif_token, PayPal's signature,
amount) and then asks the provider's status endpoint, whose answer is what is applied.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.jobs import enqueue
from app.extensions import db
from app.payments.models import Payment, ProviderEvent
from app.payments.providers.base import PENDING, REFUNDED, SUCCEEDED, Rejected
from app.payments.providers.registry import provider
from app.payments.services import transition

KEPT_HEADERS = ("content-type", "user-agent", "x-request-id", "paypal-transmission-id", "paypal-transmission-time",
                "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo")


def receive(method: str, body: bytes, headers: dict, url_reference: str = "") -> tuple[int, bool, str]:
    """Store a callback. Returns (event id, whether it is new, why it was refused on receipt:
    "" unless the body is not a JSON object)."""
    prov = provider(method)
    kept = {k: v for k, v in ((k.lower(), v) for k, v in headers.items()) if k in KEPT_HEADERS}
    text = body.decode("utf-8", errors="replace")
    malformed = not _is_json_object(body)
    reference = "" if malformed else prov.callback_reference(body, kept, url_reference)[:128]
    key = (hashlib.sha256(url_reference.encode() + b"|" + body).hexdigest() if malformed
           else prov.event_key(body, kept, url_reference or reference)[:128])
    existing = _stored(method, key)
    if existing is not None:
        return existing.id, False, ""
    event = ProviderEvent(provider=method, event_key=key, reference=reference or url_reference[:128], body=text,
                          headers=kept)
    if malformed:
        event.outcome, event.reason, event.processed_at = "rejected", "malformed body", utcnow()
    try:
        db.session.add(event)
        db.session.flush()
    except IntegrityError:  # the same event arriving twice at the same instant
        db.session.rollback()
        stored = _stored(method, key)
        if stored is None:  # the other copy rolled back too: let the provider retry
            raise
        return stored.id, False, ""
    event_id = event.id
    if not malformed:
        enqueue("app.payments.inbox.process", event_id, queue="callbacks")
    db.session.commit()  # without Redis the job runs right here, after the commit
    return event_id, True, event.reason if malformed else ""


def _stored(method: str, key: str) -> ProviderEvent | None:
    return db.session.scalar(select(ProviderEvent).where(ProviderEvent.provider == method,
                                                         ProviderEvent.event_key == key))


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


def process(event_id: int) -> str:
    """Job: check the event, ask the provider, move the payment. Safe to run twice; a
    provider that cannot be reached raises, and the job is retried later."""
    event = db.session.get(ProviderEvent, event_id)
    if event is None or event.processed_at is not None:
        return "done"
    prov = provider(event.provider)
    payment = db.session.scalar(select(Payment).where(Payment.reference == event.reference,
                                                      Payment.method == event.provider))
    if payment is None:
        return _close(event, "rejected", "unknown reference")
    event.payment_id = payment.id
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    try:
        claimed = prov.check_callback(payment, event.body.encode("utf-8"), headers)
        _check_amount(payment, claimed)
        truth = prov.fetch_status(payment)  # ProviderUnavailable propagates: retried
        _check_amount(payment, truth)
    except Rejected as exc:
        return _close(event, "rejected", exc.reason)
    moved = transition(payment, truth)
    note = "" if claimed.status == truth.status else f"callback said {claimed.status}, provider says {truth.status}"
    if payment.needs_review and truth.status == SUCCEEDED and payment.status != SUCCEEDED:
        return _close(event, "late", note or "success after the payment was closed")
    return _close(event, "applied" if moved else "ignored", note or ("" if moved or truth.status != PENDING
                                                                      else "still pending"))


def _check_amount(payment: Payment, observed) -> None:
    """The amount a provider reports must be the one asked for, in the currency asked for."""
    if observed.amount is None or observed.status == REFUNDED:  # a refund may be partial
        return
    amount = payment.provider_amount if payment.provider_currency else payment.amount
    currency = payment.provider_currency or payment.currency
    if observed.amount != amount or (observed.currency and observed.currency.upper() != currency):
        raise Rejected(f"amount/currency mismatch: {observed.amount} {observed.currency} ≠ {amount} {currency}")


def _close(event: ProviderEvent, outcome: str, reason: str = "") -> str:
    event.outcome, event.reason, event.processed_at = outcome, reason[:255], utcnow()
    db.session.commit()
    return outcome
