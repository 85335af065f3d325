"""PayPal simulator over real HTTP (OAuth2, Orders v2, captures, refunds, webhooks and their
verification, the approve page) and through the ``paypal-server-sdk`` client."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from paypalserversdk.configuration import Configuration, Server
from paypalserversdk.exceptions.error_exception import ErrorException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import PaypalWalletExperienceContext
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient


def paypal_token(sim) -> str:
    response = requests.post(f"{sim.url}/paypal/v1/oauth2/token", auth=("sim-paypal-id", "sim-paypal-secret"),
                             data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    return response.json()["access_token"]


class PayPal:
    def __init__(self, sim) -> None:
        self.sim, self.base = sim, f"{sim.url}/paypal"
        self.headers = {"Authorization": f"Bearer {paypal_token(sim)}"}

    def call(self, method: str, path: str, request_id: str | None = None, **kwargs):
        headers = {**self.headers, **({"PayPal-Request-Id": request_id} if request_id else {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, **kwargs)

    def create(self, currency="EUR", value="12.34", invoice="AG-000012-1", legacy=False, request_id=None, **unit):
        urls = {"return_url": "http://shop.test/paypal/return?o=12", "cancel_url": "http://shop.test/paypal/cancel"}
        body = {"intent": "CAPTURE", "purchase_units": [{"reference_id": "AG-000012", "custom_id": "AG-000012",
                                                         "invoice_id": invoice, "amount": {"currency_code": currency,
                                                                                           "value": value}, **unit}]}
        body |= ({"application_context": urls} if legacy
                 else {"payment_source": {"paypal": {"experience_context": urls}}})
        return self.call("POST", "/v2/checkout/orders", request_id, json=body)

    def paid_order(self, **kwargs) -> dict:
        order = self.create(**kwargs).json()
        assert requests.post(f"{self.base}/_sim/orders/{order['id']}/approve").status_code == 200
        captured = self.call("POST", f"/v2/checkout/orders/{order['id']}/capture", json={})
        assert captured.status_code == 201
        return captured.json()


@pytest.fixture
def paypal(sim):
    return PayPal(sim)


def link(resource: dict, rel: str) -> str:
    return next(item["href"] for item in resource["links"] if item["rel"] == rel)


def test_token_checks_client_credentials(sim):
    body = requests.post(f"{sim.url}/paypal/v1/oauth2/token", auth=("sim-paypal-id", "sim-paypal-secret"),
                         data={"grant_type": "client_credentials"}).json()
    assert body["token_type"] == "Bearer" and body["app_id"] == "APP-SIM" and body["expires_in"] == 32400
    assert body["access_token"] and body["nonce"] and body["scope"]
    bad = requests.post(f"{sim.url}/paypal/v1/oauth2/token", auth=("sim-paypal-id", "x"),
                        data={"grant_type": "client_credentials"})
    assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client",
                                                   "error_description": "Client Authentication failed"})


def test_api_calls_need_a_live_bearer_token(sim, paypal):
    assert requests.get(f"{paypal.base}/v2/checkout/orders/X").json()["error"] == "invalid_token"
    order = paypal.create().json()
    requests.post(f"{sim.url}/_sim/expire-tokens")
    expired = paypal.call("GET", f"/v2/checkout/orders/{order['id']}")
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"


def test_create_order_with_experience_context_needs_payer_action(paypal):
    response = paypal.create()
    assert response.status_code == 201
    order = response.json()
    assert len(order["id"]) == 17 and order["status"] == "PAYER_ACTION_REQUIRED"
    assert link(order, "self") == f"{paypal.base}/v2/checkout/orders/{order['id']}"
    assert link(order, "payer-action") == f"{paypal.base}/checkoutnow?token={order['id']}"
    full = paypal.call("GET", f"/v2/checkout/orders/{order['id']}").json()
    unit = full["purchase_units"][0]
    assert (unit["amount"], unit["custom_id"], unit["invoice_id"]) == (
        {"currency_code": "EUR", "value": "12.34"}, "AG-000012", "AG-000012-1")
    assert full["intent"] == "CAPTURE" and "payments" not in unit


def test_create_order_with_legacy_application_context_gets_an_approve_link(paypal):
    order = paypal.create(legacy=True).json()
    assert order["status"] == "CREATED" and link(order, "approve").endswith(f"/checkoutnow?token={order['id']}")
    assert link(order, "capture").endswith("/capture")


@pytest.mark.parametrize(("kwargs", "status", "issue"), [
    ({"currency": "XAF", "value": "1500"}, 422, "CURRENCY_NOT_SUPPORTED"),
    ({"currency": "XOF", "value": "1500"}, 422, "CURRENCY_NOT_SUPPORTED"),
    ({"value": "12.345"}, 422, "DECIMAL_PRECISION"), ({"currency": "JPY", "value": "100.5"}, 422, "DECIMAL_PRECISION"),
    ({"value": "0.00"}, 422, "CANNOT_BE_ZERO_OR_NEGATIVE"), ({"value": "12,34"}, 400, "INVALID_PARAMETER_SYNTAX"),
    ({"value": 12.34}, 400, "INVALID_PARAMETER_SYNTAX"), ({"invoice": "x" * 128}, 400, "INVALID_STRING_LENGTH"),
])
def test_create_order_validation_errors_have_paypal_shape(paypal, kwargs, status, issue):
    response = paypal.create(**kwargs)
    assert response.status_code == status
    body = response.json()
    assert body["name"] == ("UNPROCESSABLE_ENTITY" if status == 422 else "INVALID_REQUEST")
    assert body["details"][0]["issue"] == issue and body["debug_id"] and body["message"]


def test_create_order_rejects_missing_units_and_other_intents(paypal):
    missing = paypal.call("POST", "/v2/checkout/orders", json={"intent": "CAPTURE"})
    assert missing.status_code == 400 and missing.json()["details"][0]["field"] == "/purchase_units"
    authorize = paypal.call("POST", "/v2/checkout/orders", json={"intent": "AUTHORIZE", "purchase_units": [
        {"amount": {"currency_code": "EUR", "value": "1.00"}}]})
    assert authorize.status_code == 400 and authorize.json()["details"][0]["issue"] == "INVALID_PARAMETER_VALUE"
    assert paypal.call("POST", "/v2/checkout/orders", data="{").status_code == 400


def test_create_order_is_idempotent_per_request_id(paypal):
    request_id = str(uuid.uuid4())
    first = paypal.create(request_id=request_id)
    again = paypal.create(request_id=request_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = paypal.create(request_id=request_id, value="99.00")
    assert other.status_code == 422 and other.json()["details"][0]["issue"] == "PAYPAL_REQUEST_ID_PREVIOUSLY_USED"
    assert paypal.create().json()["id"] != first.json()["id"]  # no id: a new order each time


def test_approve_page_approves_and_returns_with_payer_id(paypal):
    order = paypal.create().json()
    page = requests.get(link(order, "payer-action"))
    assert page.status_code == 200 and "12.34 EUR" in page.text and 'value="approve"' in page.text
    answer = requests.post(f"{paypal.base}/checkoutnow", data={"token": order["id"], "action": "approve"},
                           allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"http://shop.test/paypal/return?o=12&token={order['id']}&PayerID=SIMPAYER"
    approved = paypal.call("GET", f"/v2/checkout/orders/{order['id']}").json()
    assert approved["status"] == "APPROVED" and approved["payer"]["payer_id"] == "SIMPAYER"
    assert requests.get(f"{paypal.base}/checkoutnow", params={"token": "NOPE"}).status_code == 404


def test_approve_page_cancel_goes_to_cancel_url(paypal):
    order = paypal.create().json()
    answer = requests.post(f"{paypal.base}/checkoutnow", data={"token": order["id"], "action": "cancel"},
                           allow_redirects=False)
    assert answer.headers["Location"] == f"http://shop.test/paypal/cancel?token={order['id']}"
    assert paypal.call("GET", f"/v2/checkout/orders/{order['id']}").json()["status"] == "PAYER_ACTION_REQUIRED"


def test_capture_rules_and_idempotency(paypal):
    order = paypal.create().json()
    path = f"/v2/checkout/orders/{order['id']}/capture"
    early = paypal.call("POST", path, "cap-1", json={})
    assert early.status_code == 422 and early.json()["details"][0]["issue"] == "ORDER_NOT_APPROVED"
    requests.post(f"{paypal.base}/_sim/orders/{order['id']}/approve")
    captured = paypal.call("POST", path, "cap-1", json={})
    assert captured.status_code == 201
    body = captured.json()
    capture = body["purchase_units"][0]["payments"]["captures"][0]
    assert body["status"] == "COMPLETED" and capture["status"] == "COMPLETED"
    assert (capture["amount"]["value"], capture["custom_id"], capture["invoice_id"]) == ("12.34", "AG-000012",
                                                                                       "AG-000012-1")
    replay = paypal.call("POST", path, "cap-1", json={})
    assert replay.status_code == 200 and replay.json()["purchase_units"][0]["payments"]["captures"][0]["id"] \
        == capture["id"]
    twice = paypal.call("POST", path, json={})
    assert twice.status_code == 422 and twice.json()["details"][0]["issue"] == "ORDER_ALREADY_CAPTURED"
    got = paypal.call("GET", f"/v2/payments/captures/{capture['id']}").json()
    assert got["supplementary_data"]["related_ids"]["order_id"] == order["id"] and got["status"] == "COMPLETED"
    missing = paypal.call("GET", "/v2/checkout/orders/NOPE")
    assert missing.status_code == 404 and missing.json()["name"] == "RESOURCE_NOT_FOUND"


def test_a_paid_invoice_id_cannot_be_captured_again(paypal):
    paypal.paid_order()
    order = paypal.create().json()
    requests.post(f"{paypal.base}/_sim/orders/{order['id']}/approve")
    again = paypal.call("POST", f"/v2/checkout/orders/{order['id']}/capture", json={})
    assert again.status_code == 422 and again.json()["details"][0]["issue"] == "DUPLICATE_INVOICE_ID"


def test_capture_webhook_is_signed_and_verifiable(sim, paypal, receiver):
    requests.post(f"{paypal.base}/_sim/config", json={"webhook_url": f"{receiver.url}/callbacks/paypal"})
    order = paypal.paid_order()
    [call] = receiver.wait(1)
    event = call["json"]
    assert call["method"] == "POST" and event["event_type"] == "PAYMENT.CAPTURE.COMPLETED"
    assert event["id"].startswith("WH-") and event["resource_type"] == "capture" and event["event_version"] == "1.0"
    assert event["resource"]["supplementary_data"]["related_ids"]["order_id"] == order["id"]
    assert event["resource"]["custom_id"] == "AG-000012" and event["resource"]["amount"]["value"] == "12.34"
    h = call["headers"]
    verification = {"auth_algo": h["PAYPAL-AUTH-ALGO"], "cert_url": h["PAYPAL-CERT-URL"],
                    "transmission_id": h["PAYPAL-TRANSMISSION-ID"], "transmission_sig": h["PAYPAL-TRANSMISSION-SIG"],
                    "transmission_time": h["PAYPAL-TRANSMISSION-TIME"], "webhook_id": "SIM-WEBHOOK-ID",
                    "webhook_event": json.loads(call["raw"])}
    verify = "/v1/notifications/verify-webhook-signature"
    assert paypal.call("POST", verify, json=verification).json() == {"verification_status": "SUCCESS"}
    forged = {**verification, "webhook_event": {**event, "resource": {**event["resource"], "custom_id": "AG-9"}}}
    assert paypal.call("POST", verify, json=forged).json()["verification_status"] == "FAILURE"
    assert paypal.call("POST", verify, json={**verification, "webhook_id": "OTHER"}).json()["verification_status"] \
        == "FAILURE"
    assert paypal.call("POST", verify, json={**verification, "transmission_sig": "AAAA"}).json() \
        == {"verification_status": "FAILURE"}
    incomplete = paypal.call("POST", verify, json={k: v for k, v in verification.items() if k != "transmission_id"})
    assert incomplete.status_code == 400 and incomplete.json()["name"] == "VALIDATION_ERROR"
    assert requests.post(f"{paypal.base}{verify}", json=verification).status_code == 401

    resent = requests.post(f"{paypal.base}/_sim/webhooks/resend/{event['id']}").json()
    second = receiver.wait(2)[1]
    assert second["json"]["id"] == event["id"]
    assert second["headers"]["PAYPAL-TRANSMISSION-ID"] == resent["transmission_id"] != h["PAYPAL-TRANSMISSION-ID"]
    assert paypal.call("GET", f"/v1/notifications/webhooks-events/{event['id']}").json()["id"] == event["id"]


def test_declined_and_pending_captures(paypal, receiver):
    requests.post(f"{paypal.base}/_sim/config", json={"webhook_url": receiver.url, "decline_next_capture": True})
    declined = paypal.paid_order()["purchase_units"][0]["payments"]["captures"][0]
    assert declined["status"] == "DECLINED"
    assert receiver.wait(1)[0]["json"]["event_type"] == "PAYMENT.CAPTURE.DECLINED"
    requests.post(f"{paypal.base}/_sim/config", json={"pending_next_capture": True})
    pending = paypal.paid_order(invoice="AG-000012-2")["purchase_units"][0]["payments"]["captures"][0]
    assert pending["status"] == "PENDING" and pending["status_details"] == {"reason": "PENDING_REVIEW"}
    assert receiver.wait(2)[1]["json"]["event_type"] == "PAYMENT.CAPTURE.PENDING"
    cleared = requests.post(f"{paypal.base}/_sim/captures/{pending['id']}/settle", json={"status": "COMPLETED"})
    assert cleared.json()["status"] == "COMPLETED"
    assert receiver.wait(3)[2]["json"]["event_type"] == "PAYMENT.CAPTURE.COMPLETED"
    assert requests.post(f"{paypal.base}/_sim/captures/{pending['id']}/settle",
                         json={"status": "DECLINED"}).status_code == 409
    third = paypal.paid_order(invoice="AG-000012-3")["purchase_units"][0]["payments"]["captures"][0]
    assert third["status"] == "COMPLETED"  # "next" means one capture only


def test_refunds_partial_then_full(paypal, receiver):
    requests.post(f"{paypal.base}/_sim/config", json={"webhook_url": receiver.url})
    capture = paypal.paid_order()["purchase_units"][0]["payments"]["captures"][0]
    path = f"/v2/payments/captures/{capture['id']}/refund"
    part = paypal.call("POST", path, "r-1", json={"amount": {"value": "2.34", "currency_code": "EUR"}})
    assert part.status_code == 201 and part.json()["status"] == "COMPLETED" and part.json()["amount"]["value"] == "2.34"
    assert paypal.call("POST", path, "r-1", json={"amount": {"value": "2.34", "currency_code": "EUR"}}).status_code \
        == 200
    assert paypal.call("GET", f"/v2/payments/captures/{capture['id']}").json()["status"] == "PARTIALLY_REFUNDED"
    too_much = paypal.call("POST", path, json={"amount": {"value": "10.01", "currency_code": "EUR"}})
    assert too_much.status_code == 422 and too_much.json()["details"][0]["issue"] == "REFUND_AMOUNT_EXCEEDED"
    rest = paypal.call("POST", path, json={})
    assert rest.status_code == 201 and rest.json()["amount"] == {"currency_code": "EUR", "value": "10.00"}
    assert paypal.call("GET", f"/v2/payments/captures/{capture['id']}").json()["status"] == "REFUNDED"
    done = paypal.call("POST", path, json={})
    assert done.status_code == 422 and done.json()["details"][0]["issue"] == "CAPTURE_FULLY_REFUNDED"
    events = [c["json"] for c in receiver.wait(3)]
    refunded = [e for e in events if e["event_type"] == "PAYMENT.CAPTURE.REFUNDED"]
    assert [e["resource"]["amount"]["value"] for e in refunded] == ["2.34", "10.00"]
    assert link(refunded[0]["resource"], "up").endswith(f"/v2/payments/captures/{capture['id']}")


def test_no_webhook_url_means_no_webhook(sim, paypal):
    paypal.paid_order()
    assert sim.deliveries() == []


def test_paypal_fail_next_answers_500_once(paypal):
    requests.post(f"{paypal.base}/_sim/config", json={"fail_next": True})
    failed = paypal.create()
    assert failed.status_code == 500 and failed.json()["name"] == "INTERNAL_SERVER_ERROR"
    assert paypal.create().status_code == 201
    assert requests.post(f"{paypal.base}/_sim/config", json={"nope": 1}).status_code == 400


def test_paypal_delay_slows_every_api_call(paypal):
    requests.post(f"{paypal.base}/_sim/config", json={"delay": 0.5})
    with pytest.raises(requests.Timeout):
        paypal.call("POST", "/v2/checkout/orders", json={}, timeout=0.2)
    requests.post(f"{paypal.base}/_sim/config", json={"delay": 0})
    assert paypal.create().status_code == 201


def test_sdk_creates_approves_captures_and_reads_completed(sim):
    """The shop's PayPal provider uses paypal-server-sdk: it must work against the simulator."""

    class SimulatorConfiguration(Configuration):
        """The SDK asks its configuration for the base URI of every call: answer the simulator."""

        def __init__(self, base_uri: str, **kwargs) -> None:
            self._base_uri = base_uri.rstrip("/")
            super().__init__(**kwargs)

        def get_base_uri(self, server=Server.DEFAULT) -> str:
            return self._base_uri

    client = PaypalServersdkClient(config=SimulatorConfiguration(
        f"{sim.url}/paypal", client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
            o_auth_client_id="sim-paypal-id", o_auth_client_secret="sim-paypal-secret")))
    context = PaypalWalletExperienceContext(return_url="http://shop.test/r", cancel_url="http://shop.test/c")
    body = OrderRequest(intent=CheckoutPaymentIntent.CAPTURE, purchase_units=[PurchaseUnitRequest(
        amount=AmountWithBreakdown(currency_code="EUR", value="12.34"), custom_id="AG-000012",
        invoice_id="AG-000012-1")], payment_source=PaymentSource(paypal=PaypalWallet(experience_context=context)))
    created = client.orders.create_order({"body": body, "paypal_request_id": str(uuid.uuid4())})
    assert created.status_code == 201 and created.body.status == "PAYER_ACTION_REQUIRED"
    with pytest.raises(ErrorException) as not_approved:
        client.orders.capture_order({"id": created.body.id})
    assert not_approved.value.response_code == 422 and not_approved.value.details[0].issue == "ORDER_NOT_APPROVED"
    assert requests.post(f"{sim.url}/paypal/_sim/orders/{created.body.id}/approve").status_code == 200
    captured = client.orders.capture_order({"id": created.body.id, "paypal_request_id": str(uuid.uuid4())})
    assert captured.status_code == 201 and captured.body.status == "COMPLETED"
    capture = captured.body.purchase_units[0].payments.captures[0]
    assert (capture.status, capture.amount.value, capture.custom_id) == ("COMPLETED", "12.34", "AG-000012")
    assert client.orders.get_order({"id": created.body.id}).body.status == "COMPLETED"
    with pytest.raises(ErrorException) as unsupported:
        client.orders.create_order({"body": OrderRequest(intent=CheckoutPaymentIntent.CAPTURE, purchase_units=[
            PurchaseUnitRequest(amount=AmountWithBreakdown(currency_code="XAF", value="1500"))])})
    assert unsupported.value.details[0].issue == "CURRENCY_NOT_SUPPORTED"
    assert requests.get(f"{sim.url}/_sim/stats").json()["tokens_issued"]["paypal"] == 1  # the SDK caches its token
