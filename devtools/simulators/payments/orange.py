"""Orange Money Web Payment (``orange-money-webpay/dev/v1``), as the dev environment speaks it.

The merchant creates a web payment, sends the shopper to ``payment_url`` (the pay page
here), and learns the outcome from the notification (``POST notif_url`` carrying the
``notif_token`` given at creation) or by polling ``transactionstatus``. Statuses: INITIATED
(created, nobody paid), PENDING (only through the control endpoint), SUCCESS, FAILED, and
EXPIRED once ``orange_window`` seconds pass unpaid (computed when read). "Annuler" on the
pay page sends the shopper to ``cancel_url`` and changes nothing, as Orange does.

Errors chosen (Orange documents no exact body): ``{"code", "message", "description"}`` with
400 ``INVALID_REQUEST`` (bad field), 400 ``INVALID_MERCHANT_KEY``, 409 ``DUPLICATE_ORDER_ID``
(message "Duplicate order id"), 404 ``TRANSACTION_NOT_FOUND`` (unknown pay_token on
transactionstatus), 400 ``TRANSACTION_MISMATCH`` (order_id or amount not those of the
pay_token); bad Bearer → 401 ``{"code": 42, "message": "Invalid credentials"|"Expired
credentials", ...}`` as Orange's API gateway answers.
"""
from __future__ import annotations

import re
import secrets
import time
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _

from devtools.simulators.payments.state import (
    World,
    base_url,
    basic_credentials,
    bearer_token,
    json_object,
    now_iso,
    world,
)

bp = Blueprint("orange", __name__)

TOKEN_TTL = 7776000
OPEN = ("INITIATED", "PENDING")


def _payments(w: World) -> dict:
    return w.store("orange", lambda: {"payments": {}, "orders": {}, "txn": 0})


def _error(status: int, code: str | int, message: str, description: str = ""):
    return jsonify(code=code, message=message, description=description or message), status


def _authorized():
    state = world().token_state("orange", bearer_token())
    if state == "valid":
        return None
    if state == "expired":
        return _error(401, 42, "Expired credentials",
                      "The requested service needs credentials, but the ones provided were out-of-date.")
    return _error(401, 42, "Invalid credentials",
                  "The requested service needs credentials, but the ones provided were invalid.")


def _current(w: World, payment: dict) -> dict:
    """The payment with its lazy expiry applied (call under the lock)."""
    if payment["status"] in OPEN and time.monotonic() - payment["created"] > w.config["orange_window"]:
        payment["status"] = "EXPIRED"
        payment["settled_at"] = now_iso()
    return payment


def _txnid(w: World) -> str:
    store = _payments(w)
    store["txn"] += 1
    return datetime.now().strftime("MP%y%m%d.%H%M.") + f"C{store['txn']:05d}"


def settle(w: World, pay_token: str, status: str) -> dict | None:
    """SUCCESS/FAILED (with notification) or PENDING (silent); None when not open."""
    with w.lock:
        payment = _payments(w)["payments"].get(pay_token)
        if payment is None or _current(w, payment)["status"] not in OPEN:
            return None
        payment["status"] = status
        if status == "PENDING":
            return dict(payment)
        payment["txnid"] = _txnid(w)
        payment["settled_at"] = now_iso()
        notification = {"status": status, "notif_token": payment["notif_token"], "txnid": payment["txnid"]}
        snapshot = dict(payment)
    w.deliverer.send("orange.notification", pay_token, "POST", payment["notif_url"], notification)
    return snapshot


def _url(value) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)


def _validate(body: dict | None, merchant_key: str):
    if body is None:
        return _error(400, "INVALID_REQUEST", "Bad request", "The request body is not a JSON object.")
    if body.get("merchant_key") != merchant_key:
        return _error(400, "INVALID_MERCHANT_KEY", "Invalid merchant key", "Unknown merchant_key.")
    amount = body.get("amount")
    checks = [
        (isinstance(body.get("currency"), str) and re.fullmatch(r"[A-Z]{3}", body["currency"]), "currency"),
        (isinstance(body.get("order_id"), str) and 0 < len(body["order_id"]) <= 64, "order_id"),
        (isinstance(amount, int) and not isinstance(amount, bool) and amount > 0, "amount"),
        (_url(body.get("return_url")), "return_url"), (_url(body.get("cancel_url")), "cancel_url"),
        (_url(body.get("notif_url")), "notif_url"), (body.get("lang", "fr") in ("fr", "en"), "lang"),
    ]
    for ok, field in checks:
        if not ok:
            return _error(400, "INVALID_REQUEST", "Bad request", f"Invalid or missing field: {field}.")
    return None


@bp.post("/oauth/v3/token")
def create_token():
    cfg = world().config
    if basic_credentials() != (cfg["orange_client_id"], cfg["orange_client_secret"]):
        return jsonify(error="invalid_client", error_description="The requested service needs credentials, "
                       "but the ones provided were invalid."), 401
    if request.form.get("grant_type") != "client_credentials":
        return jsonify(error="unsupported_grant_type",
                       error_description="grant_type must be client_credentials."), 400
    token = world().issue_token("orange", TOKEN_TTL)
    return jsonify(token_type="Bearer", access_token=token, expires_in=TOKEN_TTL)


