"""Outbox → email (real SMTP server) and SMS (real HTTP gateway), once per milestone."""
import json
import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from app.core.db import tenant_context, utcnow
from app.core.jobs import enqueue, run
from app.extensions import db
from app.inventory.models import Reservation, StockLevel
from app.orders.models import Order
from app.orders.services import OrderError, change_status, mark_paid
from app.outbox.models import OutboxMessage
from tests.support.clients import client_for, run_jobs
from tests.support.mail import free_port
from tests.support.redis import app_on_private_redis, needs_redis_server
from tests.support.shopping import add_to_cart, checkout_fields


@pytest.fixture
def sms_gateway(app):
    received, state = [], {"fail": False}

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state["fail"] or self.headers["Authorization"] != "Bearer sms-secret":
                self.send_response(503)
            else:
                received.append(body)
                self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(SMS_TRANSPORT="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/sms",
                      SMS_GATEWAY_TOKEN="sms-secret")
    yield received, state
    server.shutdown()
    app.config.update(SMS_TRANSPORT="log")


def place(app, tenants, phone="677 12 34 56", email="awa@example.cm"):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    response = shop.post("/shop/checkout", data=checkout_fields(shop, phone=phone, email=email, city="Bafoussam"))
    assert response.status_code == 303
    run_jobs(app)
    return shop, response.headers["Location"]


