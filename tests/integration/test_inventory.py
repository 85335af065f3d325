"""Inventory services: conditional updates, ledger, CHECK constraints, order status effects."""
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from app.core.db import tenant_context
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation, StockLevel
from app.orders import services as orders
from app.orders.models import Order
from tests.support.clients import client_for, csrf_token
from tests.support.shopping import add_to_cart, checkout_fields


@pytest.fixture
def stock(app, tenants):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        yield tenants.a["sandals"].variant_ids[0], tenants.a.stores[2].id  # 6 on hand


def level(variant, store):
    return db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant, StockLevel.store_id == store))


def test_reserve_release_confirm_keep_the_ledger_true(stock):
    variant, store = stock
    r1 = inventory.reserve(variant, store, 4, order_id=None, expires_at=None)
    with pytest.raises(inventory.OutOfStock) as refused:
        inventory.reserve(variant, store, 3, order_id=None, expires_at=None)
    assert refused.value.available == 2
    r2 = inventory.reserve(variant, store, 2, order_id=None, expires_at=None)
    assert inventory.release(r1) is True and inventory.release(r1) is False  # twice changes nothing
    assert inventory.confirm(r2) is True and inventory.confirm(r2) is False
    assert inventory.release(r2) is False
    db.session.commit()
    lvl = level(variant, store)
    assert (lvl.on_hand, lvl.reserved) == (4, 0)
    assert inventory.ledger_totals(variant, store) == (4, 0)


def test_adjustment_cannot_go_below_reserved(stock):
    variant, store = stock
    inventory.reserve(variant, store, 5, order_id=None, expires_at=None)
    with pytest.raises(inventory.OutOfStock):
        inventory.change_on_hand(variant, store, -2, "adjustment", reason="casse")
    inventory.change_on_hand(variant, store, -1, "adjustment", reason="casse")
    db.session.commit()
    assert (level(variant, store).on_hand, level(variant, store).reserved) == (5, 5)
    assert inventory.ledger_totals(variant, store) == (5, 5)


def test_database_check_refuses_overselling_even_from_raw_sql(stock):
    variant, store = stock
    with pytest.raises(IntegrityError):
        db.session.execute(update(StockLevel).where(StockLevel.variant_id == variant).values(reserved=7))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE stock_levels SET reserved = -1 WHERE variant_id = :v"), {"v": variant})
    db.session.rollback()


def test_in_stock_flag_follows_reservations(stock, tenants):
    from app.catalog.models import Product

    variant, store = stock
    product_id = tenants.a["sandals"].id
    inventory.reserve(variant, store, 6, order_id=None, expires_at=None)
    db.session.commit()
    assert db.session.get(Product, product_id).in_stock is False
    reservation = db.session.scalar(select(Reservation))
    inventory.release(reservation)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, product_id).in_stock is True


def test_status_changes_move_stock_and_history(app, tenants):
    shop = client_for(app, "akwa")
    variant = tenants.a["sandals"].variant_ids[0]
    store = tenants.a.stores[2].id
    for _ in range(2):
        add_to_cart(shop, variant, 2)
        assert shop.post("/shop/checkout", data=checkout_fields(shop, city="Bafoussam")).status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        first, second = db.session.scalars(select(Order).order_by(Order.id)).all()
        with pytest.raises(orders.OrderError) as bad:
            orders.change_status(first, "delivered", actor="pdg@akwa")
        assert "Préparée" in str(bad.value) and "Annulée" in str(bad.value)
        orders.change_status(first, "prepared", actor="pdg@akwa")
        orders.change_status(second, "cancelled", actor="pdg@akwa", note="client injoignable")
        lvl = level(variant, store)
        assert (lvl.on_hand, lvl.reserved) == (4, 0)  # 2 sold, 2 released
        orders.change_status(first, "cancelled", actor="pdg@akwa")  # after picking: units return
        lvl = level(variant, store)
        db.session.refresh(lvl)
        assert (lvl.on_hand, lvl.reserved) == (6, 0)
        assert inventory.ledger_totals(variant, store) == (6, 0)
        assert [(c.from_status, c.to_status) for c in first.history] == [
            (None, "received"), ("received", "prepared"), ("prepared", "cancelled")]
        assert second.history[-1].note == "client injoignable"
    tracked = shop.post("/shop/track", data={"csrf_token": csrf_token(shop, "/shop/track"), "number": "AG-000001",
                                             "contact": "awa@example.cm"})
    page = shop.get(tracked.headers["Location"]).get_data(as_text=True)
    assert "Annulée" in page
