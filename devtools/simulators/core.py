"""A local stand-in for the core AfriGest system, speaking the shop's sync protocol.

It serves ``GET /api/products[?since=]`` and ``GET /api/stock`` (see app.sync.client) from
an in-memory catalog, takes stock changes (``set_stock`` or ``POST /admin/stock`` with
``{"sku", "store", "on_hand", "push": bool}``) and sends signed webhooks to the shop
(``push_stock``, ``push_product``; see app.sync.signing). ``down = True`` makes every
endpoint answer 503, as a core that is offline. For tests and demos; not the shop's app.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from flask import Flask, abort, request

from app.sync import signing


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CoreState:
    def __init__(self, token: str, webhook_secret: str, webhook_url: str = ""):
        self.token, self.webhook_secret, self.webhook_url = token, webhook_secret, webhook_url
        self.products: dict[str, dict] = {}
        self.changed_at: dict[str, datetime] = {}
        self.stock: dict[tuple[str, str], int] = {}
        self.down = False
        self.requests: list[str] = []  # "GET /api/stock", … as served (polls, for tests)
        self.orders: dict[str, dict] = {}  # Idempotency-Key → order pushed by the shop
        self._lock = threading.Lock()

    def upsert_product(self, payload: dict) -> None:
        with self._lock:
            self.products[payload["sku"]] = dict(payload)
            self.changed_at[payload["sku"]] = _now()

    def set_stock(self, sku: str, store: str, on_hand: int) -> None:
        with self._lock:
            self.stock[(sku, store)] = on_hand

    def signed(self, kind: str, data: dict, *, event_id: str | None = None,
               timestamp: int | str | None = None) -> tuple[dict, bytes]:
        """(headers, body) of one webhook, signed with the tenant's secret."""
        body = json.dumps({"type": kind, "data": data}).encode()
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {signing.EVENT_HEADER: event_id or uuid.uuid4().hex, signing.TIMESTAMP_HEADER: ts,
                signing.SIGNATURE_HEADER: signing.signature(self.webhook_secret, ts, body),
                "Content-Type": "application/json"}, body

    def push(self, kind: str, data: dict) -> tuple[int, dict]:
        """POST one signed webhook to ``webhook_url``; (status, JSON answer)."""
        headers, body = self.signed(kind, data)
        try:
            with urlopen(Request(self.webhook_url, data=body, headers=headers, method="POST"), timeout=10) as r:
                return r.status, json.loads(r.read())
        except HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def push_stock(self, sku: str, store: str) -> tuple[int, dict]:
        return self.push("stock.changed", {"sku": sku, "store": store, "on_hand": self.stock[(sku, store)]})

    def push_product(self, sku: str) -> tuple[int, dict]:
        return self.push("product.upserted", self.products[sku])


def create_simulator(state: CoreState) -> Flask:
    sim = Flask("afrigest_core_simulator")

    @sim.before_request
    def _gate():
        state.requests.append(f"{request.method} {request.path}")
        if state.down:
            abort(503)
        if request.headers.get("Authorization") != f"Bearer {state.token}":
            abort(401)

    @sim.get("/api/products")
    def products():
        since = request.args.get("since")
        cutoff = datetime.fromisoformat(since) if since else None
        return {"products": [p for sku, p in state.products.items()
                             if cutoff is None or state.changed_at[sku] >= cutoff]}

    @sim.get("/api/stock")
    def stock():
        return {"stock": [{"sku": sku, "store": store, "on_hand": qty} for (sku, store), qty in state.stock.items()]}

    @sim.post("/api/orders")
    def receive_order():
        key = request.headers.get("Idempotency-Key", "")
        data = request.get_json(silent=True)
        if not key or not isinstance(data, dict) or not data.get("number"):
            abort(400)
        with state._lock:
            duplicate = key in state.orders
            state.orders.setdefault(key, data)
        return {"status": "duplicate" if duplicate else "recorded"}, 200 if duplicate else 201

    @sim.post("/admin/stock")
    def admin_stock():
        data = request.get_json(silent=True) or {}
        if not isinstance(data.get("on_hand"), int) or not data.get("sku") or not data.get("store"):
            abort(400)
        state.set_stock(data["sku"], data["store"], data["on_hand"])
        if data.get("push") and state.webhook_url:
            status, answer = state.push_stock(data["sku"], data["store"])
            return {"stored": True, "webhook": {"status": status, "answer": answer}}
        return {"stored": True}

    return sim
