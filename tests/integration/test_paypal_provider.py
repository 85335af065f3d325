"""The PayPal provider against the local PayPal simulator, through paypal-server-sdk.

Payments are light stand-ins (the provider reads attributes, never the database), so these
tests pin the HTTP contract: idempotency headers, status mapping, webhook verification, refunds.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
import requests
from werkzeug.serving import make_server

from app.payments.providers.base import (
    EXPIRED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    ProviderRefused,
    ProviderUnavailable,
    Rejected,
    Urls,
)
from app.payments.providers.paypal import PayPal, convert
from devtools.simulators.payments import serve


class Receiver:
    """Stands in for the shop's webhook endpoint: keeps each delivery's exact bytes and headers."""

    def __init__(self):
        self.received: list[tuple[bytes, dict]] = []
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.port}/webhooks/paypal"

    def __call__(self, environ, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size)
        headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        self.received.append((body, headers))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def event(self, event_type: str, timeout: float = 5.0) -> tuple[bytes, dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body, headers in self.received:
                if json.loads(body)["event_type"] == event_type:
                    return body, headers
            time.sleep(0.02)
        seen = [json.loads(body)["event_type"] for body, _ in self.received]
        raise AssertionError(f"no {event_type} webhook received: {seen}")


@pytest.fixture(scope="module")
def simulator():
    server, port = serve()
    receiver = Receiver()
    yield SimpleNamespace(root=f"http://127.0.0.1:{port}", base=f"http://127.0.0.1:{port}/paypal", receiver=receiver)
    receiver.server.shutdown()
    server.shutdown()


@pytest.fixture()
def sim(app, simulator):
    keys = ("PAYPAL_BASE_URL", "PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID", "PAYMENT_HTTP_TIMEOUT")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(PAYPAL_BASE_URL=simulator.base, PAYPAL_CLIENT_ID="sim-paypal-id",
                      PAYPAL_CLIENT_SECRET="sim-paypal-secret", PAYPAL_WEBHOOK_ID="SIM-WEBHOOK-ID",
                      PAYMENT_HTTP_TIMEOUT=5)
    requests.post(f"{simulator.root}/_sim/reset", timeout=5).raise_for_status()
    simulator.receiver.received.clear()
    control(simulator, "/paypal/_sim/config", webhook_url=simulator.receiver.url)
    with app.app_context():
        yield simulator
    app.config.update(saved)


def control(simulator, path: str, **body) -> dict:
    response = requests.post(simulator.root + path, json=body, timeout=5)
    assert response.ok, response.text
    return response.json()


def served(simulator) -> list[dict]:
    return requests.get(f"{simulator.root}/_sim/requests", timeout=5).json()["requests"]


def payment(amount=10000, currency="XAF", rate="655.957", to="EUR"):
    provider_amount, rate = convert(amount, currency, rate, to)
    return SimpleNamespace(id=7, reference=str(uuid.uuid4()), amount=amount, currency=currency,
                           provider_amount=provider_amount, provider_currency=to, exchange_rate=rate,
                           provider_reference="", data={}, refunded_amount=0,
                           order=SimpleNamespace(number="AG-000123", locale="fr"))


URLS = Urls(callback="https://shop.example/callbacks/paypal", return_="https://shop.example/pay/return",
            cancel="https://shop.example/pay/cancel")


def started(sim, p):
    result = PayPal().start(p, URLS)
    p.provider_reference, p.data = result.provider_reference, dict(result.data)
    return result


def test_create_approve_capture_in_converted_euros(sim):
    p = payment()
    result = started(sim, p)
    assert result.redirect_url == f"{sim.base}/checkoutnow?token={result.provider_reference}"
    assert result.data["paypal_order_id"] == result.provider_reference
    order = requests.get(f"{sim.base}/_sim/orders/{result.provider_reference}", timeout=5).json()
    unit = order["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "EUR", "value": "15.24"}  # 10 000 FCFA at 655.957
    assert unit["custom_id"] == p.reference and unit["invoice_id"] == "AG-000123-7"
    assert order["return_url"] == URLS.return_ and order["cancel_url"] == URLS.cancel

    again = PayPal().start(p, URLS)  # same PayPal-Request-Id: the same order, not a second one
    assert again.provider_reference == result.provider_reference

    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    observed = PayPal().capture(p)
    assert observed.status == SUCCEEDED
    assert (observed.amount, observed.currency) == (1524, "EUR")
    assert observed.provider_reference and observed.data == {"capture_id": observed.provider_reference}

    # repeating the capture (the shopper reloads the return page) answers the same capture
    assert PayPal().capture(p).provider_reference == observed.provider_reference
    captures = [r["status"] for r in served(sim) if r["path"].endswith("/capture")]
    assert captures == [201, 200]  # PayPal-Request-Id made the second one a replay, not a new capture
    p.data.update(observed.data)
    status = PayPal().fetch_status(p)
    assert (status.status, status.amount, status.provider_reference) == (SUCCEEDED, 1524, observed.provider_reference)


def test_capture_before_approval_is_pending_and_works_once_approved(sim):
    p = payment()
    started(sim, p)
    observed = PayPal().capture(p)
    assert (observed.status, observed.reason) == (PENDING, "ORDER_NOT_APPROVED")
    assert PayPal().fetch_status(p).status == PENDING
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    assert PayPal().capture(p).status == SUCCEEDED


def test_declined_capture_is_a_failure(sim):
    p = payment()
    started(sim, p)
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    control(sim, "/paypal/_sim/config", decline_next_capture=True)
    observed = PayPal().capture(p)
    assert (observed.status, observed.reason) == (FAILED, "DECLINED")
    assert PayPal().fetch_status(p).status == FAILED


def test_pending_capture_is_not_paid(sim):
    p = payment()
    started(sim, p)
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    control(sim, "/paypal/_sim/config", pending_next_capture=True)
    observed = PayPal().capture(p)
    assert (observed.status, observed.reason) == (PENDING, "PENDING_REVIEW")
    body, headers = sim.receiver.event("PAYMENT.CAPTURE.PENDING")  # genuine, but not one we act on
    with pytest.raises(Rejected, match="unsupported event type"):
        PayPal().check_callback(p, body, headers)


def test_capture_already_made_elsewhere_reads_the_order(sim):
    p = payment()
    started(sim, p)
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    first = PayPal().capture(p)
    p.reference = str(uuid.uuid4())  # another PayPal-Request-Id: PayPal answers ORDER_ALREADY_CAPTURED
    again = PayPal().capture(p)
    assert (again.status, again.provider_reference) == (SUCCEEDED, first.provider_reference)


def test_unknown_order_is_expired(sim):
    p = payment()
    p.provider_reference = "5O190127TN364715T"
    assert (PayPal().fetch_status(p).status, PayPal().capture(p).status) == (EXPIRED, EXPIRED)
    p.provider_reference = ""
    assert PayPal().fetch_status(p).reason == "NOT_CREATED"


def test_server_error_on_create_is_unavailable_not_a_refusal(sim):
    control(sim, "/_sim/config", fail_next={"path_contains": "/v2/checkout/orders", "status": 500, "times": 1})
    with pytest.raises(ProviderUnavailable):
        PayPal().start(payment(), URLS)
    assert PayPal().start(payment(), URLS).redirect_url  # the next attempt goes through


def test_timeout_is_unavailable(sim, app):
    PayPal().start(payment(), URLS)  # a token is cached: the hang hits the order call itself
    app.config["PAYMENT_HTTP_TIMEOUT"] = 0.5
    control(sim, "/_sim/config", hang_next={"path_contains": "/v2/checkout/orders", "seconds": 2})
    began = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        PayPal().start(payment(), URLS)
    assert time.monotonic() - began < 1.9


def test_a_request_paypal_refuses_is_a_refusal(sim):
    p = payment()
    p.provider_currency = "XAF"  # PayPal has no XAF: asking for it is refused, not retried
    with pytest.raises(ProviderRefused) as refused:
        PayPal().start(p, URLS)
    assert refused.value.reason == "CURRENCY_NOT_SUPPORTED"


def test_a_revoked_token_is_replaced(sim):
    p = payment()
    started(sim, p)
    requests.post(f"{sim.root}/_sim/expire-tokens", timeout=5).raise_for_status()
    assert PayPal().fetch_status(p).status == PENDING


def paid(sim):
    p = payment()
    started(sim, p)
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    observed = PayPal().capture(p)
    p.data.update(observed.data)
    return p


def test_genuine_webhook_is_verified_and_read(sim):
    p = paid(sim)
    body, headers = sim.receiver.event("PAYMENT.CAPTURE.COMPLETED")
    provider = PayPal()
    assert provider.callback_reference(body, headers, "") == p.reference
    assert provider.event_key(body, headers, p.reference) == json.loads(body)["id"]
    observed = provider.check_callback(p, body, headers)
    assert (observed.status, observed.amount, observed.currency) == (SUCCEEDED, 1524, "EUR")
    assert observed.provider_reference == p.data["capture_id"]
    calls = [r for r in served(sim) if r["path"].endswith("/verify-webhook-signature")]
    assert calls and calls[-1]["status"] == 200


def test_tampered_webhook_fails_the_signature(sim):
    p = paid(sim)
    body, headers = sim.receiver.event("PAYMENT.CAPTURE.COMPLETED")
    event = json.loads(body)
    event["resource"]["amount"]["value"] = "1.00"
    with pytest.raises(Rejected) as rejected:
        PayPal().check_callback(p, json.dumps(event).encode(), headers)
    assert rejected.value.reason == "signature"
    forged = {**headers, "PAYPAL-TRANSMISSION-SIG": "AAAA"}
    with pytest.raises(Rejected, match="signature"):
        PayPal().check_callback(p, body, forged)
    with pytest.raises(Rejected, match="signature"):
        PayPal().check_callback(p, body, {})


def test_webhook_for_another_amount_is_rejected(sim):
    p = paid(sim)
    body, headers = sim.receiver.event("PAYMENT.CAPTURE.COMPLETED")
    p.provider_amount = 1525  # the payment asked for something else than what was captured
    with pytest.raises(Rejected) as rejected:
        PayPal().check_callback(p, body, headers)
    assert rejected.value.reason == "amount mismatch"


def test_malformed_and_unsupported_webhooks_are_rejected(sim):
    p = payment()
    with pytest.raises(Rejected, match="malformed"):
        PayPal().check_callback(p, b"{not json", {})
    with pytest.raises(Rejected, match="malformed"):
        PayPal().check_callback(p, b"[]", {})
    assert PayPal().callback_reference(b"{not json", {}, "") == ""
    assert len(PayPal().event_key(b"{not json", {}, "")) == 64


def test_declined_capture_webhook_is_a_verified_failure(sim):
    p = payment()
    started(sim, p)
    control(sim, f"/paypal/_sim/orders/{p.provider_reference}/approve")
    control(sim, "/paypal/_sim/config", decline_next_capture=True)
    PayPal().capture(p)
    body, headers = sim.receiver.event("PAYMENT.CAPTURE.DECLINED")
    observed = PayPal().check_callback(p, body, headers)
    assert (observed.status, observed.reason) == (FAILED, "DECLINED")


def test_refunds_in_provider_currency_add_up_to_the_capture(sim):
    p = paid(sim)
    first = PayPal().refund(p, 4000)  # 4 000 FCFA → 6,10 € (6.0979…)
    assert (first.status, first.amount, first.currency) == (REFUNDED, 610, "EUR")
    assert first.data["refunded_amount"] == 4000 and first.data["refund_id"] == first.provider_reference
    assert PayPal().refund(p, 4000).provider_reference == first.provider_reference  # a retry is not paid twice
    p.refunded_amount = 4000
    rest = PayPal().refund(p, 6000)  # 10 000 → 15,24 € in all: 9,14 € left
    assert (rest.status, rest.amount) == (REFUNDED, 914)
    status = PayPal().fetch_status(p)
    assert status.status == REFUNDED and status.data["refunded_provider_amount"] == 1524

    body, headers = sim.receiver.event("PAYMENT.CAPTURE.REFUNDED")
    assert PayPal().callback_reference(body, headers, "") == p.reference
    observed = PayPal().check_callback(p, body, headers)
    assert observed.status == REFUNDED and observed.currency == "EUR"


def test_refund_beyond_the_capture_is_refused(sim):
    p = paid(sim)
    p.exchange_rate = "600"  # a later rate would ask for more than was captured
    with pytest.raises(ProviderRefused) as refused:
        PayPal().refund(p, 10000)
    assert refused.value.reason == "REFUND_AMOUNT_EXCEEDED"
    p.exchange_rate = "655.957"
    with pytest.raises(ProviderRefused, match="AMOUNT_TOO_SMALL"):
        PayPal().refund(p, 3)  # 3 FCFA is less than a euro cent
    p.exchange_rate = "not a rate"
    with pytest.raises(ProviderRefused, match="BAD_EXCHANGE_RATE"):
        PayPal().refund(p, 4000)
    p.data = {}
    with pytest.raises(ProviderRefused, match="NOT_CAPTURED"):
        PayPal().refund(p, 100)


def test_refund_made_on_paypal_is_traced_through_its_capture(sim):
    p = paid(sim)
    provider = PayPal()
    body = json.dumps({"id": "WH-1", "event_type": "PAYMENT.CAPTURE.REFUNDED", "resource": {
        "id": "R1", "status": "COMPLETED", "amount": {"currency_code": "EUR", "value": "1.00"},
        "links": [{"rel": "up", "href": f"{sim.base}/v2/payments/captures/{p.data['capture_id']}"}]}}).encode()
    assert provider.callback_reference(body, {}, "") == p.reference
    unknown = body.replace(p.data["capture_id"].encode(), b"NOPE")
    assert provider.callback_reference(unknown, {}, "") == ""
