"""Orange Money Web Payment simulator over real HTTP: token, webpayment, transactionstatus,
the pay page (Payer / Échec / Annuler), notifications and expiry."""
from __future__ import annotations

import pytest
import requests

from tests.support.simulators import wait_for

API = "/orange/orange-money-webpay/dev/v1"


def orange_token(sim) -> str:
    response = requests.post(f"{sim.url}/orange/oauth/v3/token", auth=("sim-orange-id", "sim-orange-secret"),
                             data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    return response.json()["access_token"]


def create(sim, token, receiver=None, **changes):
    hook = receiver.url if receiver else "http://127.0.0.1:9"
    body = {"merchant_key": "sim-merchant-key", "currency": "XOF", "order_id": "AG-000012-1", "amount": 1500,
            "return_url": "http://shop.test/return", "cancel_url": "http://shop.test/cancel",
            "notif_url": f"{hook}/callbacks/orange/AG-000012-1", "lang": "fr", "reference": "Plateau Shopping",
            **changes}
    return requests.post(f"{sim.url}{API}/webpayment", json=body, headers={"Authorization": f"Bearer {token}"})


def status(sim, token, payment, **changes):
    body = {"order_id": "AG-000012-1", "amount": 1500, "pay_token": payment["pay_token"], **changes}
    return requests.post(f"{sim.url}{API}/transactionstatus", json=body, headers={"Authorization": f"Bearer {token}"})


def test_token_checks_client_credentials_and_grant_type(sim):
    body = requests.post(f"{sim.url}/orange/oauth/v3/token", auth=("sim-orange-id", "sim-orange-secret"),
                         data={"grant_type": "client_credentials"}).json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7776000 and body["access_token"]
    bad = requests.post(f"{sim.url}/orange/oauth/v3/token", auth=("sim-orange-id", "nope"),
                        data={"grant_type": "client_credentials"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client" and bad.json()["error_description"]
    grant = requests.post(f"{sim.url}/orange/oauth/v3/token", auth=("sim-orange-id", "sim-orange-secret"),
                          data={"grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    assert requests.get(f"{sim.url}/_sim/stats").json()["tokens_issued"]["orange"] == 1


def test_webpayment_requires_a_valid_bearer_token(sim):
    assert create(sim, "nope").json() == {
        "code": 42, "message": "Invalid credentials",
        "description": "The requested service needs credentials, but the ones provided were invalid."}
    token = orange_token(sim)
    requests.post(f"{sim.url}/_sim/expire-tokens")
    expired = create(sim, token)
    assert expired.status_code == 401 and expired.json()["message"] == "Expired credentials"


def test_webpayment_creates_a_payment_with_an_absolute_pay_url(sim):
    response = create(sim, orange_token(sim))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["message"]) == (201, "OK") and body["pay_token"] and body["notif_token"]
    assert body["payment_url"] == f"{sim.url}/orange/pay/{body['pay_token']}"
    page = requests.get(body["payment_url"])
    assert page.status_code == 200 and "Plateau Shopping" in page.text and "1 500 XOF" in page.text
    assert "AG-000012-1" in page.text and 'value="pay"' in page.text and 'value="cancel"' in page.text
    sim.configure(public_url="http://sim.example:5055/")  # behind a proxy or another host name
    moved = create(sim, orange_token(sim), order_id="AG-000013-1").json()
    assert moved["payment_url"] == f"http://sim.example:5055/orange/pay/{moved['pay_token']}"


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"merchant_key": "other"}, 400, "INVALID_MERCHANT_KEY"), ({"amount": 12.5}, 400, "INVALID_REQUEST"),
    ({"amount": "1500"}, 400, "INVALID_REQUEST"), ({"amount": 0}, 400, "INVALID_REQUEST"),
    ({"amount": True}, 400, "INVALID_REQUEST"), ({"currency": "xof"}, 400, "INVALID_REQUEST"),
    ({"notif_url": "not a url"}, 400, "INVALID_REQUEST"), ({"order_id": ""}, 400, "INVALID_REQUEST"),
    ({"lang": "de"}, 400, "INVALID_REQUEST"),
])
def test_webpayment_validation(sim, change, status, code):
    response = create(sim, orange_token(sim), **change)
    assert response.status_code == status and response.json()["code"] == code


def test_duplicate_order_id_is_refused(sim):
    token = orange_token(sim)
    first = create(sim, token).json()
    again = create(sim, token, amount=900)
    assert again.status_code == 409
    assert again.json()["code"] == "DUPLICATE_ORDER_ID" and again.json()["message"] == "Duplicate order id"
    assert status(sim, token, first).json()["status"] == "INITIATED"


def test_transaction_status_checks_order_amount_and_token(sim):
    token = orange_token(sim)
    payment = create(sim, token).json()
    response = status(sim, token, payment)
    assert response.status_code == 201 and response.json() == {"status": "INITIATED", "order_id": "AG-000012-1"}
    assert status(sim, token, payment, amount="1500").status_code == 201  # the amount may come as a string
    assert status(sim, token, payment, amount=1501).json()["code"] == "TRANSACTION_MISMATCH"
    assert status(sim, token, payment, order_id="AG-000099-1").status_code == 400
    missing = status(sim, token, {"pay_token": "v1unknown"})
    assert missing.status_code == 404 and missing.json()["code"] == "TRANSACTION_NOT_FOUND"
    assert status(sim, "nope", payment).status_code == 401


