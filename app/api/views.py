"""API endpoints: parse, call one service, answer JSON."""
from __future__ import annotations

from flask import request

from app.api import bp
from app.api.auth import require_scope
from app.api.errors import ApiError
from app.sync import services as sync


def _queue_pull(what: str):
    try:
        return sync.request_pull(what), 202
    except sync.NotConnected as exc:
        raise ApiError(409, "no_core_connection", "this tenant has no core connection configured") from exc


@bp.post("/products/sync")
@require_scope("catalog:write")
def sync_products():
    """Pull the catalog from the core now (queued on "sync")."""
    return _queue_pull("products")


@bp.post("/sync-inventory")
@require_scope("inventory:write")
def sync_inventory():
    """Pull the stock snapshot from the core now (queued on "sync")."""
    return _queue_pull("stock")


@bp.post("/sync/webhook")
def receive_core_webhook():
    """Signed webhook from the core (HMAC, no API key): applied before answering."""
    return sync.receive_webhook(request.headers, request.get_data(cache=False)), 200
