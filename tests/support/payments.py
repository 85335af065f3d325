"""Payments under test: the shop wired to the local provider simulators (the app served on
127.0.0.1 so the simulators' callbacks reach it), and helpers to buy, wait and look."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.db import tenant_context
from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.models import Order, OrderStatusChange
from app.outbox.models import OutboxMessage
from app.payments.models import Payment, ProviderEvent
from app.tenancy.models import Tenant
from tests.support.clients import client_for, run_jobs
from tests.support.shopping import add_to_cart, checkout_fields
from tests.support.simulators import PaymentSimulators, wait_for

METHODS = {"cod_enabled": True, "momo_enabled": True, "orange_money_enabled": True, "paypal_enabled": True}


@pytest.fixture
def sim(app, tenants, simulator, app_server):
    """Both tenants offer every method; the providers' base URLs point at the simulators."""
    simulator.reset()  # a new world: the tokens we cached are unknown there
    from app.payments.providers import mtn_momo, orange_money
    mtn_momo._tokens.forget()
    orange_money._tokens.forget()
    base = simulator.url
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


def stock(app, tenant_id, variant_id):
    """(on_hand, reserved) summed over the stores."""
    def load():
        levels = db.session.scalars(select(StockLevel).where(StockLevel.variant_id == variant_id)).all()
        return sum(lv.on_hand for lv in levels), sum(lv.reserved for lv in levels)
    return in_tenant(app, tenant_id, load)


def paid_changes(app, tenant_id) -> int:
    """How many times the order history records a move to "paid"."""
    return in_tenant(app, tenant_id, lambda: len(db.session.scalars(select(OrderStatusChange).where(
        OrderStatusChange.field == "payment", OrderStatusChange.to_status == "paid")).all()))


def messages(app, tenant_id, topic) -> int:
    """Outbox messages of ``topic`` written for the tenant."""
    return in_tenant(app, tenant_id, lambda: len(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == topic)).all()))


def settle_callbacks(app, sim: PaymentSimulators, expected: int, tenant_id: int) -> None:
    """Wait until the simulator delivered ``expected`` callbacks and the app stored them, then
    run the queued jobs (with Redis they wait in RQ for a worker)."""
    wait_for(lambda: len([d for d in sim.deliveries() if d.get("status")]) >= expected, what="deliveries")
    run_jobs(app)


def token_of(response) -> str:
    return re.search(r"/shop/orders/([^/]+)/", response.headers["Location"]).group(1)
