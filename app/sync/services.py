"""The sync write path: the tenant's link to its core system, inbound webhooks, pulls.

Webhooks are applied **in the request that delivers them**, not in a job: the core learns
at once whether the event was applied (200) or refused (4xx with a reason), and the work
is one small transaction. The event is stored first in ``SyncEvent`` (unique per tenant),
so a redelivered event id answers ``duplicate`` and changes nothing.

Every sync write for a tenant starts by updating its ``CoreConnection`` row: that row
lock serialises the tenant's webhooks and pulls, so two of them never compute a
difference from the same stale on_hand. Network calls happen outside any transaction.

Top-level functions here commit once; ``app.sync.apply`` holds the helpers that flush.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.core.db import changed_rows, utcnow
from app.core.jobs import enqueue
from app.extensions import db
from app.sync import apply, schemas, signing
from app.sync.client import CoreClient, CoreUnavailable
from app.sync.models import CoreConnection, SyncEvent
from app.sync.schemas import Invalid, Malformed, SyncRefused, Unauthenticated

log = logging.getLogger("app.sync")
EVENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
EVENT_TYPE = re.compile(r"[a-z][a-z0-9_.]{0,39}")
HANDLERS = {"stock.changed": apply.set_stock, "product.upserted": apply.upsert_product}
PULLS = ("products", "stock", "all")
MAX_BACKOFF_S = 3600
POLL_LEASE = timedelta(minutes=5)  # a poller that dies holds the connection this long
SINCE_MARGIN = timedelta(minutes=5)  # clock skew between the shop and the core


class NotConnected(LookupError):
    """The tenant has no (enabled) core connection."""


def connection() -> CoreConnection | None:
    return db.session.scalar(select(CoreConnection).where(CoreConnection.enabled.is_(True)))


def connect_core(base_url: str, api_token: str, *, webhook_secret: str | None = None,
                 expected_interval_s: int = 900) -> CoreConnection:
    """Create or update the current tenant's link (CLI); a new secret unless one is given."""
    if not base_url.startswith(("http://", "https://")) or expected_interval_s < 60:
        raise ValueError("base URL must be http(s) and the interval at least 60 s")
    link = db.session.scalar(select(CoreConnection)) or CoreConnection(mode="webhook", poll_failures=0)
    link.base_url, link.api_token, link.expected_interval_s = base_url.rstrip("/"), api_token, expected_interval_s
    link.webhook_secret = webhook_secret or link.webhook_secret or secrets.token_urlsafe(32)
    link.enabled = True
    db.session.add(link)
    db.session.commit()
    return link


def _lock(link_id: int, **values) -> None:
    db.session.execute(update(CoreConnection).where(CoreConnection.id == link_id)
                       .values(id=CoreConnection.id, **values).execution_options(synchronize_session=False))


def _refuse(exc: SyncRefused, event_id: str = "") -> SyncRefused:
    log.warning("core webhook refused (%s %s) event=%s: %s", exc.status, exc.reason, event_id[:100], exc.message)
    return exc


def _verify(link: CoreConnection | None, headers: Mapping, body: bytes) -> None:
    timestamp = headers.get(signing.TIMESTAMP_HEADER, "")
    given = headers.get(signing.SIGNATURE_HEADER, "")
    if link is None or not link.webhook_secret or not given or not timestamp:
        raise Unauthenticated("invalid_signature", "missing or invalid signature")
    if not signing.signature_matches(link.webhook_secret, timestamp, body, given):
        raise Unauthenticated("invalid_signature", "missing or invalid signature")
    fresh = timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
    if not fresh or abs(time.time() - int(timestamp)) > signing.TOLERANCE_S:
        raise Unauthenticated("stale_timestamp", f"timestamp more than {signing.TOLERANCE_S} s away")


def receive_webhook(headers: Mapping, body: bytes) -> dict:
    """Verify, store, apply one webhook. Raises SyncRefused (with its HTTP status)."""
    link = connection()
    event_id = headers.get(signing.EVENT_HEADER, "").strip()
    try:
        _verify(link, headers, body)
        if not EVENT_ID.fullmatch(event_id):
            raise Malformed("malformed", f"{signing.EVENT_HEADER}: 1 to 100 of A-Z a-z 0-9 . _ : -")
        try:
            kind, data = schemas.envelope(json.loads(body))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise Malformed("malformed", "the body is not JSON") from exc
        if not EVENT_TYPE.fullmatch(kind):
            raise Malformed("malformed", "type: a lowercase event name")
    except SyncRefused as exc:
        raise _refuse(exc, event_id) from None
    seen = db.session.scalar(select(SyncEvent).where(SyncEvent.event_id == event_id))
    if seen is not None:
        return {"status": "duplicate", "event_id": event_id, "outcome": seen.outcome}
    now = utcnow()
    # A valid webhook proves the link works: back to webhook mode, polling stops.
    _lock(link.id, last_webhook_at=now, mode="webhook", poll_failures=0, next_poll_at=None)
    event = SyncEvent(event_id=event_id, kind=kind, payload=data, received_at=now, outcome="pending")
    db.session.add(event)
    try:
        db.session.flush()
    except IntegrityError:  # the same event delivered twice at the same moment
        db.session.rollback()
        return {"status": "duplicate", "event_id": event_id, "outcome": "pending"}
    try:
        handler = HANDLERS.get(kind)
        if handler is None:
            raise Invalid("unknown_event_type", f"unknown event type {kind}")
        result = handler(data)
    except SyncRefused as exc:
        event.outcome, event.error, event.processed_at = "rejected", f"{exc.reason}: {exc.message}"[:2000], now
        db.session.commit()
        raise _refuse(exc, event_id) from None
    event.outcome, event.processed_at = "applied", now
    db.session.commit()
    return {"status": "applied", "event_id": event_id, "type": kind, "result": result}


