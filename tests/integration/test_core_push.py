"""Online orders reach the core system through the outbox: once each, even on redelivery."""
from sqlalchemy import select, update

from app.core.db import tenant_context, utcnow
from app.core.jobs import run
from app.extensions import db
from app.orders.models import Order
from app.orders.services import change_status
from app.outbox.models import OutboxMessage
from tests.support.clients import client_for, run_jobs
from tests.support.shopping import add_to_cart, checkout_fields


def place(app, tenants, slug="akwa", shop_key="a", city="Douala"):
    shop = client_for(app, slug)
    add_to_cart(shop, getattr(tenants, shop_key)["sandals"].variant_ids[0], 2)
    assert shop.post("/shop/checkout", data=checkout_fields(shop, city=city, phone="")).status_code == 303
    run_jobs(app)


def core_rows(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return db.session.execute(select(OutboxMessage.topic, OutboxMessage.status, OutboxMessage.attempts)
                                  .where(OutboxMessage.channel == "core").order_by(OutboxMessage.id)).all()


def test_orders_and_their_progress_are_pushed_to_the_core_once(app, tenants, core):
    state = core.state
    place(app, tenants)
    assert len(state.orders) == 1
    (pushed,) = state.orders.values()
    assert pushed["number"] == "AG-000001" and pushed["status"] == "received" and pushed["total"] == 20000
    assert pushed["lines"] == [{"sku": "AK-SD", "quantity": 2, "unit_price": 9000}]
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        change_status(db.session.scalar(select(Order)), "prepared", actor="test")
    run_jobs(app)
    assert sorted(o["status"] for o in state.orders.values()) == ["prepared", "received"]
    # a redelivery (say the worker died after the POST) is answered "duplicate" by the core
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(OutboxMessage).where(OutboxMessage.channel == "core")
                           .values(status="pending", next_attempt_at=utcnow()))
        db.session.commit()
    with app.app_context():
        run("app.outbox.dispatch.sweep", None)
    assert len(state.orders) == 2
    assert [status for _, status, _ in core_rows(app, tenants.a.tenant.id)] == ["sent", "sent"]


def test_a_core_that_is_down_gets_the_order_later(app, tenants, core):
    state = core.state
    state.down = True
    place(app, tenants)
    assert state.orders == {} and core_rows(app, tenants.a.tenant.id) == [("order_received", "pending", 1)]
    state.down = False
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    with app.app_context():
        run("app.outbox.dispatch.sweep", None)
    assert len(state.orders) == 1


def test_tenants_without_a_core_link_push_nothing(app, tenants):
    place(app, tenants, slug="plateau", shop_key="b", city="Abidjan")
    assert core_rows(app, tenants.b.tenant.id) == []
