"""Abandoned carts: reminders at the tenant's delays (time moved by hand), recovery links."""
from datetime import timedelta

from sqlalchemy import select, update

from app.cart.models import Cart
from app.cart.services import recovery_token
from app.core.db import tenant_context, utcnow
from app.core.jobs import run
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.tenancy.models import Tenant
from tests.support.clients import client_for, csrf_token, run_jobs
from tests.support.shopping import add_to_cart, checkout_fields, shopper_with_contact


def idle_for(app, tenants, minutes):
    """Move the cart's last activity back in time, then let the periodic sweep run."""
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(Cart).values(updated_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()
    with app.app_context():
        queued = run("app.cart.jobs.sweep_abandoned", None)
    run_jobs(app)
    return queued


def cart_state(app, tenants):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        cart = db.session.scalar(select(Cart))
        return cart.email, cart.reminders_sent, cart.abandoned_at is not None, cart.status


def test_reminders_at_one_hour_one_day_three_days_then_stop(app, tenants, smtp):
    shopper_with_contact(app, tenants)
    assert cart_state(app, tenants) == ("awa@example.cm", 0, False, "active")
    assert idle_for(app, tenants, 30) == 0  # not idle long enough
    assert idle_for(app, tenants, 61) == 1
    assert cart_state(app, tenants)[1:3] == (1, True)
    assert idle_for(app, tenants, 61) == 0  # same step: nothing new
    assert idle_for(app, tenants, 24 * 60 + 1) == 1
    assert idle_for(app, tenants, 72 * 60 + 1) == 1
    assert idle_for(app, tenants, 30 * 24 * 60) == 0  # three reminders at most
    assert [m["Subject"] for m in smtp.messages] == ["Votre panier vous attend chez Boutique akwa"] * 3
    body = smtp.messages[0].get_body(("plain",)).get_content()
    assert "2 × Sandales en cuir tressé" in body and "18\u202f000" in body and "/shop/cart/recover/" in body


def test_buying_or_emptying_the_cart_stops_the_sequence(app, tenants, smtp):
    shop = shopper_with_contact(app, tenants)
    assert idle_for(app, tenants, 61) == 1
    assert shop.post("/shop/checkout", data=checkout_fields(shop)).status_code == 303
    assert idle_for(app, tenants, 24 * 60 + 1) == 0
    assert [m["Subject"] for m in smtp.messages].count("Votre panier vous attend chez Boutique akwa") == 1

    other = shopper_with_contact(app, tenants, email="binta@example.cm")
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        cart = db.session.scalars(select(Cart).where(Cart.email == "binta@example.cm")).one()
        db.session.execute(update(Cart).where(Cart.id == cart.id).values(
            updated_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    line = other.get("/shop/cart").get_data(as_text=True).split('id="line-')[1].split('"')[0]
    other.post(f"/shop/cart/lines/{line}/remove", data={"csrf_token": csrf_token(other, "/shop/cart")})
    with app.app_context():
        run("app.cart.jobs.sweep_abandoned", None)
    run_jobs(app)
    assert [m["To"] for m in smtp.messages if "panier" in m["Subject"]] == ["awa@example.cm"]


def test_a_reminder_for_a_cart_bought_meanwhile_is_cancelled_not_sent(app, tenants, smtp):
    shop = shopper_with_contact(app, tenants)
    real = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # the reminder cannot go out yet
    idle_for(app, tenants, 61)
    app.config["MAIL_PORT"] = real
    shop.post("/shop/checkout", data=checkout_fields(shop))
    run_jobs(app)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        run("app.outbox.dispatch.sweep", None)
        statuses = dict(db.session.execute(select(OutboxMessage.topic, OutboxMessage.status)).all())
    assert statuses["cart_reminder"] == "cancelled"
    assert all("panier" not in m["Subject"] for m in smtp.messages)


def test_no_contact_no_reminder(app, tenants):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    assert idle_for(app, tenants, 5 * 24 * 60) == 0


def test_recovery_link_restores_the_cart_in_another_browser(app, tenants):
    shopper_with_contact(app, tenants)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        token = recovery_token(db.session.scalar(select(Cart)))
    elsewhere = client_for(app, "akwa")  # the phone that opens the email
    assert "Votre panier est vide" in elsewhere.get("/shop/cart").get_data(as_text=True)
    response = elsewhere.get(f"/shop/cart/recover/{token}")
    assert response.status_code == 303
    cart = elsewhere.get("/shop/cart").get_data(as_text=True)
    assert "Sandales en cuir tressé" in cart and "Votre panier est de retour" in cart


def test_bad_expired_or_foreign_links_show_a_clear_page_and_no_cart(app, tenants):
    shopper_with_contact(app, tenants)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        token = recovery_token(db.session.scalar(select(Cart)))
    visitor = client_for(app, "akwa")
    tampered = visitor.get(f"/shop/cart/recover/{token[:-2]}xx")
    assert tampered.status_code == 410 and "plus valable" in tampered.get_data(as_text=True)
    foreign = client_for(app, "plateau").get(f"/shop/cart/recover/{token}")
    assert foreign.status_code == 410
    with app.app_context():
        tenant = db.session.get(Tenant, tenants.a.tenant.id)
        tenant.settings = {"cart_recovery_days": -1}  # every link is already too old
        db.session.commit()
    assert visitor.get(f"/shop/cart/recover/{token}").status_code == 410
    assert "Votre panier est vide" in visitor.get("/shop/cart").get_data(as_text=True)