def request_pull(what: str) -> dict:
    """On demand (API): queue a pull from the core after this transaction commits."""
    if what not in PULLS:
        raise ValueError(what)
    if connection() is None:
        raise NotConnected("no core connection")
    enqueue("app.sync.jobs.pull", what, queue="sync")
    db.session.commit()
    return {"status": "queued", "job": "app.sync.jobs.pull", "pull": what, "queue": "sync"}


def mark_degraded() -> bool:
    """webhook → degraded once no webhook came within the expected interval."""
    link = connection()
    if link is None or link.mode != "webhook":
        return False
    cutoff = utcnow() - timedelta(seconds=link.expected_interval_s)
    switched = changed_rows(
        update(CoreConnection)
        .where(CoreConnection.id == link.id, CoreConnection.mode == "webhook",
               or_(CoreConnection.last_webhook_at < cutoff,
                   CoreConnection.last_webhook_at.is_(None) & (CoreConnection.created_at < cutoff)))
        .values(mode="degraded", next_poll_at=None)
        .execution_options(synchronize_session=False)
    ) == 1
    db.session.commit()
    if switched:
        log.warning("core link degraded: no webhook for %s s, polling", link.expected_interval_s)
    return switched


def _claim_poll(link_id: int) -> bool:
    now = utcnow()
    claimed = changed_rows(
        update(CoreConnection)
        .where(CoreConnection.id == link_id, CoreConnection.mode == "degraded",
               or_(CoreConnection.next_poll_at.is_(None), CoreConnection.next_poll_at <= now))
        .values(next_poll_at=now + POLL_LEASE)
        .execution_options(synchronize_session=False)
    ) == 1
    db.session.commit()
    return claimed


def backoff_seconds(failures: int) -> int:
    return min(60 * 2 ** failures, MAX_BACKOFF_S)


def pull(what: str = "all", *, scheduled: bool = False) -> dict:
    """Fetch from the core and apply idempotently. ``scheduled`` (degraded mode) polls only
    when due and claims the connection first, so two schedulers never poll together.

    ``last_poll_at`` is the time of the last successful pull that included products: the
    next one asks for products changed since then (minus a margin). Stock is always a
    full snapshot.
    """
    link = connection()
    if link is None:
        raise NotConnected("no core connection")
    link_id, started = link.id, utcnow()
    if scheduled and not _claim_poll(link_id):
        return {"status": "not_due"}
    link = db.session.get(CoreConnection, link_id)
    with_products = what in ("products", "all")
    since = link.last_poll_at - SINCE_MARGIN if (link.last_poll_at and scheduled) else None
    client = CoreClient(link.base_url, link.api_token)
    db.session.rollback()  # no transaction stays open across the network calls
    try:
        products = client.products(since) if with_products else []
        stock = client.stock() if what in ("stock", "all") else []
    except CoreUnavailable as exc:
        return _poll_failed(link_id, str(exc))
    _lock(link_id)
    counts = {"products": 0, "stock_changed": 0, "refused": 0}
    for handler, items in ((apply.upsert_product, products), (apply.set_stock, stock)):
        for item in items:
            try:
                result = handler(item)
            except SyncRefused as exc:  # one bad item does not hold back the others
                counts["refused"] += 1
                log.warning("core pull: item refused (%s): %s", exc.reason, exc.message)
                continue
            if handler is apply.upsert_product:
                counts["products"] += 1
            elif result["delta"]:
                counts["stock_changed"] += 1
    values = {"poll_failures": 0, "last_error": "", "next_poll_at": None}
    if with_products:
        values["last_poll_at"] = started
    _lock(link_id, **values)
    db.session.commit()
    return {"status": "ok", **counts}


def _poll_failed(link_id: int, error: str) -> dict:
    # Counted in SQL: an on-demand pull failing at the same time loses no failure.
    _lock(link_id, poll_failures=CoreConnection.poll_failures + 1, last_error=error[:2000])
    link = db.session.scalar(select(CoreConnection).where(CoreConnection.id == link_id)
                             .execution_options(populate_existing=True))
    delay = backoff_seconds(link.poll_failures)
    link.next_poll_at = utcnow() + timedelta(seconds=delay)
    db.session.commit()
    log.warning("core pull failed (%s in a row, next in %s s): %s", link.poll_failures, delay, error)
    return {"status": "failed", "error": error, "failures": link.poll_failures, "retry_in_s": delay}
