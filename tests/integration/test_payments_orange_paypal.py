"""Orange Money and PayPal end to end against the local simulators, and refunds."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from app.cli.demo import tenant_ids
from app.core.db import tenant_context
from app.extensions import db
from app.orders.models import Order
from app.payments.errors import PaymentError
from app.payments.models import Payment, ProviderEvent, Refund
from app.payments.refunds import refund_order
from tests.support.clients import csrf_token, run_jobs
from tests.support.payments import (
    buy,
    count_events,
    in_tenant,
    messages,
    only_payment,
    order_state,
    paid_changes,
    settle_callbacks,
    stock,
)
from tests.support.simulators import wait_for


def shop_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Orange Money ---------------------------------------------------------------------------

def test_orange_money_pays_through_its_page_and_a_checked_notification(app, tenants, sim):
    b, sandals = tenants.b.tenant.id, tenants.b["sandals"].variant_ids[0]
    before = stock(app, b, sandals)
    client, response = buy(app, "plateau", sandals, "orange_money")
    payment = only_payment(app, b)
    assert response.status_code == 303 and response.headers["Location"] == payment.data["payment_url"]
    assert response.headers["Location"].startswith(sim.url + "/orange/pay/")
    # back from Orange before paying: the page shows the real state, not the URL's claim
    back = client.get(f"/shop/orders/{token_of_order(app, b)}/payments/{payment.id}/return")
    assert "Nous attendons la confirmation" in client.get(back.headers["Location"]).get_data(as_text=True)
    assert order_state(app, b) == ("received", "pending")

    sim.post(f"/orange/_sim/payments/{payment.data['pay_token']}/settle", {"status": "SUCCESS"})
    settle_callbacks(app, sim, 1, b)
    paid = only_payment(app, b)
    assert paid.status == "succeeded" and paid.provider_reference.startswith("MP")
    assert order_state(app, b) == ("received", "paid") and stock(app, b, sandals) == (before[0] - 1, before[1])
    assert count_events(app, b, outcome="applied") == 1


def token_of_order(app, tenant_id):
    from app.orders.tracking import tracking_token

    return in_tenant(app, tenant_id, lambda: tracking_token(db.session.scalars(select(Order)).one()))


def test_orange_notification_with_a_wrong_notif_token_is_rejected(app, tenants, sim, app_server):
    b, sandals = tenants.b.tenant.id, tenants.b["sandals"].variant_ids[0]
    buy(app, "plateau", sandals, "orange_money")
    payment = only_payment(app, b)
    forged = {"status": "SUCCESS", "notif_token": "0" * 32, "txnid": "MP000"}
    answer = requests.post(f"{app_server}/callbacks/{b}/orange/{payment.reference}", json=forged, timeout=10)
    assert answer.status_code == 200
    run_jobs(app)
    event = in_tenant(app, b, lambda: db.session.scalars(select(ProviderEvent).where(
        ProviderEvent.reference == payment.reference)).one())
    assert (event.outcome, event.reason) == ("rejected", "wrong notif_token")
    assert only_payment(app, b).status == "pending" and order_state(app, b) == ("received", "pending")


def test_orange_cancel_page_shows_the_real_state_and_offers_another_method(app, tenants, sim):
    b, sandals = tenants.b.tenant.id, tenants.b["sandals"].variant_ids[0]
    client, _ = buy(app, "plateau", sandals, "orange_money")
    payment = only_payment(app, b)
    cancel = client.get(f"/shop/orders/{token_of_order(app, b)}/payments/{payment.id}/cancel")
    assert cancel.status_code == 302 and cancel.headers["Location"].endswith("/pay")
    page = client.get(cancel.headers["Location"]).get_data(as_text=True)
    assert "Paiement interrompu" in page and 'value="cod"' in page
    # the shopper switches to cash on delivery: the Orange attempt is closed, the stock kept
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    path = urlsplit(cancel.headers["Location"]).path
    switched = client.post(path, data={"csrf_token": csrf_token(client, path), "idempotency_key": key,
                                       "payment_method": "cod"})
    assert switched.status_code == 303
    assert (only_payment(app, b).status, only_payment(app, b).reason) == ("failed", "ABANDONED")
    order = in_tenant(app, b, lambda: db.session.scalars(select(Order)).one())
    assert (order.payment_method, order.payment_status) == ("cod", "pending")
    assert stock(app, b, sandals)[1] == 1  # still held for the order


# --- PayPal -----------------------------------------------------------------------------

def _paypal_checkout(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    client, response = buy(app, "akwa", shirt, "paypal")
    payment = only_payment(app, a)
    assert response.status_code == 303 and response.headers["Location"].startswith(sim.url + "/paypal/checkoutnow")
    return a, shirt, client, payment


def test_paypal_is_captured_on_return_and_both_amounts_are_recorded(app, tenants, sim):
    a, shirt, client, payment = _paypal_checkout(app, tenants, sim)
    before = stock(app, a, shirt)
    assert (payment.provider_currency, payment.exchange_rate) == ("EUR", "655.957")
    assert payment.provider_amount == 2592 and payment.amount == 17000  # 17 000 XAF = 25,92 €
    sim.post(f"/paypal/_sim/orders/{payment.provider_reference}/approve")
    back = client.get(f"/shop/orders/{token_of_order(app, a)}/payments/{payment.id}/return"
                      f"?token={payment.provider_reference}&PayerID=SIMPAYER")
    assert back.status_code == 302
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    assert stock(app, a, shirt) == (before[0] - 1, before[1] - 1)
    # PayPal's own webhook for that capture arrives too, verified. It usually finds the order
    # paid (ignored); on a busy machine it can land while the return is still capturing and
    # apply the success itself. Either way the order is paid once.
    settle_callbacks(app, sim, 1, a)
    outcomes = [count_events(app, a, outcome=o) for o in ("ignored", "applied", "rejected")]
    assert sum(outcomes[:2]) == 1 and outcomes[2] == 0 and paid_changes(app, a) == 1


def test_paypal_capture_declined_fails_the_payment_and_frees_the_stock(app, tenants, sim):
    a, shirt, client, payment = _paypal_checkout(app, tenants, sim)
    sim.post("/paypal/_sim/config", {"decline_next_capture": True})
    sim.post(f"/paypal/_sim/orders/{payment.provider_reference}/approve")
    client.get(f"/shop/orders/{token_of_order(app, a)}/payments/{payment.id}/return")
    assert only_payment(app, a).status == "failed" and order_state(app, a) == ("received", "failed")
    assert stock(app, a, shirt)[1] == 0


def test_a_paypal_webhook_with_a_bad_signature_is_rejected(app, tenants, sim, app_server):
    a, _, _, payment = _paypal_checkout(app, tenants, sim)
    event = {"id": "WH-FORGED", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource_type": "capture",
             "resource": {"id": "CAP1", "status": "COMPLETED", "custom_id": payment.reference,
                          "amount": {"currency_code": "EUR", "value": "25.92"}}}
    headers = {"PAYPAL-TRANSMISSION-ID": "forged", "PAYPAL-TRANSMISSION-TIME": "2026-11-21T00:00:00Z",
               "PAYPAL-TRANSMISSION-SIG": "bad", "PAYPAL-CERT-URL": "https://example.invalid/cert",
               "PAYPAL-AUTH-ALGO": "SHA256withRSA", "Content-Type": "application/json"}
    assert requests.post(f"{app_server}/callbacks/{a}/paypal", data=json.dumps(event), headers=headers,
                         timeout=10).status_code == 200
    run_jobs(app)
    stored = in_tenant(app, a, lambda: db.session.scalars(select(ProviderEvent).where(
        ProviderEvent.event_key == "WH-FORGED")).one())
    assert (stored.outcome, stored.reason, stored.event_key) == ("rejected", "signature", "WH-FORGED")
    assert only_payment(app, a).status == "pending"


def test_refund_through_paypal_then_a_manual_refund(app, tenants, sim):
    a, shirt, client, payment = _paypal_checkout(app, tenants, sim)
    sim.post(f"/paypal/_sim/orders/{payment.provider_reference}/approve")
    client.get(f"/shop/orders/{token_of_order(app, a)}/payments/{payment.id}/return")

    def refund(amount, channel):
        with app.test_request_context(), tenant_context(a):
            order = db.session.scalars(select(Order)).one()
            return refund_order(order, amount, channel=channel, actor="pdg@akwa.cm", note="test").id
    refund(7000, "provider")
    assert order_state(app, a) == ("received", "partially_refunded")
    try:
        refund(20000, "cash")
    except PaymentError as exc:
        assert "dépasse" in str(exc)
    else:
        raise AssertionError("a refund above what was paid must be refused")
    refund(10000, "cash")
    assert order_state(app, a) == ("received", "refunded")
    rows = in_tenant(app, a, lambda: [(r.amount, r.channel, bool(r.provider_reference))
                                      for r in db.session.scalars(select(Refund).order_by(Refund.id))])
    assert rows == [(7000, "provider", True), (10000, "cash", False)]
    paid = in_tenant(app, a, lambda: db.session.scalars(select(Payment)).one())
    assert paid.refunded_amount == 17000 and paid.status == "refunded"
    assert messages(app, a, "refund_issued") == 4  # email + SMS per refund
    run_jobs(app)
    wait_for(lambda: count_events(app, a) >= 2, what="refund webhook")  # completed + refunded
    run_jobs(app)
    assert paid_changes(app, a) == 1 and only_payment(app, a).status == "refunded"


def test_each_shop_gets_the_paypal_webhooks_of_its_own_orders(app, tenants, sim, app_server):
    """One webhook URL template for the simulator (as `make demo` gives it): {tenant} is the
    id of the shop whose order the event is about, so the second shop's webhooks pass too."""
    sim.world.configure({"paypal_webhook_url": f"{app_server}/callbacks/{{tenant}}/paypal",
                         "paypal_tenant_for_host": tenant_ids(app)})
    shops = (("akwa", tenants.a), ("plateau", tenants.b))
    for slug, shop in shops:
        client, _ = buy(app, slug, shop["shirt"].variant_ids[0], "paypal")
        payment = only_payment(app, shop.tenant.id)
        sim.post(f"/paypal/_sim/orders/{payment.provider_reference}/approve")
        client.get(f"/shop/orders/{token_of_order(app, shop.tenant.id)}/payments/{payment.id}/return")
    wait_for(lambda: len([d for d in sim.deliveries() if d.get("status")]) >= 2, what="the two webhooks")
    run_jobs(app)
    urls = sorted(d["url"] for d in sim.deliveries())
    assert urls == sorted(f"{app_server}/callbacks/{shop.tenant.id}/paypal" for _, shop in shops)
    for _, shop in shops:  # verified and applied in its own shop, by whichever of the webhook and
        # the capture on return came first: once
        events = in_tenant(app, shop.tenant.id, lambda: [e.outcome for e in db.session.scalars(select(ProviderEvent))])
        assert events in (["ignored"], ["applied"]) and paid_changes(app, shop.tenant.id) == 1
