from sqlalchemy import select

from app.core.db import tenant_context
from app.extensions import db
from app.orders.models import Order
from app.staff.models import StaffUser
from tests.support.clients import client_for
from tests.support.shopping import add_to_cart, checkout_fields


def test_create_tenant_staff_and_move_an_order(app, tenants):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-tenant", "dakar", "Dakar Boutique", "--country", "SN", "--currency", "XOF",
                                 "--domain", "boutique.example.sn"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["create-tenant", "dakar", "Again"]).exit_code != 0
    assert runner.invoke(args=["create-tenant", "Bad Slug!", "X"]).exit_code != 0
    result = runner.invoke(args=["create-staff", "dakar", "pdg@dakar.sn", "pdg", "--password", "un-long-secret"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["create-staff", "dakar", "x@dakar.sn", "pdg", "--password", "court"]).exit_code != 0
    assert client_for(app, "x", host="boutique.example.sn").get("/shop/").status_code == 200

    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    shop.post("/shop/checkout", data=checkout_fields(shop))
    assert runner.invoke(args=["order-status", "akwa", "ag-000001", "shipped"]).exit_code != 0  # not prepared yet
    assert runner.invoke(args=["order-status", "akwa", "AG-000001", "prepared"]).exit_code == 0
    assert runner.invoke(args=["order-status", "plateau", "AG-000001", "prepared"]).exit_code != 0
    assert runner.invoke(args=["order-paid", "akwa", "AG-000001"]).exit_code == 0
    assert runner.invoke(args=["order-paid", "akwa", "AG-000001"]).exit_code != 0  # already paid
    with app.app_context():
        with tenant_context(tenants.a.tenant.id):
            assert db.session.execute(select(Order.status, Order.payment_status)).one() == ("prepared", "paid")
        users = db.session.scalars(select(StaffUser).execution_options(all_tenants=True)).all()
        assert [u.email for u in users] == ["pdg@dakar.sn"] and users[0].password_hash.startswith("scrypt")


def test_scheduler_once_runs_every_periodic_job(app, tenants):
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    for job in ("dispatch.sweep", "expire_reservations", "sweep_abandoned", "check_connections"):
        assert job in result.output
