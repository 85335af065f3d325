"""Payments under test: the local provider simulators over real HTTP, the app served on
127.0.0.1 so the simulators' callbacks reach it, and helpers to buy and wait."""
from __future__ import annotations

import re
import threading
import time

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.core.db import tenant_context
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment, ProviderEvent
from app.tenancy.models import Tenant
from tests.conftest import client_for, run_jobs
from tests.integration.test_purchase_flow import add_to_cart, checkout_fields

METHODS = {"cod_enabled": True, "momo_enabled": True, "orange_money_enabled": True, "paypal_enabled": True}


class Sim:
    def __init__(self, base: str):
        self.base = base

    def post(self, path: str, json: dict | None = None) -> dict:
        response = requests.post(self.base + path, json=json or {}, timeout=10)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json() if response.content else {}

    def get(self, path: str):
        return requests.get(self.base + path, timeout=10).json()

    def configure(self, **values) -> None:
        self.post("/_sim/config", values)

    def deliveries(self) -> list[dict]:
        body = self.get("/_sim/deliveries")
        return body["deliveries"] if isinstance(body, dict) else body


@pytest.fixture(scope="session")
def simulator():
    from devtools.simulators.payments import serve

    server, port = serve()
    yield Sim(f"http://127.0.0.1:{port}")
    server.shutdown()


@pytest.fixture(scope="session")
def app_server(app):
    """The shop itself on 127.0.0.1, where the simulators deliver their callbacks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def sim(app, tenants, simulator, app_server):
    """Both tenants offer every method; the providers' base URLs point at the simulators."""
    simulator.post("/_sim/reset")  # a new world: the tokens we cached are unknown there
    from app.payments.providers import mtn_momo, orange_money
    mtn_momo._tokens.forget()
    orange_money._tokens.forget()
    base = simulator.base
    overrides = dict(
        PAYMENT_CALLBACK_BASE_URL=app_server, PAYMENT_HTTP_TIMEOUT=3,
        MOMO_BASE_URL=f"{base}/momo", MOMO_API_USER="sim-user", MOMO_API_KEY="sim-key",
        MOMO_SUBSCRIPTION_KEY="sim-subscription",
        ORANGE_BASE_URL=f"{base}/orange", ORANGE_CLIENT_ID="sim-orange-id", ORANGE_CLIENT_SECRET="sim-orange-secret",
        ORANGE_MERCHANT_KEY="sim-merchant-key",
        PAYPAL_BASE_URL=f"{base}/paypal", PAYPAL_CLIENT_ID="sim-paypal-id", PAYPAL_CLIENT_SECRET="sim-paypal-secret",
        PAYPAL_WEBHOOK_ID="SIM-WEBHOOK-ID",
    )
    previous = {key: app.config.get(key) for key in overrides}
    app.config.update(overrides)
    with app.app_context():
        for shop in (tenants.a, tenants.b):
            tenant = db.session.get(Tenant, shop.tenant.id)
            tenant.settings = {**(tenant.settings or {}), **METHODS}
        db.session.commit()
    simulator.post("/paypal/_sim/config", {"webhook_url": f"{app_server}/callbacks/{tenants.a.tenant.id}/paypal"})
    yield simulator
    app.config.update(previous)


def buy(app, slug: str, variant_id: int, method: str, quantity: int = 1, **fields):
    """A shopper puts a variant in the cart and places the order with ``method``.
    Returns (client, checkout response)."""
    client = client_for(app, slug)
    add_to_cart(client, variant_id, quantity)
    data = checkout_fields(client, payment_method=method, **fields)
    if slug == "plateau":
        data.update(city="Abidjan", quarter="Plateau", phone="07 07 12 34 56")
    return client, client.post("/shop/checkout", data=data)


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    """Poll until ``predicate()`` is truthy (callbacks travel over real HTTP in threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def in_tenant(app, tenant_id: int, fn):
    with app.app_context(), tenant_context(tenant_id):
        return fn()


def only_payment(app, tenant_id: int) -> Payment:
    def load():
        payments = db.session.scalars(select(Payment).order_by(Payment.id)).all()
        db.session.expunge_all()
        return payments[-1] if payments else None
    return in_tenant(app, tenant_id, load)


def order_state(app, tenant_id: int) -> tuple[str, str]:
    def load():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        return order.status, order.payment_status
    return in_tenant(app, tenant_id, load)


def count_events(app, tenant_id: int, **where) -> int:
    def load():
        query = select(func.count()).select_from(ProviderEvent)
        for key, value in where.items():
            query = query.where(getattr(ProviderEvent, key) == value)
        return db.session.scalar(query)
    return in_tenant(app, tenant_id, load)


def settle_callbacks(app, sim: Sim, expected: int, tenant_id: int) -> None:
    """Wait until the simulator delivered ``expected`` callbacks and the app stored them, then
    run the queued jobs (with Redis they wait in RQ for a worker)."""
    wait_for(lambda: len([d for d in sim.deliveries() if d.get("status")]) >= expected, what="deliveries")
    run_jobs(app)


def token_of(response) -> str:
    return re.search(r"/shop/orders/([^/]+)/", response.headers["Location"]).group(1)
