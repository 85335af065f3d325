"""PayPal REST (OAuth2, Orders v2, Payments v2, webhook verification) and the buyer's approve
page, compatible with the ``paypal-server-sdk`` client pointed at ``<simulator>/paypal``.

Status codes: create order 201 (200 when the same ``PayPal-Request-Id`` and body come again;
another body under a used id → 422 ``PAYPAL_REQUEST_ID_PREVIOUSLY_USED``); capture 201 (200
on an idempotent replay); refund 201 (200 on replay); errors in PayPal's shape
``{"name", "message", "debug_id", "details": [{"field", "value", "location", "issue",
"description"}], "links"}``; a bad Bearer → 401 ``{"error": "invalid_token", ...}``.
Model and webhooks: paypal_orders.py, paypal_webhooks.py.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, jsonify, redirect, render_template, request

import devtools.simulators.payments.paypal_webhooks as webhooks
from devtools.simulators.payments.paypal_orders import (
    PayPalError,
    approve,
    capture,
    capture_view,
    create_order,
    get_capture,
    get_order,
    order_view,
    parse_order,
    refund,
    refund_view,
    settle_capture,
)
from devtools.simulators.payments.paypal_webhooks import store
from devtools.simulators.payments.state import (
    ConfigError,
    base_url,
    basic_credentials,
    bearer_token,
    json_object,
    now_iso,
    random_id,
    world,
)

bp = Blueprint("paypal", __name__)

TOKEN_TTL = 32400
SCOPE = ("https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund "
         "https://uri.paypal.com/services/applications/webhooks https://uri.paypal.com/services/payments/orders/"
         "read openid")


@bp.errorhandler(PayPalError)
def _paypal_error(exc: PayPalError):
    return jsonify(exc.body()), exc.status


@bp.before_request
def _slow_api():
    path = request.path
    if "/_sim/" not in path and "/checkoutnow" not in path and world().config["paypal_delay"]:
        time.sleep(world().config["paypal_delay"])


def _base() -> str:
    return base_url("/paypal")


def _authorized():
    state = world().token_state("paypal", bearer_token())
    if state == "valid":
        return None
    return jsonify(error="invalid_token", error_description="Access Token not found in cache" if state == "expired"
                   else "Token signature verification failed"), 401


def _request_id() -> str | None:
    return request.headers.get("PayPal-Request-Id") or None


@bp.post("/v1/oauth2/token")
def create_token():
    cfg = world().config
    if basic_credentials() != (cfg["paypal_client_id"], cfg["paypal_client_secret"]):
        return jsonify(error="invalid_client", error_description="Client Authentication failed"), 401
    if request.form.get("grant_type") != "client_credentials":
        return jsonify(error="unsupported_grant_type", error_description="Grant Type is NULL"), 400
    token = world().issue_token("paypal", TOKEN_TTL, prefix="A21AA")
    return jsonify(scope=SCOPE, access_token=token, token_type="Bearer", app_id="APP-SIM", expires_in=TOKEN_TTL,
                   nonce=now_iso() + random_id(20))


@bp.post("/v2/checkout/orders")
def create():
    denied = _authorized()
    if denied:
        return denied
    w = world()
    order, created = create_order(w, parse_order(json_object()), _request_id())
    minimal = "return=representation" not in request.headers.get("Prefer", "")
    with w.lock:
        return jsonify(order_view(w, order, _base(), minimal=minimal)), 201 if created else 200


@bp.get("/v2/checkout/orders/<order_id>")
def show(order_id: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    with w.lock:
        return jsonify(order_view(w, get_order(w, order_id), _base()))


@bp.post("/v2/checkout/orders/<order_id>/capture")
def capture_order(order_id: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    order, created = capture(w, order_id, _request_id(), _base())
    with w.lock:
        return jsonify(order_view(w, order, _base())), 201 if created else 200


@bp.get("/v2/payments/captures/<capture_id>")
def show_capture(capture_id: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    with w.lock:
        return jsonify(capture_view(get_capture(w, capture_id), _base()))


@bp.post("/v2/payments/captures/<capture_id>/refund")
def refund_capture(capture_id: str):
    denied = _authorized()
    if denied:
        return denied
    done, created = refund(world(), capture_id, json_object() or {}, _request_id(), _base())
    return jsonify(refund_view(done, _base())), 201 if created else 200


@bp.get("/v2/payments/refunds/<refund_id>")
def show_refund(refund_id: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    with w.lock:
        found = store(w)["refunds"].get(refund_id)
        if found is None:
            raise PayPalError(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist.", "refund_id",
                              refund_id, "path")
        return jsonify(refund_view(found, _base()))


@bp.post("/v1/notifications/verify-webhook-signature")
def verify_webhook_signature():
    denied = _authorized()
    if denied:
        return denied
    body = json_object() or {}
    missing = webhooks.missing_fields(body)
    if missing:
        return jsonify(name="VALIDATION_ERROR", message="Invalid request - see details",
                       debug_id=random_id(13, "0123456789abcdef"),
                       information_link="https://developer.paypal.com/docs/api/webhooks/#errors",
                       details=[{"field": f, "location": "body", "issue": "Required field cannot be blank"}
                                for f in missing]), 400
    return jsonify(verification_status=webhooks.verify(world(), body))


@bp.get("/v1/notifications/webhooks-events/<event_id>")
def show_event(event_id: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    with w.lock:
        event = store(w)["events"].get(event_id)
    if event is None:
        raise PayPalError(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist.", "event_id",
                          event_id, "path")
    return jsonify(event)


# the buyer's approve page --------------------------------------------------------------
def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _page(order: dict | None, status: int = 200, **extra):
    return render_template("simulators/paypal_approve.html", order=order, **extra), status


def _order_or_none(order_id: str) -> dict | None:
    """The order as the page shows it, with where to send the buyer back."""
    w = world()
    with w.lock:
        order = store(w)["orders"].get(order_id)
        if order is None:
            return None
        return order_view(w, order, _base()) | {"return_url": order["return_url"], "cancel_url": order["cancel_url"]}


@bp.get("/checkoutnow")
def approve_page():
    order = _order_or_none(request.args.get("token", ""))
    if order is None:
        return _page(None, 404)
    return _page(order, 200 if order["status"] in ("CREATED", "PAYER_ACTION_REQUIRED", "APPROVED") else 409)


@bp.post("/checkoutnow")
def approve_answer():
    order_id = request.form.get("token", "")
    order = _order_or_none(order_id)
    if order is None:
        return _page(None, 404)
    if request.form.get("action") == "cancel":
        if order["cancel_url"]:
            return redirect(_with_query(order["cancel_url"], token=order_id), 303)
        return _page(order, cancelled=True)
    if request.form.get("action") != "approve":
        return _page(order, 400)
    try:
        approve(world(), order_id)
    except PayPalError:
        return _page(order, 409)
    if order["return_url"]:
        return redirect(_with_query(order["return_url"], token=order_id, PayerID="SIMPAYER"), 303)
    return _page(_order_or_none(order_id), approved=True)


# control ------------------------------------------------------------------------------------
CONFIG_KEYS = {"webhook_url": "paypal_webhook_url", "webhook_id": "paypal_webhook_id", "delay": "paypal_delay",
               "decline_next_capture": "paypal_decline_next_capture",
               "pending_next_capture": "paypal_pending_next_capture"}


@bp.post("/_sim/config")
def control_config():
    body = json_object()
    if body is None or set(body) - set(CONFIG_KEYS) - {"fail_next"}:
        return jsonify(error="invalid_config", message="keys: " + ", ".join([*CONFIG_KEYS, "fail_next"])), 400
    patch = {CONFIG_KEYS[k]: v for k, v in body.items() if k in CONFIG_KEYS}
    fail = body.get("fail_next")
    if fail not in (None, False, 0):
        times = fail if isinstance(fail, int) and not isinstance(fail, bool) else 1
        patch["fail_next"] = {"path_contains": "/paypal/v", "status": 500, "times": times}
    try:
        config = world().configure(patch)
    except ConfigError as exc:
        return jsonify(error="invalid_config", message=str(exc)), 400
    return jsonify({k: config[v] for k, v in CONFIG_KEYS.items()} | {"fail_next": config["fail_next"]})


@bp.post("/_sim/orders/<order_id>/approve")
def control_approve(order_id: str):
    w = world()
    try:
        order = approve(w, order_id)
    except PayPalError as exc:
        return jsonify(error=exc.issue, message=exc.description), 404 if exc.status == 404 else 409
    with w.lock:
        return jsonify(order_view(w, order, _base()))


@bp.get("/_sim/orders/<order_id>")
def control_order(order_id: str):
    order = _order_or_none(order_id)
    return jsonify(order) if order else (jsonify(error="not_found"), 404)


@bp.post("/_sim/captures/<capture_id>/settle")
def control_settle_capture(capture_id: str):
    status = (json_object() or {}).get("status")
    if status not in ("COMPLETED", "DECLINED"):
        return jsonify(error="invalid_status", message="status: COMPLETED or DECLINED"), 400
    w = world()
    try:
        cap = settle_capture(w, capture_id, status, _base())
    except PayPalError as exc:
        return jsonify(error=exc.issue, message=exc.description), 404 if exc.status == 404 else 409
    with w.lock:
        return jsonify(capture_view(cap, _base()))


@bp.get("/_sim/webhooks")
def control_events():
    w = world()
    with w.lock:
        events = list(store(w)["events"].values())
    return jsonify(events=events)


@bp.post("/_sim/webhooks/resend/<event_id>")
def control_resend(event_id: str):
    w = world()
    with w.lock:
        known = event_id in store(w)["events"]
        configured = bool(w.config["paypal_webhook_url"])
    if not known:
        return jsonify(error="not_found"), 404
    if not configured:
        return jsonify(error="no_webhook_url"), 409
    return jsonify(event_id=event_id, transmission_id=webhooks.deliver(w, event_id, _base()))