def outbox(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return [(m.channel, m.topic, m.status, m.attempts) for m in
                db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_order_milestones_send_one_email_and_one_sms_each(app, tenants, smtp, sms_gateway):
    received, _ = sms_gateway
    shop, order_url = place(app, tenants)
    assert len(smtp.messages) == 1 and len(received) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "Commande AG-000001 reçue" and mail["To"] == "awa@example.cm"
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert "Merci Awa" in html and "Boutique akwa" in html and "9\u202f000" in text
    link = order_url  # a path: /shop/orders/<signed token>
    assert link.startswith("/shop/orders/")
    assert f"http://akwa.localhost{link}" in html and f"http://akwa.localhost{link}" in text
    assert shop.get(link).status_code == 200  # the signed link opens the order
    assert received[0]["to"] == "+237677123456" and "AG-000001" in received[0]["text"]

    with app.app_context(), tenant_context(tenants.a.tenant.id):
        order = db.session.scalar(select(Order))
        change_status(order, "prepared", actor="test")
        change_status(order, "shipped", actor="test", carrier="Yango Delivery", tracking_number="YG-77812")
        change_status(order, "delivered", actor="test")
        mark_paid(order, actor="test", note="espèces encaissées")
        with pytest.raises(OrderError):
            mark_paid(order, actor="test")  # paid once only
    run_jobs(app)
    shipped = smtp.messages[2].get_body(("plain",)).get_content()
    assert "Transporteur : Yango Delivery, numéro de suivi : YG-77812" in shipped
    assert "YG-77812" in shop.get(link).get_data(as_text=True)
    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == ["Commande AG-000001 reçue", "Commande AG-000001 prête", "Commande AG-000001 expédiée",
                        "Commande AG-000001 livrée", "Paiement reçu pour la commande AG-000001"]
    assert "paiement de 11\u202f000\xa0FCFA" in smtp.messages[4].get_body(("plain",)).get_content()
    assert len(received) == 5
    assert {status for _, _, status, _ in outbox(app, tenants.a.tenant.id)} == {"sent"}
    # a second sweep, or a replayed job, sends nothing again
    with app.app_context():
        run("app.outbox.dispatch.sweep", None)
        for message_id in range(1, 11):
            run("app.outbox.dispatch.deliver", tenants.a.tenant.id, message_id)
    assert len(smtp.messages) == 5 and len(received) == 5


def test_email_in_english_for_an_english_shopper(app, tenants, smtp):
    shop = client_for(app, "akwa")
    shop.get("/shop/lang/en")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    shop.post("/shop/checkout", data=checkout_fields(shop, phone=""))
    run_jobs(app)
    assert smtp.messages[0]["Subject"] == "Order AG-000001 received"


def test_html_in_names_is_escaped_in_the_html_email(app, tenants, smtp):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    shop.post("/shop/checkout", data=checkout_fields(shop, first_name="<img src=x onerror=alert(1)>", phone=""))
    run_jobs(app)
    html = smtp.messages[0].get_body(("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_failures_are_retried_with_backoff_then_dead_and_never_block_the_order(app, tenants, smtp, sms_gateway):
    received, state = sms_gateway
    smtp_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the mail server is down
    state["fail"] = True
    place(app, tenants)  # the order is placed even though both channels are down
    rows = outbox(app, tenants.a.tenant.id)
    assert [(c, s, a) for c, _, s, a in rows] == [("email", "pending", 1), ("sms", "pending", 1)]
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        due = db.session.scalar(select(OutboxMessage.next_attempt_at))
        assert due > utcnow() + timedelta(seconds=20)  # backoff, not an immediate hammering
    # nothing is due yet: a sweep sends nothing
    with app.app_context():
        assert run("app.outbox.dispatch.sweep", None) == 0

    def time_passes():
        with app.app_context(), tenant_context(tenants.a.tenant.id):
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()

    app.config["MAIL_PORT"] = smtp_port  # email comes back; the gateway stays down
    time_passes()
    with app.app_context():
        assert run("app.outbox.dispatch.sweep", None) == 2
    assert len(smtp.messages) == 1
    for _ in range(10):
        time_passes()
        with app.app_context():
            run("app.outbox.dispatch.sweep", None)
    rows = outbox(app, tenants.a.tenant.id)
    assert rows[0][2] == "sent" and rows[1][2] == "dead" and rows[1][3] == app.config["OUTBOX_MAX_ATTEMPTS"]
    assert len(smtp.messages) == 1 and received == []
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert "503" in db.session.scalars(select(OutboxMessage.last_error)).all()[1]


def test_a_lost_lease_is_taken_over_by_the_sweep(app, tenants, smtp):
    place(app, tenants, phone="")
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        # a worker claimed the row and died before sending: its lease runs out
        db.session.execute(update(OutboxMessage).values(status="sending", next_attempt_at=utcnow()))
        db.session.commit()
    smtp.messages.clear()
    with app.app_context():
        assert run("app.outbox.dispatch.sweep", None) == 1
    assert len(smtp.messages) == 1


def test_jobs_enqueued_in_a_rolled_back_transaction_never_run(app, tenants):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        enqueue("app.outbox.dispatch.sweep")
        db.session.rollback()
        assert "after_commit_jobs" not in db.session.info


def test_expired_reservations_cancel_unpaid_orders_only(app, tenants):
    place(app, tenants, phone="")
    place(app, tenants, phone="")
    variant, store = tenants.a["sandals"].variant_ids[0], tenants.a.stores[2].id
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        first, second = db.session.scalars(select(Order).order_by(Order.id)).all()
        second.payment_status = "paid"
        db.session.execute(update(Reservation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    with app.app_context():
        assert run("app.orders.jobs.expire_reservations", None) == 1
        assert run("app.orders.jobs.expire_reservations", None) == 0  # twice changes nothing
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        first, second = db.session.scalars(select(Order).order_by(Order.id)).all()
        assert (first.status, second.status) == ("cancelled", "received")
        level = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant,
                                                           StockLevel.store_id == store))
        assert (level.on_hand, level.reserved) == (6, 1)
        topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.payload["order_id"].as_integer()
                                                                      == first.id)).all()
        assert "order_cancelled" in topics




def test_redis_down_at_commit_loses_nothing(app, tenants, smtp):
    real = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens: Redis is down
    try:
        shop = client_for(app, "akwa")
        add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
        placed = shop.post("/shop/checkout", data=checkout_fields(shop, phone=""))
        assert placed.status_code == 303  # the order is placed all the same
    finally:
        app.config["REDIS_URL"] = real
    assert smtp.messages == [] and outbox(app, tenants.a.tenant.id) == [("email", "order_received", "pending", 0)]
    with app.app_context():
        run("app.outbox.dispatch.sweep", None)  # Redis (or the scheduler) is back
    assert [m["Subject"] for m in smtp.messages] == ["Commande AG-000001 reçue"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")
def test_jobs_wait_in_redis_until_a_worker_runs_them(app, tenants, smtp):
    from rq import Queue

    from app.core.jobs import redis_connection

    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    shop.post("/shop/checkout", data=checkout_fields(shop, phone=""))
    with app.app_context():
        assert Queue("notifications", connection=redis_connection(app)).count == 1
    assert smtp.messages == []
    run_jobs(app)
    assert [m["Subject"] for m in smtp.messages] == ["Commande AG-000001 reçue"]


def test_staff_get_new_order_and_low_stock_alerts_once(app, tenants, smtp):
    from app.staff.services import create_staff

    with app.app_context():
        for tenant, email, role in ((tenants.a, "pdg@akwa.cm", "pdg"), (tenants.a, "caisse@akwa.cm", "support"),
                                    (tenants.b, "pdg@plateau.ci", "pdg")):
            with tenant_context(tenant.tenant.id):
                create_staff(email, email, role, "un-long-secret")
                db.session.commit()
    place(app, tenants, phone="")  # 6 → 5 available: above the threshold of 3
    place(app, tenants, phone="")  # 4
    place(app, tenants, phone="")  # 3: low
    place(app, tenants, phone="")  # 2: still low, but one alert a day is enough
    staff_mail = [(m["To"], m["Subject"]) for m in smtp.messages if m["To"] != "awa@example.cm"]
    assert ("pdg@akwa.cm", "Nouvelle commande AG-000001") in staff_mail
    assert len([s for to, s in staff_mail if s.startswith("Nouvelle commande")]) == 4
    low = [(to, s) for to, s in staff_mail if s.startswith("Stock bas")]
    assert low == [("pdg@akwa.cm", "Stock bas : Sandales en cuir tressé")]
    assert all(to == "pdg@akwa.cm" for to, _ in staff_mail)  # not support staff, not the other tenant
    body = next(m for m in smtp.messages if m["Subject"].startswith("Stock bas")).get_body(("plain",)).get_content()
    assert "Bafoussam Marché, 3 disponibles" in body


@needs_redis_server
def test_redis_stopped_then_restarted_loses_and_duplicates_nothing(app, tenants, smtp):
    """A private Redis, really stopped while orders keep coming, then started again."""
    with app_on_private_redis(app) as redis:
        place(app, tenants, phone="", email="un@example.cm")  # queued in Redis, run by a worker
        redis.stop()  # Redis is down: the shop keeps selling
        shop = client_for(app, "akwa")
        add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
        assert shop.post("/shop/checkout", data=checkout_fields(shop, phone="", email="deux@example.cm",
                                                                city="Bafoussam")).status_code == 303
        with app.app_context(), tenant_context(tenants.a.tenant.id):
            change_status(db.session.scalar(select(Order).order_by(Order.id)), "prepared", actor="test")
        redis.start()  # back, empty (it kept nothing on disk)
        run_jobs(app)
        with app.app_context():
            run("app.outbox.dispatch.sweep", None)  # what `flask scheduler` does every 30 s
        run_jobs(app)
    subjects = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert subjects == [("deux@example.cm", "Commande AG-000002 reçue"), ("un@example.cm", "Commande AG-000001 prête"),
                        ("un@example.cm", "Commande AG-000001 reçue")]
