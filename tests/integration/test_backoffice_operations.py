"""Staff login, roles, and the operations pages (messages, abandoned carts, failed jobs)."""
import os
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.cart.models import Cart
from app.core.db import tenant_context, utcnow
from app.extensions import db
from app.outbox.models import OutboxMessage
from tests.support.backoffice import login
from tests.support.clients import client_for, csrf_token, run_jobs
from tests.support.shopping import add_to_cart, checkout_fields, shopper_with_contact


def test_login_logout_and_wrong_credentials(app, staff):
    anonymous = client_for(app, "akwa")
    assert anonymous.get("/backoffice/messages").status_code == 302  # to the login page
    client, response = login(app, "akwa", "pdg@akwa.cm")
    assert response.status_code == 303
    assert client.get("/backoffice/messages").status_code == 200
    client.post("/backoffice/logout", data={"csrf_token": csrf_token(client, "/backoffice/messages")})
    assert client.get("/backoffice/messages").status_code == 302
    _, wrong = login(app, "akwa", "pdg@akwa.cm", "mauvais-mot-de-passe")
    assert wrong.status_code == 422 and "incorrect" in wrong.get_data(as_text=True)
    # another tenant's staff cannot log in here, and a session does not cross hosts
    _, foreign = login(app, "akwa", "pdg@plateau.cm")
    assert foreign.status_code == 422


def test_login_is_rate_limited(app, staff):
    codes = [login(app, "akwa", "pdg@akwa.cm", "faux")[1].status_code for _ in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429


def test_roles_are_enforced_on_every_route(app, tenants, staff):
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    assert viewer.get("/backoffice/messages").status_code == 403
    assert viewer.get("/backoffice/carts").status_code == 403
    support, _ = login(app, "akwa", "support@akwa.cm")
    assert support.get("/backoffice/messages").status_code == 200
    token = csrf_token(support, "/backoffice/messages")
    assert support.post("/backoffice/messages/1/retry", data={"csrf_token": token}).status_code == 403
    assert support.get("/backoffice/jobs").status_code == 403


def test_dead_messages_are_visible_and_can_be_retried_with_an_audit_entry(app, tenants, staff):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    shop.post("/shop/checkout", data=checkout_fields(shop))
    run_jobs(app)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(OutboxMessage).values(status="dead", attempts=6, last_error="SMTPError: 550"))
        db.session.commit()
        ids = db.session.scalars(select(OutboxMessage.id)).all()
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/messages?status=dead").get_data(as_text=True)
    assert "SMTPError: 550" in page and "•••••••••456" in page and "+237677123456" not in page
    fragment = client.get("/backoffice/messages?status=dead", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="messages"')
    token = csrf_token(client, "/backoffice/messages")
    assert client.post(f"/backoffice/messages/{ids[0]}/retry", data={"csrf_token": token}).status_code == 303
    run_jobs(app)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.get(OutboxMessage, ids[0]).status == "sent"
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.actor, entry.action, entry.before["status"]) == ("pdg@akwa.cm", "outbox.retry", "dead")
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    other_token = csrf_token(other, "/backoffice/messages")
    assert other.post(f"/backoffice/messages/{ids[1]}/retry", data={"csrf_token": other_token}).status_code == 404
    assert "SMTPError" not in other.get("/backoffice/messages").get_data(as_text=True)


def test_abandoned_carts_list_and_remind_now(app, tenants, staff):
    shopper_with_contact(app, tenants)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(Cart).values(updated_at=utcnow() - timedelta(hours=5),
                                               abandoned_at=utcnow() - timedelta(hours=4)))
        db.session.commit()
        cart_id = db.session.scalar(select(Cart.id))
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/carts").get_data(as_text=True)
    assert "awa@example.cm" in page and "18\u202f000" in page and "5 heures" in page
    token = csrf_token(client, "/backoffice/carts")
    assert client.post(f"/backoffice/carts/{cart_id}/remind", data={"csrf_token": token}).status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.get(Cart, cart_id).reminders_sent == 1
        assert db.session.scalar(select(OutboxMessage.topic)) == "cart_reminder"
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    assert "awa@example.cm" not in other.get("/backoffice/carts").get_data(as_text=True)
    assert other.post(f"/backoffice/carts/{cart_id}/remind",
                      data={"csrf_token": csrf_token(other, "/backoffice/carts")}).status_code == 404


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")
def test_failed_jobs_view_shows_only_this_tenants_jobs(app, tenants, staff):
    from rq import Queue, SimpleWorker

    from app.core.jobs import redis_connection, run

    with app.app_context():
        connection = redis_connection(app)
        queue = Queue("default", connection=connection)
        for tenant_id in (tenants.a.tenant.id, tenants.b.tenant.id):
            queue.enqueue(run, "app.orders.jobs_that_do_not_exist.nothing", tenant_id)
        SimpleWorker(["default"], connection=connection).work(burst=True)
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/jobs").get_data(as_text=True)
    assert page.count("jobs_that_do_not_exist") == 1


def test_sync_page_says_when_the_shop_is_in_degraded_mode(app, tenants, staff):
    from app.sync.models import CoreConnection
    from app.sync.services import connect_core

    client, _ = login(app, "akwa", "pdg@akwa.cm")
    assert "Aucune liaison configurée" in client.get("/backoffice/sync").get_data(as_text=True)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        connect_core("http://127.0.0.1:9", "token", webhook_secret="s", expected_interval_s=900)
        db.session.execute(update(CoreConnection).values(mode="degraded", poll_failures=3,
                                                         last_error="GET /api/stock: Connection refused"))
        db.session.commit()
    page = client.get("/backoffice/sync").get_data(as_text=True)
    assert "Mode dégradé" in page and "Connection refused" in page
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    assert "Aucune liaison configurée" in other.get("/backoffice/sync").get_data(as_text=True)