def test_pay_page_pays_notifies_and_returns(sim, receiver):
    token = orange_token(sim)
    payment = create(sim, token, receiver).json()
    invalid = requests.post(payment["payment_url"], data={"action": "pay", "msisdn": "0707", "otp": "12"},
                            allow_redirects=False)
    assert invalid.status_code == 422
    assert "Numéro Orange Money invalide" in invalid.text and "Code de confirmation invalide" in invalid.text
    assert status(sim, token, payment).json()["status"] == "INITIATED"

    paid = requests.post(payment["payment_url"], data={"action": "pay", "msisdn": "2250707000000", "otp": "1234"},
                         allow_redirects=False)
    assert paid.status_code == 303 and paid.headers["Location"] == "http://shop.test/return"
    [call] = receiver.wait(1)
    assert call["method"] == "POST" and call["path"] == "/callbacks/orange/AG-000012-1"
    assert call["json"]["status"] == "SUCCESS" and call["json"]["notif_token"] == payment["notif_token"]
    state = status(sim, token, payment).json()
    assert state["status"] == "SUCCESS" and state["txnid"] == call["json"]["txnid"]
    assert state["txnid"].startswith("MP")
    again = requests.get(payment["payment_url"])
    assert again.status_code == 409 and "déjà été traité" in again.text
    assert requests.post(payment["payment_url"], data={"action": "fail"}).status_code == 409
    record = requests.get(f"{sim.url}/orange/_sim/payments/{payment['pay_token']}").json()
    assert record["payer"] == "2250707000000" and record["status"] == "SUCCESS"


def test_pay_page_failure_notifies_failed(sim, receiver):
    token = orange_token(sim)
    payment = create(sim, token, receiver).json()
    failed = requests.post(payment["payment_url"], data={"action": "fail"}, allow_redirects=False)
    assert failed.status_code == 303 and failed.headers["Location"] == "http://shop.test/return"
    notification = receiver.wait(1)[0]["json"]
    assert notification["status"] == "FAILED" and notification["notif_token"] == payment["notif_token"]
    assert notification["txnid"]
    assert status(sim, token, payment).json() == {"status": "FAILED", "order_id": "AG-000012-1"}


def test_pay_page_cancel_returns_to_cancel_url_without_notification(sim, receiver):
    token = orange_token(sim)
    payment = create(sim, token, receiver).json()
    cancelled = requests.post(payment["payment_url"], data={"action": "cancel"}, allow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["Location"] == "http://shop.test/cancel"
    assert status(sim, token, payment).json()["status"] == "INITIATED"
    assert sim.deliveries() == [] and receiver.calls == []
    assert requests.get(f"{sim.url}/orange/pay/v1unknown").status_code == 404


def test_unpaid_payments_expire(sim, receiver):
    sim.configure(orange_window=0.2)
    token = orange_token(sim)
    payment = create(sim, token, receiver).json()
    wait_for(lambda: status(sim, token, payment).json()["status"] == "EXPIRED")
    page = requests.get(payment["payment_url"])
    assert page.status_code == 409 and "Ce paiement a expiré." in page.text
    assert requests.post(payment["payment_url"], data={"action": "pay", "msisdn": "2250707000000",
                                                       "otp": "1234"}).status_code == 409
    assert sim.deliveries() == []


def test_control_settle_and_record(sim, receiver):
    token = orange_token(sim)
    payment = create(sim, token, receiver).json()
    control = f"{sim.url}/orange/_sim/payments/{payment['pay_token']}"
    assert requests.post(f"{control}/settle", json={"status": "PENDING"}).json()["status"] == "PENDING"
    assert status(sim, token, payment).json()["status"] == "PENDING"
    settled = requests.post(f"{control}/settle", json={"status": "SUCCESS"})
    assert settled.status_code == 200 and settled.json()["status"] == "SUCCESS"
    assert receiver.wait(1)[0]["json"]["notif_token"] == payment["notif_token"]
    record = wait_for(lambda: (r := requests.get(control).json())["deliveries"] and r)
    assert record["deliveries"][0]["status"] == 200 and record["deliveries"][0]["kind"] == "orange.notification"
    assert requests.post(f"{control}/settle", json={"status": "FAILED"}).status_code == 409
    assert requests.post(f"{control}/settle", json={"status": "NOPE"}).status_code == 400
    assert requests.post(f"{sim.url}/orange/_sim/payments/v1unknown/settle",
                         json={"status": "SUCCESS"}).status_code == 404


def test_notifications_can_be_duplicated(sim, receiver):
    sim.configure(callback_duplicates=1)
    payment = create(sim, orange_token(sim), receiver).json()
    requests.post(f"{sim.url}/orange/_sim/payments/{payment['pay_token']}/settle", json={"status": "SUCCESS"})
    first, second = receiver.wait(2)
    assert first["raw"] == second["raw"]
