"""MTN MoMo end to end against the local simulator: checkout, callbacks (duplicated, forged,
dropped, late), reconciliation, provider failures. Every case checks the payment, the
order's payment status, the stock and the messages."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import requests
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.core.db import tenant_context, utcnow
from app.core.jobs import run
from app.extensions import db
from app.inventory.models import Reservation
from app.payments import inbox
from app.payments.models import Payment, ProviderEvent
from app.staff.services import create_staff
from tests.support.backoffice import login
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
    token_of,
)


def make_due(app, tenant_id, **values) -> None:
    def go():
        db.session.execute(update(Payment).values(next_check_at=utcnow() - timedelta(seconds=1), **values))
        db.session.commit()
    in_tenant(app, tenant_id, go)


def post_callback(app_server, tenant_id, reference, body, method="PUT"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.request(method, f"{app_server}/callbacks/{tenant_id}/momo/{reference}", data=data,
                            headers={"Content-Type": "application/json"}, timeout=10)


def test_approved_momo_payment_marks_the_order_paid_and_sells_the_stock(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    before = stock(app, a, shirt)
    client, response = buy(app, "akwa", shirt, "momo", momo_phone="6 77 12 34 56")
    assert response.status_code == 303 and "/payments/" in response.headers["Location"]
    settle_callbacks(app, sim, 1, a)
    payment = only_payment(app, a)
    assert (payment.status, payment.payer, payment.method) == ("succeeded", "237•••56", "momo")
    assert payment.provider_reference  # MoMo's financialTransactionId
    assert order_state(app, a) == ("received", "paid")
    assert stock(app, a, shirt) == (before[0] - 1, before[1])  # sold: on hand down, nothing left reserved
    assert messages(app, a, "payment_received") == 2  # one email, one SMS
    request = sim.get(f"/momo/_sim/requests/{payment.reference}")
    assert request["payer"]["partyId"] == "237677123456" and request["amount"] == str(payment.amount)
    page = client.get(response.headers["Location"])
    assert page.status_code == 302 and "/payments/" not in page.headers["Location"]


def test_rejected_then_retried_with_another_number(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    before = stock(app, a, shirt)
    client, response = buy(app, "akwa", shirt, "momo", momo_phone="6 77 12 34 51")  # …51: the payer rejects
    settle_callbacks(app, sim, 1, a)
    failed = only_payment(app, a)
    assert (failed.status, failed.reason) == ("failed", "APPROVAL_REJECTED")
    assert order_state(app, a) == ("received", "failed")
    assert stock(app, a, shirt) == before  # released
    waiting = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vous avez refusé le paiement" in waiting and "Réessayer ou choisir un autre moyen" in waiting

    token = token_of(response)
    page = client.get(f"/shop/orders/{token}/pay").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    retry = client.post(f"/shop/orders/{token}/pay", data={
        "csrf_token": csrf_token(client, f"/shop/orders/{token}/pay"), "idempotency_key": key,
        "payment_method": "momo", "momo_phone": "6 77 12 34 56"})
    assert retry.status_code == 303
    settle_callbacks(app, sim, 2, a)
    assert only_payment(app, a).status == "succeeded"
    assert order_state(app, a) == ("received", "paid")
    assert stock(app, a, shirt) == (before[0] - 1, before[1])  # taken back, then sold once


def test_a_callback_delivered_ten_times_moves_the_payment_once(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_duplicates=9)
    buy(app, "akwa", shirt, "momo")
    settle_callbacks(app, sim, 10, a)
    assert count_events(app, a) == 1  # nine replays answered from the inbox
    assert only_payment(app, a).status == "succeeded"
    assert paid_changes(app, a) == 1 and messages(app, a, "payment_received") == 2


def test_a_forged_successful_callback_never_marks_a_failed_payment_paid(app, tenants, sim, app_server):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)
    buy(app, "akwa", shirt, "momo", momo_phone="6 77 12 34 50")  # …50: MoMo fails it
    payment = only_payment(app, a)
    assert payment.status == "pending"  # no callback came
    forged = {"amount": str(payment.amount), "currency": "XAF", "financialTransactionId": "999",
              "status": "SUCCESSFUL"}
    assert post_callback(app_server, a, payment.reference, forged).status_code == 200
    run_jobs(app)
    assert only_payment(app, a).status == "failed"
    assert order_state(app, a) == ("received", "failed") and paid_changes(app, a) == 0
    event = in_tenant(app, a, lambda: db.session.scalars(select(ProviderEvent)).one())
    assert event.outcome == "applied" and "provider says failed" in event.reason


def test_out_of_order_failure_after_success_changes_nothing(app, tenants, sim, app_server):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    buy(app, "akwa", shirt, "momo")
    settle_callbacks(app, sim, 1, a)
    payment = only_payment(app, a)
    stale = {"amount": str(payment.amount), "currency": "XAF", "status": "FAILED",
             "reason": "INTERNAL_PROCESSING_ERROR"}
    post_callback(app_server, a, payment.reference, stale)
    run_jobs(app)
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    assert count_events(app, a, outcome="ignored") == 1 and paid_changes(app, a) == 1


def test_dropped_callbacks_are_caught_by_reconciliation(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)
    buy(app, "akwa", shirt, "momo")
    assert only_payment(app, a).status == "pending"
    make_due(app, a)
    run("app.payments.jobs.reconcile", None, app=app)
    run_jobs(app)
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    assert count_events(app, a) == 0


def test_pending_payments_back_off_then_expire_and_a_late_success_is_flagged(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    in_tenant(app, a, lambda: (create_staff("pdg@akwa.cm", "PDG", "pdg", "un-long-secret"), db.session.commit()))
    before = stock(app, a, shirt)
    buy(app, "akwa", shirt, "momo", momo_phone="6 77 12 34 53")  # …53: stays pending
    make_due(app, a)
    run("app.payments.jobs.reconcile", None, app=app)
    first = only_payment(app, a)
    assert first.status == "pending" and first.checks == 1 and first.next_check_at > utcnow()
    make_due(app, a, expires_at=utcnow() - timedelta(seconds=1))
    run("app.payments.jobs.reconcile", None, app=app)
    expired = only_payment(app, a)
    assert (expired.status, expired.reason) == ("expired", "WINDOW_ELAPSED")
    assert order_state(app, a) == ("received", "failed") and stock(app, a, shirt) == before

    sim.post(f"/momo/_sim/requests/{expired.reference}/settle", {"status": "SUCCESSFUL"})
    settle_callbacks(app, sim, 1, a)
    late = only_payment(app, a)
    assert late.status == "expired" and late.needs_review and "tardif" in late.review_note
    assert order_state(app, a) == ("received", "failed")  # staff decide: refund or reinstate
    assert count_events(app, a, outcome="late") == 1
    assert messages(app, a, "staff_payment_review") >= 1


def test_bad_callbacks_are_stored_rejected_and_change_nothing(app, tenants, sim, app_server):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)
    buy(app, "akwa", shirt, "momo")
    payment = only_payment(app, a)
    assert post_callback(app_server, a, "00000000-0000-4000-8000-000000000000", {"status": "SUCCESSFUL"}).ok
    malformed = post_callback(app_server, a, payment.reference, b"{not json")
    assert malformed.status_code == 400 and malformed.json()["reason"] == "malformed body"
    wrong_amount = {"amount": "1", "currency": "XAF", "status": "SUCCESSFUL"}
    assert post_callback(app_server, a, payment.reference, wrong_amount).ok
    assert post_callback(app_server, 999999, payment.reference, {"status": "SUCCESSFUL"}).status_code == 404
    run_jobs(app)
    reasons = in_tenant(app, a, lambda: sorted(e.reason for e in db.session.scalars(
        select(ProviderEvent).where(ProviderEvent.outcome == "rejected"))))
    assert reasons[0].startswith("amount/currency mismatch") and reasons[1:] == ["malformed body", "unknown reference"]
    assert only_payment(app, a).status == "pending" and order_state(app, a) == ("received", "pending")


def test_provider_down_at_checkout_keeps_the_reservation_and_never_charges_twice(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    before = stock(app, a, shirt)
    # MoMo does the work, then the answer is lost (a 500 after processing): the worst case
    sim.configure(callback_drop=True, fail_next={"path_contains": "/collection/v1_0/requesttopay", "method": "POST",
                                                 "status": 500, "times": 1, "after": True})
    client, response = buy(app, "akwa", shirt, "momo")
    assert response.status_code == 303 and response.headers["Location"].endswith("/pay")
    assert "Réessayez ou choisissez un autre moyen" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert only_payment(app, a).status == "pending" and stock(app, a, shirt) == (before[0], before[1] + 1)

    token = token_of(response)
    page = client.get(f"/shop/orders/{token}/pay").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    retry = client.post(f"/shop/orders/{token}/pay", data={
        "csrf_token": csrf_token(client, f"/shop/orders/{token}/pay"), "idempotency_key": key,
        "payment_method": "momo", "momo_phone": "6 77 12 34 56"})
    assert retry.status_code == 303
    run_jobs(app)
    # the first request had landed: it is found and applied; no second request-to-pay is sent
    creates = [r for r in sim.get("/_sim/requests")["requests"] if r["method"] == "POST"
               and r["path"].endswith("/requesttopay")]
    assert len(creates) == 1
    payments = in_tenant(app, a, lambda: db.session.scalars(select(Payment)).all())
    assert [p.status for p in payments] == ["succeeded"]
    assert order_state(app, a) == ("received", "paid") and stock(app, a, shirt) == (before[0] - 1, before[1])


def test_an_invalid_momo_number_is_a_form_error(app, tenants, sim):
    a = tenants.a.tenant.id
    _, response = buy(app, "akwa", tenants.a["shirt"].variant_ids[0], "momo", momo_phone="12")
    assert response.status_code == 422
    assert "Numéro Mobile Money invalide" in response.get_data(as_text=True)
    assert in_tenant(app, a, lambda: db.session.scalars(select(Payment)).all()) == []


def test_concurrent_copies_of_an_event_move_the_payment_exactly_once(app, tenants, sim):
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)
    buy(app, "akwa", shirt, "momo")
    payment = only_payment(app, a)
    with app.test_request_context(), tenant_context(a):  # ten different bodies: ten inbox rows
        ids = [inbox.receive("momo", json.dumps({"status": "SUCCESSFUL", "n": i}).encode(), {},
                             payment.reference)[0] for i in range(10)]
    # Without Redis each event was processed as it was stored; with Redis the jobs wait in
    # RQ and ten threads process the ten events at the same instant.
    barrier, errors = threading.Barrier(len(ids)), []

    def worker(event_id):
        try:
            with app.app_context(), tenant_context(a):
                barrier.wait()
                inbox.process(event_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    run_jobs(app)  # the queued copies find nothing left to do
    assert only_payment(app, a).status == "succeeded" and paid_changes(app, a) == 1
    assert count_events(app, a, outcome="applied") == 1 and count_events(app, a, outcome="ignored") == 9
    assert in_tenant(app, a, lambda: [r.status for r in db.session.scalars(select(Reservation))]) == ["confirmed"]


def test_check_now_asks_mtn_applies_the_answer_and_audits_it(app, tenants, sim, pdg):
    """Staff's "Vérifier maintenant": no callback came, MTN has the money; one click pays
    the order and leaves one audit entry with the status before and after."""
    a, shirt = tenants.a.tenant.id, tenants.a["shirt"].variant_ids[0]
    sim.configure(callback_drop=True)
    buy(app, "akwa", shirt, "momo", momo_phone="6 77 12 34 56")
    payment = only_payment(app, a)
    assert payment.status == "pending"
    checked = pdg.post(f"/backoffice/payments/{payment.id}/check",
                       data={"csrf_token": csrf_token(pdg, "/backoffice/payments")})
    assert checked.status_code == 303
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    entries = in_tenant(app, a, lambda: db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "payment.check")).all())
    assert [(e.target_id, e.before, e.after) for e in entries] == [
        (str(payment.id), {"status": "pending"}, {"status": "succeeded"})]
    other, _ = login(app, "plateau", "pdg@plateau.cm")  # another shop's id is not found
    assert other.post(f"/backoffice/payments/{payment.id}/check",
                      data={"csrf_token": csrf_token(other, "/backoffice/payments")}).status_code == 404
