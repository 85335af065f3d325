"""Redis really stopped with REDIS_URL set (jobs and rate limits on it): provider callbacks
are stored and answered, tracking and sign-in answer normally, and once Redis is back the
stored callback is processed exactly once."""
from __future__ import annotations

import json
from datetime import timedelta

from redis import Redis
from sqlalchemy import select, update

from app.core.db import utcnow
from app.core.jobs import run
from app.extensions import db, limiter
from app.payments.models import ProviderEvent
from tests.support.backoffice import login
from tests.support.clients import csrf_token, run_jobs
from tests.support.payments import buy, in_tenant, messages, only_payment, order_state, paid_changes
from tests.support.redis import app_on_private_redis, needs_redis_server
from tests.support.simulators import wait_for


def track(shop):
    return shop.post("/shop/track", data={"csrf_token": csrf_token(shop, "/shop/track"), "number": "AG-999999",
                                          "contact": "a@b.cm"})


def answered_normally(response) -> bool:
    return response.status_code == 200 and "Aucune commande ne correspond" in response.get_data(as_text=True)


def the_event(app, tenant_id) -> ProviderEvent:
    return in_tenant(app, tenant_id, lambda: db.session.scalars(select(ProviderEvent)).one())


@needs_redis_server
def test_redis_stopped_callbacks_are_stored_and_processed_once_it_is_back(app, tenants, sim, staff, shop):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)  # the test delivers MTN's callback itself, while Redis is down
    with app_on_private_redis(app, rate_limits=True) as redis:
        buy(app, "akwa", shirt, "momo")
        payment = only_payment(app, a)
        assert answered_normally(track(shop))
        assert Redis.from_url(redis.url).keys("LIMITS*")  # the limiter counts in this Redis

        redis.stop()
        body = {"amount": str(payment.amount), "currency": "XAF", "financialTransactionId": "4242",
                "status": "SUCCESSFUL"}
        response = app.test_client().put(f"/callbacks/{a}/momo/{payment.reference}", data=json.dumps(body),
                                         content_type="application/json")
        assert response.status_code == 200 and response.json["received"] is True
        event = the_event(app, a)
        assert (event.outcome, event.processed_at) == ("received", None)  # stored; its job could not be queued
        assert answered_normally(track(shop))
        client, signed_in = login(app, "akwa", "pdg@akwa.cm")
        assert signed_in.status_code == 303 and client.get("/backoffice/orders").status_code == 200
        assert login(app, "akwa", "pdg@akwa.cm", "mauvais")[1].status_code == 422  # the form again, not a 500

        redis.start()  # back, empty: the job that was never queued is not in it either
        wait_for(lambda: shop.get("/shop/track").status_code == 200
                 and type(limiter.limiter.storage).__name__ == "RedisStorage", what="the limiter back on Redis")
        run_jobs(app)
        assert the_event(app, a).processed_at is None and only_payment(app, a).status == "pending"
        assert run("app.payments.jobs.sweep_events", None, app=app) == 0  # not a minute old yet

        in_tenant(app, a, lambda: (db.session.execute(update(ProviderEvent).values(
            received_at=utcnow() - timedelta(minutes=2))), db.session.commit()))
        assert run("app.payments.jobs.sweep_events", None, app=app) == 1  # what `flask scheduler` does every 30 s
        assert run("app.payments.jobs.sweep_events", None, app=app) == 0
        run_jobs(app)

    assert (the_event(app, a).outcome, the_event(app, a).reason) == ("applied", "")
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    assert paid_changes(app, a) == 1 and messages(app, a, "payment_received") == 2  # once: one email, one SMS
