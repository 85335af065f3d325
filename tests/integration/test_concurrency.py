"""Stock and money under concurrent checkouts: real threads, real database connections.

On PostgreSQL (CI) the buyers really race; on SQLite writers queue on the database lock.
Either way the conditional reservations must sell exactly what is there, once.
"""
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import func, select

from app.core.db import tenant_context
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation, StockLevel
from app.orders.models import Order
from tests.support.clients import client_for
from tests.support.shopping import add_to_cart, checkout_fields

BUYERS = 50


def race(fn, n):
    barrier = Barrier(n)

    def run(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_fifty_buyers_for_the_last_five_units(app, tenants):
    tenant = tenants.a.tenant
    variant = tenants.a["rare"].variant_ids[0]
    stores = [s.id for s in tenants.a.stores]
    with app.app_context(), tenant_context(tenant.id):
        for store, qty in zip(stores, (2, 2, 1), strict=False):  # spread over three stores: plans go stale
            inventory.change_on_hand(variant, store, qty, "receipt")
        db.session.commit()
    buyers = [client_for(app, tenant.slug) for _ in range(BUYERS)]
    forms = []
    for i, buyer in enumerate(buyers):
        assert add_to_cart(buyer, variant, 1).status_code == 303
        forms.append(checkout_fields(buyer, email=f"buyer{i}@example.cm", phone="", city="Bafoussam"))

    results = race(lambda i: buyers[i].post("/shop/checkout", data=forms[i]), BUYERS)

    codes = sorted(r.status_code for r in results)
    assert codes.count(303) == 5 and codes.count(422) == BUYERS - 5, codes
    refused = next(r for r in results if r.status_code == 422).get_data(as_text=True)
    assert "plus disponible" in refused or "stock a changé" in refused
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count(Order.id))) == 5
        assert db.session.scalar(select(func.sum(Reservation.quantity)).where(Reservation.status == "active")) == 5
        for level in db.session.scalars(select(StockLevel).where(StockLevel.variant_id == variant)):
            assert level.available == 0
            assert inventory.ledger_totals(variant, level.store_id) == (level.on_hand, level.reserved)
        numbers = sorted(db.session.scalars(select(Order.number)))
        assert numbers == [f"AG-{i:06d}" for i in range(1, 6)]


def test_the_same_checkout_submitted_ten_times_at_once_is_one_order(app, tenants):
    tenant = tenants.a.tenant
    buyer = client_for(app, tenant.slug)
    add_to_cart(buyer, tenants.a["shirt"].variant_ids[0], 3)
    form = checkout_fields(buyer)
    clones = [client_for(app, tenant.slug) for _ in range(10)]
    for clone in clones:  # the same browser: cart and session (CSRF) cookies
        for name in ("cart", "session"):
            clone.set_cookie(name, buyer.get_cookie(name, domain="akwa.localhost").value, domain="akwa.localhost")

    results = race(lambda i: clones[i].post("/shop/checkout", data=form), 10)

    assert {r.status_code for r in results} == {303}
    assert len({r.headers["Location"] for r in results}) == 1
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count(Order.id))) == 1
        assert db.session.scalar(select(func.sum(Reservation.quantity))) == 3
