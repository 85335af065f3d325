"""MTN MoMo simulator and the shared controls (failure injection, delivery faults, reset, CLI),
driven over real HTTP. Orange and PayPal: test_payment_simulators_{orange,paypal}.py."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from devtools.simulators.payments import create_simulator_app
from devtools.simulators.payments.state import ConfigError
from tests.support.simulators import wait_for

SUB = {"Ocp-Apim-Subscription-Key": "sim-subscription"}


def momo_token(sim) -> str:
    response = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"), headers=SUB)
    assert response.status_code == 200
    return response.json()["access_token"]


def momo_headers(token: str, **extra) -> dict:
    return {**SUB, "Authorization": f"Bearer {token}", "X-Target-Environment": "sandbox", **extra}


def request_to_pay(sim, token, party="237670000000", amount="1500", callback=None, ref=None, **body):
    ref = ref or str(uuid.uuid4())
    headers = momo_headers(token, **{"X-Reference-Id": ref}, **({"X-Callback-Url": callback} if callback else {}))
    payload = {"amount": amount, "currency": "XAF", "externalId": "AG-000012",
               "payer": {"partyIdType": "MSISDN", "partyId": party}, "payerMessage": "Commande AG-000012",
               "payeeNote": "Akwa Market", **body}
    return requests.post(f"{sim.url}/momo/collection/v1_0/requesttopay", json=payload, headers=headers), ref


def momo_status(sim, token, ref, env="sandbox"):
    return requests.get(f"{sim.url}/momo/collection/v1_0/requesttopay/{ref}",
                        headers=momo_headers(token, **{"X-Target-Environment": env}))


# tokens --------------------------------------------------------------------------------------
def test_momo_token_checks_basic_auth_and_subscription_key_and_counts_tokens(sim):
    first, second = momo_token(sim), momo_token(sim)
    assert first != second
    body = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"), headers=SUB).json()
    assert body["token_type"] == "access_token" and body["expires_in"] == 3600 and body["access_token"]
    assert requests.get(f"{sim.url}/_sim/stats").json()["tokens_issued"]["momo"] == 3

    wrong = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "nope"), headers=SUB)
    assert (wrong.status_code, wrong.json()) == (401, {"error": "login_failed"})
    assert requests.post(f"{sim.url}/momo/collection/token/", headers=SUB).status_code == 401
    missing = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"))
    assert missing.status_code == 401 and missing.json()["statusCode"] == 401
    assert missing.json()["message"].startswith("Access denied due to missing subscription key.")
    bad_key = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"),
                            headers={"Ocp-Apim-Subscription-Key": "other"})
    assert bad_key.status_code == 401 and "invalid subscription key" in bad_key.json()["message"]
    assert requests.get(f"{sim.url}/_sim/stats").json()["tokens_issued"]["momo"] == 3  # failures issue nothing


def test_momo_credentials_are_configurable(sim):
    sim.configure(momo_api_user="u2", momo_api_key="k2")
    old = requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"), headers=SUB)
    assert old.status_code == 401
    assert requests.post(f"{sim.url}/momo/collection/token/", auth=("u2", "k2"), headers=SUB).status_code == 200


def test_momo_bearer_token_is_required_and_expires(sim):
    no_token, _ = request_to_pay(sim, "not-a-token")
    assert no_token.status_code == 401 and "Access token is missing or invalid" in no_token.json()["message"]
    token = momo_token(sim)
    assert request_to_pay(sim, token)[0].status_code == 202
    requests.post(f"{sim.url}/_sim/expire-tokens")
    expired, ref = request_to_pay(sim, token)
    assert expired.status_code == 401
    assert momo_status(sim, token, ref).status_code == 401
    headers = momo_headers(momo_token(sim))
    del headers["Ocp-Apim-Subscription-Key"]
    assert requests.get(f"{sim.url}/momo/collection/v1_0/requesttopay/{ref}", headers=headers).status_code == 401


# request to pay --------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "code"), [
    ({"ref": "AG-000012"}, "INVALID_REFERENCE_ID"),
    ({"amount": "15.5"}, "INVALID_AMOUNT"), ({"amount": 1500}, "INVALID_AMOUNT"), ({"amount": "0"}, "INVALID_AMOUNT"),
    ({"currency": "xaf"}, "INVALID_CURRENCY"), ({"currency": "XA"}, "INVALID_CURRENCY"),
    ({"party": "+237670000000"}, "PAYER_NOT_FOUND"), ({"party": "6700000"}, "PAYER_NOT_FOUND"),
    ({"party": "1234567890123456"}, "PAYER_NOT_FOUND"), ({"callback": "ftp://shop/cb"}, "INVALID_CALLBACK_URL_HOST"),
])
def test_momo_request_to_pay_validates_like_mtn(sim, change, code):
    response, _ = request_to_pay(sim, momo_token(sim), **change)
    assert response.status_code == 400 and response.json()["code"] == code
    assert requests.get(f"{sim.url}/momo/_sim/requests").json()["requests"] == []


def test_momo_target_environment_is_required_and_scopes_resources(sim):
    token = momo_token(sim)
    headers = {**momo_headers(token), "X-Reference-Id": str(uuid.uuid4())}
    del headers["X-Target-Environment"]
    response = requests.post(f"{sim.url}/momo/collection/v1_0/requesttopay", headers=headers,
                             json={"amount": "1", "currency": "XAF", "payer": {"partyIdType": "MSISDN",
                                                                               "partyId": "237670000000"}})
    assert response.status_code == 400 and response.json()["code"] == "NOT_ALLOWED_TARGET_ENVIRONMENT"
    _, ref = request_to_pay(sim, token)
    assert momo_status(sim, token, ref, env="mtncameroon").status_code == 404


def test_momo_success_reports_status_and_calls_back_with_put(sim, receiver):
    token = momo_token(sim)
    response, ref = request_to_pay(sim, token, callback=f"{receiver.url}/callbacks/momo/abc")
    assert response.status_code == 202 and response.content == b""
    status = momo_status(sim, token, ref).json()
    assert status["status"] == "SUCCESSFUL" and re.fullmatch(r"[0-9]{10}", status["financialTransactionId"])
    assert "reason" not in status
    assert {k: status[k] for k in ("amount", "currency", "externalId", "payerMessage", "payeeNote")} == {
        "amount": "1500", "currency": "XAF", "externalId": "AG-000012", "payerMessage": "Commande AG-000012",
        "payeeNote": "Akwa Market"}
    assert status["payer"] == {"partyIdType": "MSISDN", "partyId": "237670000000"}
    [call] = receiver.wait(1)
    assert (call["method"], call["path"], call["json"]) == ("PUT", "/callbacks/momo/abc", status)
    record = requests.get(f"{sim.url}/momo/_sim/requests/{ref}").json()
    assert wait_for(lambda: sim.deliveries(ref=ref))[0]["status"] == 200
    assert record["callback_url"].endswith("/callbacks/momo/abc")


def test_momo_reference_reuse_and_unknown_reference(sim):
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token)
    again, _ = request_to_pay(sim, token, ref=ref, amount="99")
    assert again.status_code == 409
    assert again.json() == {"code": "RESOURCE_ALREADY_EXIST",
                            "message": "Duplicated reference id. Creation of resource failed."}
    assert momo_status(sim, token, ref).json()["amount"] == "1500"  # the first request is untouched
    missing = momo_status(sim, token, str(uuid.uuid4()))
    assert missing.status_code == 404 and missing.json() == {"code": "RESOURCE_NOT_FOUND",
                                                             "message": "Requested resource was not found."}


@pytest.mark.parametrize(("party", "reason"), [("237670000050", "INTERNAL_PROCESSING_ERROR"),
                                               ("237670000051", "APPROVAL_REJECTED"), ("237670000052", "EXPIRED")])
def test_momo_magic_numbers_fail_with_their_reason(sim, receiver, party, reason):
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, party=party, callback=f"{receiver.url}/cb")
    status = momo_status(sim, token, ref).json()
    assert (status["status"], status["reason"]) == ("FAILED", reason)
    assert "financialTransactionId" not in status
    assert receiver.wait(1)[0]["json"] == status


def test_momo_magic_53_stays_pending_and_never_calls_back(sim, receiver):
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, party="237670000053", callback=f"{receiver.url}/cb")
    assert momo_status(sim, token, ref).json()["status"] == "PENDING"
    assert sim.deliveries() == []
    assert "AG-000012" not in requests.get(f"{sim.url}/momo/phone").text  # nobody answers that phone


def test_momo_settle_delay_shows_pending_first(sim, receiver):
    sim.configure(settle_delay=0.3)
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, callback=f"{receiver.url}/cb")
    assert momo_status(sim, token, ref).json()["status"] == "PENDING"
    assert receiver.wait(1)[0]["json"]["status"] == "SUCCESSFUL"
    assert momo_status(sim, token, ref).json()["status"] == "SUCCESSFUL"


def test_momo_manual_mode_phone_page_approves_and_rejects(sim, receiver):
    sim.configure(mode="manual")
    token = momo_token(sim)
    _, yes = request_to_pay(sim, token, callback=f"{receiver.url}/cb/yes")
    _, no = request_to_pay(sim, token, party="237690000001", callback=f"{receiver.url}/cb/no", externalId="AG-000013",
                           payerMessage="Commande AG-000013")
    assert momo_status(sim, token, yes).json()["status"] == "PENDING"
    page = requests.get(f"{sim.url}/momo/phone")
    assert page.status_code == 200 and "Téléphone MTN MoMo" in page.text
    assert "AG-000012" in page.text and "AG-000013" in page.text and "1500 XAF" in page.text
    assert "23767•••••00" in page.text and "237670000000" not in page.text  # masked number
    only = requests.get(f"{sim.url}/momo/phone", params={"msisdn": "237690000001"}).text
    assert "AG-000013" in only and "AG-000012" not in only

    approved = requests.post(f"{sim.url}/momo/phone/{yes}/approve", allow_redirects=False)
    assert approved.status_code == 303 and approved.headers["Location"].endswith("/momo/phone")
    rejected = requests.post(f"{sim.url}/momo/phone/{no}/reject", data={"msisdn": "237690000001"},
                             allow_redirects=False)
    assert rejected.status_code == 303 and rejected.headers["Location"].endswith("?msisdn=237690000001")
    assert momo_status(sim, token, yes).json()["status"] == "SUCCESSFUL"
    assert (momo_status(sim, token, no).json()["reason"]) == "APPROVAL_REJECTED"
    calls = {c["path"]: c["json"]["status"] for c in receiver.wait(2)}
    assert calls == {"/cb/yes": "SUCCESSFUL", "/cb/no": "FAILED"}
    assert requests.post(f"{sim.url}/momo/phone/{yes}/reject").status_code == 409  # already answered
    assert "Aucune demande de paiement en attente." in requests.get(f"{sim.url}/momo/phone").text


def test_momo_control_settle_and_record(sim, receiver):
    sim.configure(mode="manual")
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, callback=f"{receiver.url}/cb")
    settled = requests.post(f"{sim.url}/momo/_sim/requests/{ref}/settle",
                            json={"status": "FAILED", "reason": "NOT_ENOUGH_FUNDS"})
    assert settled.status_code == 200 and settled.json()["view"]["reason"] == "NOT_ENOUGH_FUNDS"
    receiver.wait(1)
    record = wait_for(lambda: (r := requests.get(f"{sim.url}/momo/_sim/requests/{ref}").json())["deliveries"] and r)
    assert record["status"] == "FAILED" and record["deliveries"][0]["status"] == 200
    assert requests.post(f"{sim.url}/momo/_sim/requests/{ref}/settle", json={"status": "SUCCESSFUL"}).status_code == 409
    assert requests.post(f"{sim.url}/momo/_sim/requests/{ref}/settle", json={"status": "MAYBE"}).status_code == 400
    assert requests.post(f"{sim.url}/momo/_sim/requests/{uuid.uuid4()}/settle",
                         json={"status": "SUCCESSFUL"}).status_code == 404


# delivery faults -------------------------------------------------------------------------------
def test_callbacks_can_be_duplicated(sim, receiver):
    sim.configure(callback_duplicates=2)
    _, ref = request_to_pay(sim, momo_token(sim), callback=f"{receiver.url}/cb")
    calls = receiver.wait(3)
    assert len({c["raw"] for c in calls}) == 1
    attempts = wait_for(lambda: len(sim.deliveries(ref=ref)) == 3 and sim.deliveries(ref=ref))
    assert [(d["attempt"], d["status"]) for d in attempts] == [(1, 200), (2, 200), (3, 200)]


def test_callbacks_can_be_dropped(sim, receiver):
    sim.configure(callback_drop=True)
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, callback=f"{receiver.url}/cb")
    assert momo_status(sim, token, ref).json()["status"] == "SUCCESSFUL"  # only the callback is lost
    [record] = sim.deliveries(ref=ref)
    assert record["dropped"] is True and record["status"] is None
    assert receiver.calls == []


def test_callbacks_can_be_late_and_use_post(sim, receiver):
    sim.configure(callback_delay=0.4, callback_method="POST")
    started = time.monotonic()
    request_to_pay(sim, momo_token(sim), callback=f"{receiver.url}/cb")
    [call] = receiver.wait(1)
    assert call["method"] == "POST" and call["at"] - started >= 0.35


def test_shuffled_callbacks_are_held_then_delivered_newest_first(sim, receiver):
    sim.configure(callback_shuffle=True)
    token = momo_token(sim)
    for n in (1, 2, 3):
        request_to_pay(sim, token, callback=f"{receiver.url}/cb/{n}")
    assert len(requests.get(f"{sim.url}/_sim/deliveries").json()["held"]) == 3 and receiver.calls == []
    assert requests.post(f"{sim.url}/_sim/deliveries/flush").json() == {"flushed": 3}
    assert [c["path"] for c in receiver.wait(3)] == ["/cb/3", "/cb/2", "/cb/1"]


def test_failed_callbacks_are_recorded_not_raised(sim, receiver):
    receiver.status = 500
    token = momo_token(sim)
    _, ref = request_to_pay(sim, token, callback=f"{receiver.url}/cb")
    _, lost = request_to_pay(sim, token, callback="http://127.0.0.1:9/nobody-listens")
    assert wait_for(lambda: sim.deliveries(ref=ref))[0]["status"] == 500
    record = wait_for(lambda: sim.deliveries(ref=lost))[0]
    assert record["status"] is None and "URLError" in record["error"]
    assert momo_status(sim, token, lost).json()["status"] == "SUCCESSFUL"


# failure injection, reset, config -------------------------------------------------------------
def test_fail_next_answers_errors_then_recovers(sim):
    token = momo_token(sim)
    sim.configure(fail_next={"path_contains": "/requesttopay", "status": 503, "times": 2})
    first, ref = request_to_pay(sim, token)
    assert first.status_code == 503 and first.json()["code"] == "SERVICE_UNAVAILABLE"
    assert request_to_pay(sim, token, ref=ref)[0].status_code == 503
    assert request_to_pay(sim, token, ref=ref)[0].status_code == 202  # nothing was created before
    assert sim.configure()["fail_next"] == []


def test_fail_next_after_processing_loses_the_answer_not_the_work(sim):
    token = momo_token(sim)
    sim.configure(fail_next={"path_contains": "/requesttopay", "method": "POST", "after": True})
    lost, ref = request_to_pay(sim, token)
    assert lost.status_code == 500
    assert momo_status(sim, token, ref).json()["status"] == "SUCCESSFUL"
    assert request_to_pay(sim, token, ref=ref)[0].status_code == 409  # the retry learns it exists


def test_hang_next_makes_clients_time_out(sim):
    sim.configure(hang_next={"seconds": 1, "path_contains": "/collection/token"})
    with pytest.raises(requests.Timeout):
        requests.post(f"{sim.url}/momo/collection/token/", auth=("sim-user", "sim-key"), headers=SUB, timeout=0.3)
    assert momo_token(sim)  # only the next call hangs


def test_config_rejects_unknown_keys_and_bad_values(sim):
    for bad in ({"callback_delay": -1}, {"mode": "fast"}, {"nope": 1}, {"callback_drop": "yes"},
                {"fail_next": {"status": 200}}, {"fail_next": {"paths": "/x"}}):
        response = requests.post(f"{sim.url}/_sim/config", json=bad)
        assert response.status_code == 400 and response.json()["error"] == "invalid_config", bad
    assert requests.post(f"{sim.url}/_sim/config", data="x").status_code == 400
    config = requests.get(f"{sim.url}/_sim/config").json()
    assert config["mode"] == "auto" and "paypal_signing_secret" not in config
    with pytest.raises(ConfigError):
        create_simulator_app(callback_dupes=1)


def test_reset_forgets_everything_and_requests_are_logged(sim):
    token = momo_token(sim)
    sim.configure(mode="manual", callback_delay=2)
    _, ref = request_to_pay(sim, token)
    served = requests.get(f"{sim.url}/_sim/requests").json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in served] == [
        ("POST", "/momo/collection/token/", 200), ("POST", "/momo/collection/v1_0/requesttopay", 202)]
    requests.post(f"{sim.url}/_sim/reset")
    assert requests.get(f"{sim.url}/momo/_sim/requests/{ref}").status_code == 404
    assert momo_status(sim, token, ref).status_code == 401  # tokens are gone too
    config = sim.configure()
    assert (config["mode"], config["callback_delay"]) == ("auto", 0.0)


def test_cli_serves_the_simulators_on_loopback():
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "FLASK_APP": "wsgi.py", "SECRET_KEY": "test-secret"}  # the app refuses the default
    process = subprocess.Popen([sys.executable, "-m", "flask", "payment-simulators", "--port", "0",
                                "--callback-delay", "1.5", "--duplicates", "2", "--drop", "--manual"],
                               cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+)/momo", line).group(1)
        config = requests.get(f"http://127.0.0.1:{port}/_sim/config", timeout=5).json()
        assert (config["callback_delay"], config["callback_duplicates"], config["callback_drop"], config["mode"]) \
            == (1.5, 2, True, "manual")
    finally:
        process.terminate()
        process.wait(timeout=10)