@bp.post("/orange-money-webpay/dev/v1/webpayment")
def create_payment():
    denied = _authorized()
    if denied:
        return denied
    w = world()
    body = json_object()
    problem = _validate(body, w.config["orange_merchant_key"])
    if problem:
        return problem
    pay_token, notif_token = "v1" + secrets.token_hex(24), secrets.token_hex(16)
    with w.lock:
        store = _payments(w)
        if body["order_id"] in store["orders"]:
            return _error(409, "DUPLICATE_ORDER_ID", "Duplicate order id",
                          "A web payment already exists for this order_id.")
        store["orders"][body["order_id"]] = pay_token
        store["payments"][pay_token] = {
            "pay_token": pay_token, "notif_token": notif_token, "order_id": body["order_id"],
            "amount": body["amount"], "currency": body["currency"], "reference": body.get("reference") or "",
            "return_url": body["return_url"], "cancel_url": body["cancel_url"], "notif_url": body["notif_url"],
            "lang": body.get("lang", "fr"), "status": "INITIATED", "txnid": None, "created": time.monotonic(),
            "created_at": now_iso(), "settled_at": None, "payer": None}
    return jsonify(status=201, message="OK", pay_token=pay_token,
                   payment_url=f"{base_url('/orange')}/pay/{pay_token}", notif_token=notif_token), 201


@bp.post("/orange-money-webpay/dev/v1/transactionstatus")
def transaction_status():
    denied = _authorized()
    if denied:
        return denied
    body = json_object() or {}
    w = world()
    with w.lock:
        payment = _payments(w)["payments"].get(body.get("pay_token"))
        if payment is None:
            return _error(404, "TRANSACTION_NOT_FOUND", "Transaction not found", "Unknown pay_token.")
        amount = body.get("amount")
        amount = int(amount) if isinstance(amount, str) and amount.isdigit() else amount
        if body.get("order_id") != payment["order_id"] or amount != payment["amount"] or isinstance(amount, bool):
            return _error(400, "TRANSACTION_MISMATCH", "Bad request",
                          "order_id and amount must be those of the web payment.")
        _current(w, payment)
        out = {"status": payment["status"], "order_id": payment["order_id"]}
        if payment["status"] == "SUCCESS":
            out["txnid"] = payment["txnid"]
    return jsonify(out), 201


# the shopper's pay page ------------------------------------------------------------------
def _page(payment: dict, status: int = 200, **extra):
    g.sim_lang = payment["lang"]
    merchant = payment["reference"] or world().config["orange_merchant_name"]
    return render_template("simulators/orange_pay.html", payment=payment, merchant=merchant, **extra), status


@bp.get("/pay/<pay_token>")
def pay_page(pay_token: str):
    w = world()
    with w.lock:
        payment = _payments(w)["payments"].get(pay_token)
        payment = dict(_current(w, payment)) if payment else None
    if payment is None:
        return render_template("simulators/orange_pay.html", payment=None), 404
    return _page(payment, 200 if payment["status"] in OPEN else 409)


@bp.post("/pay/<pay_token>")
def pay(pay_token: str):
    w = world()
    with w.lock:
        payment = _payments(w)["payments"].get(pay_token)
        payment = dict(_current(w, payment)) if payment else None
    if payment is None:
        return render_template("simulators/orange_pay.html", payment=None), 404
    g.sim_lang = payment["lang"]  # before any gettext call: Babel caches the request's locale
    if payment["status"] not in OPEN:
        return _page(payment, 409)
    action = request.form.get("action")
    if action == "cancel":
        return redirect(payment["cancel_url"], 303)
    if action == "pay":
        msisdn, otp = request.form.get("msisdn", "").strip(), request.form.get("otp", "").strip()
        errors = {}
        if not re.fullmatch(r"[0-9]{8,15}", msisdn):
            errors["msisdn"] = _("Numéro Orange Money invalide (8 à 15 chiffres).")
        if not re.fullmatch(r"[0-9]{4,6}", otp):
            errors["otp"] = _("Code de confirmation invalide (4 à 6 chiffres).")
        if errors:
            return _page(payment, 422, errors=errors, form={"msisdn": msisdn})
        with w.lock:
            w.stores["orange"]["payments"][pay_token]["payer"] = msisdn
        status = "SUCCESS"
    elif action == "fail":
        status = "FAILED"
    else:
        return _page(payment, 400)
    if settle(w, pay_token, status) is None:  # another tab or the control endpoint won the race
        return pay_page(pay_token)
    return redirect(payment["return_url"], 303)


# control ------------------------------------------------------------------------------------
@bp.post("/_sim/payments/<pay_token>/settle")
def control_settle(pay_token: str):
    status = (json_object() or {}).get("status")
    if status not in ("SUCCESS", "FAILED", "PENDING"):
        return jsonify(error="invalid_status", message="status: SUCCESS, FAILED or PENDING"), 400
    w = world()
    if settle(w, pay_token, status) is None:
        with w.lock:
            known = pay_token in _payments(w)["payments"]
        return (jsonify(error="not_open"), 409) if known else (jsonify(error="not_found"), 404)
    return control_get(pay_token)


@bp.get("/_sim/payments/<pay_token>")
def control_get(pay_token: str):
    w = world()
    with w.lock:
        payment = _payments(w)["payments"].get(pay_token)
        if payment is None:
            return jsonify(error="not_found"), 404
        _current(w, payment)
        deliveries = [d for d in w.deliveries if d["kind"] == "orange.notification" and d["ref"] == pay_token]
        return jsonify({**{k: v for k, v in payment.items() if k != "created"}, "deliveries": deliveries})
