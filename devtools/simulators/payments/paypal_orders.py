"""The PayPal simulator's model: Orders v2, captures, refunds, with PayPal's error shapes.

No Flask request in here: routes (paypal.py) parse headers and pass ``base`` (the absolute
``…/paypal`` root used in HATEOAS links). Every change happens under ``world.lock``.

Choices where PayPal leaves room: only ``intent=CAPTURE`` is simulated (AUTHORIZE → 400
``INVALID_PARAMETER_VALUE``); a declined capture answers 201 with the order COMPLETED and
the capture DECLINED (webhook ``PAYMENT.CAPTURE.DECLINED``); a pending capture stays
PENDING (``PENDING_REVIEW``) until ``/paypal/_sim/captures/<id>/settle`` (then
``PAYMENT.CAPTURE.COMPLETED`` or ``PAYMENT.CAPTURE.DENIED``); a second capture of an
invoice_id already paid → 422 ``DUPLICATE_INVOICE_ID`` as the default account setting does.
"""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

from devtools.simulators.payments.paypal_webhooks import emit, store
from devtools.simulators.payments.state import World, now_iso, random_id

CURRENCIES = {"AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD",
              "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD"}
ZERO_DECIMAL = {"HUF", "JPY", "TWD"}
VALUE = re.compile(r"^[0-9]{1,10}(\.[0-9]+)?$")
HEADLINES = {
    400: ("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."),
    401: ("AUTHENTICATION_FAILURE", "Authentication failed due to invalid authentication credentials."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: ("UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, "
          "or failed business validation."),
}
PAYER = {"name": {"given_name": "Awa", "surname": "Simulée"}, "email_address": "sim-buyer@example.com",
         "payer_id": "SIMPAYER", "address": {"country_code": "CM"}}
SELLER_PROTECTION = {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"]}


class PayPalError(Exception):
    def __init__(self, status: int, issue: str, description: str, field: str | None = None,
                 value: str | None = None, location: str = "body") -> None:
        super().__init__(issue)
        self.status, self.issue, self.description = status, issue, description
        self.field, self.value, self.location = field, value, location

    def body(self) -> dict:
        name, message = HEADLINES[self.status]
        detail = {"issue": self.issue, "description": self.description}
        if self.field:
            detail = {"field": self.field, **({"value": self.value} if self.value is not None else {}),
                      "location": self.location, **detail}
        return {"name": name, "message": message, "debug_id": random_id(13, "0123456789abcdef"),
                "details": [detail], "links": [{
                    "href": f"https://developer.paypal.com/api/rest/reference/orders/v2/errors/#{self.issue}",
                    "rel": "information_link", "method": "GET"}]}


def _places(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 2


def _fmt(amount: Decimal, currency: str) -> str:
    return str(amount.quantize(Decimal(1).scaleb(-_places(currency)), rounding=ROUND_HALF_UP))


def _money(raw, field: str) -> tuple[Decimal, str]:
    """(value, currency) of a PayPal Money object, or the error PayPal gives for it."""
    if not isinstance(raw, dict):
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field)
    currency, value = raw.get("currency_code"), raw.get("value")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise PayPalError(400, "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected "
                          "format.", f"{field}/currency_code", str(currency))
    if not isinstance(value, str) or not VALUE.match(value):
        raise PayPalError(400, "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected "
                          "format.", f"{field}/value", str(value))
    if currency not in CURRENCIES:
        raise PayPalError(422, "CURRENCY_NOT_SUPPORTED", "Currency code is not currently supported. Please refer "
                          "https://developer.paypal.com/api/rest/reference/currency-codes/ for list of supported "
                          "currency codes.", f"{field}/currency_code", currency)
    amount = Decimal(value)
    if "." in value and len(value.split(".")[1]) > _places(currency):
        raise PayPalError(422, "DECIMAL_PRECISION", "If the currency supports decimals, only two decimal place "
                          "precision is supported.", f"{field}/value", value)
    if amount <= 0:
        raise PayPalError(422, "CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero. If the currency supports "
                          "decimals, only two decimal place precision is supported.", f"{field}/value", value)
    return amount, currency


def parse_order(body: dict | None) -> dict:
    """Validate an Orders v2 create request; the fields the simulator keeps."""
    if body is None:
        raise PayPalError(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
    if "intent" not in body:
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", "/intent")
    if body["intent"] != "CAPTURE":
        raise PayPalError(400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid (the simulator "
                          "supports intent=CAPTURE only).", "/intent", str(body["intent"]))
    units = body.get("purchase_units")
    if not isinstance(units, list) or not units or not all(isinstance(u, dict) for u in units):
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.",
                          "/purchase_units")
    refs = [u.get("reference_id") or "default" for u in units]
    if len(set(refs)) != len(refs):
        raise PayPalError(422, "DUPLICATE_REFERENCE_ID", "`reference_id` must be unique if multiple "
                          "`purchase_unit` are provided.", "/purchase_units")
    kept, currencies = [], set()
    for ref, unit in zip(refs, units, strict=False):
        where = f"/purchase_units/@reference_id=='{ref}'"
        _, currency = _money(unit.get("amount"), f"{where}/amount")
        currencies.add(currency)
        for field in ("custom_id", "invoice_id"):
            if unit.get(field) is not None and (not isinstance(unit[field], str) or not 0 < len(unit[field]) <= 127):
                raise PayPalError(400, "INVALID_STRING_LENGTH", "The value of a field is either too short or too "
                                  "long.", f"{where}/{field}")
        kept.append({**{k: v for k, v in unit.items() if k != "payments"}, "reference_id": ref})
    if len(currencies) > 1:
        raise PayPalError(422, "MULTI_CURRENCY_ORDER", "Multiple differing values of currency_code are not "
                          "supported.", "/purchase_units")
    source = body.get("payment_source") if isinstance(body.get("payment_source"), dict) else {}
    paypal = source.get("paypal") if isinstance(source.get("paypal"), dict) else None
    context = (paypal or {}).get("experience_context") or body.get("application_context") or {}
    return {"units": kept, "return_url": context.get("return_url"), "cancel_url": context.get("cancel_url"),
            "payer_action": paypal is not None, "fingerprint": json.dumps(body, sort_keys=True)}


def _remember(w: World, key: tuple, fingerprint: str, target: str) -> str | None:
    """The id already created under this PayPal-Request-Id (None: first use)."""
    seen = store(w)["idempotency"].get(key)
    if seen is None:
        store(w)["idempotency"][key] = (fingerprint, target)
        return None
    if seen[0] != fingerprint:
        raise PayPalError(422, "PAYPAL_REQUEST_ID_PREVIOUSLY_USED", "The PayPal-Request-Id has already been used "
                          "for another request.", "PayPal-Request-Id", key[-1], "header")
    return seen[1]


def create_order(w: World, parsed: dict, request_id: str | None) -> tuple[dict, bool]:
    with w.lock:
        orders = store(w)["orders"]
        order_id = random_id()
        if request_id:
            earlier = _remember(w, ("create", request_id), parsed["fingerprint"], order_id)
            if earlier:
                return orders[earlier], False
        orders[order_id] = {
            "id": order_id, "intent": "CAPTURE", "status": "PAYER_ACTION_REQUIRED" if parsed["payer_action"]
            else "CREATED", "units": parsed["units"], "return_url": parsed["return_url"],
            "cancel_url": parsed["cancel_url"], "payer_action": parsed["payer_action"], "payer": None,
            "captures": {}, "create_time": now_iso(), "update_time": None}
        return orders[order_id], True


def get_order(w: World, order_id: str) -> dict:
    order = store(w)["orders"].get(order_id)
    if order is None:
        raise PayPalError(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the "
                          "resource ID and try again.", "order_id", order_id, "path")
    return order


def approve(w: World, order_id: str) -> dict:
    with w.lock:
        order = get_order(w, order_id)
        if order["status"] in ("CREATED", "PAYER_ACTION_REQUIRED"):
            order.update(status="APPROVED", payer=dict(PAYER), update_time=now_iso())
        elif order["status"] != "APPROVED":
            raise PayPalError(422, "ORDER_ALREADY_CAPTURED", "Order already captured. If 'intent=CAPTURE' only "
                              "one capture per order is allowed.")
        return order


def capture(w: World, order_id: str, request_id: str | None, base: str) -> tuple[dict, bool]:
    with w.lock:
        order = get_order(w, order_id)
        if request_id:
            earlier = _remember(w, ("capture", order_id, request_id), "", order_id)
            if earlier:
                return order, False
        if order["status"] == "COMPLETED":
            raise PayPalError(422, "ORDER_ALREADY_CAPTURED", "Order already captured. If 'intent=CAPTURE' only "
                              "one capture per order is allowed.")
        if order["status"] != "APPROVED":
            store(w)["idempotency"].pop(("capture", order_id, request_id), None)  # may be retried once approved
            raise PayPalError(422, "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment. Please "
                              "redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links "
                              "within the Create Order call or provide a valid payment_source in the request.")
        paid = {c["invoice_id"] for c in store(w)["captures"].values()
                if c["invoice_id"] and c["status"] != "DECLINED"}
        if any(u.get("invoice_id") in paid for u in order["units"]):
            store(w)["idempotency"].pop(("capture", order_id, request_id), None)
            raise PayPalError(422, "DUPLICATE_INVOICE_ID", "Duplicate Invoice ID detected. To avoid a potential "
                              "duplicate transaction your account setting requires that Invoice Id be unique for "
                              "each transaction.")
        cfg = w.config
        status = "DECLINED" if cfg["paypal_decline_next_capture"] else \
            "PENDING" if cfg["paypal_pending_next_capture"] else "COMPLETED"
        cfg["paypal_decline_next_capture"] = cfg["paypal_pending_next_capture"] = False
        now = now_iso()
        for unit in order["units"]:
            amount = dict(unit["amount"])
            capture_id = random_id()
            store(w)["captures"][capture_id] = {
                "id": capture_id, "status": status, "amount": {"currency_code": amount["currency_code"],
                                                               "value": amount["value"]},
                "custom_id": unit.get("custom_id"), "invoice_id": unit.get("invoice_id"), "order_id": order_id,
                "reference_id": unit["reference_id"], "refunds": [], "create_time": now, "update_time": now,
                "status_details": {"reason": "PENDING_REVIEW"} if status == "PENDING" else None}
            order["captures"].setdefault(unit["reference_id"], []).append(capture_id)
        order.update(status="COMPLETED", update_time=now)
        for capture_ids in order["captures"].values():
            for capture_id in capture_ids:
                emit_capture(w, store(w)["captures"][capture_id], base)
        return order, True


EVENTS = {"COMPLETED": ("PAYMENT.CAPTURE.COMPLETED", "Payment completed for {v} {c}"),
          "DECLINED": ("PAYMENT.CAPTURE.DECLINED", "A payment capture for {v} {c} was declined."),
          "DENIED": ("PAYMENT.CAPTURE.DENIED", "A {v} {c} capture payment was denied"),
          "PENDING": ("PAYMENT.CAPTURE.PENDING", "Payment pending for {v} {c}")}


def emit_capture(w: World, cap: dict, base: str, outcome: str | None = None) -> dict:
    event_type, summary = EVENTS[outcome or cap["status"]]
    return emit(w, event_type, "capture", capture_view(cap, base),
                summary.format(v=cap["amount"]["value"], c=cap["amount"]["currency_code"]), base)


def settle_capture(w: World, capture_id: str, status: str, base: str) -> dict:
    """A PENDING capture clears (COMPLETED) or is denied (DECLINED, event DENIED)."""
    with w.lock:
        cap = get_capture(w, capture_id)
        if cap["status"] != "PENDING":
            raise PayPalError(422, "CAPTURE_STATUS_NOT_VALID", "Only a PENDING capture can be settled.")
        cap.update(status=status, status_details=None, update_time=now_iso())
        emit_capture(w, cap, base, "DENIED" if status == "DECLINED" else None)
        return cap


def get_capture(w: World, capture_id: str) -> dict:
    cap = store(w)["captures"].get(capture_id)
    if cap is None:
        raise PayPalError(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the "
                          "resource ID and try again.", "capture_id", capture_id, "path")
    return cap


def refund(w: World, capture_id: str, body: dict, request_id: str | None, base: str) -> tuple[dict, bool]:
    with w.lock:
        cap = get_capture(w, capture_id)
        refunds = store(w)["refunds"]
        refund_id = random_id()
        if request_id:
            earlier = _remember(w, ("refund", capture_id, request_id), json.dumps(body, sort_keys=True), refund_id)
            if earlier:
                return refunds[earlier], False
        try:
            refund_id = _refund(w, cap, body, refund_id, base)
        except PayPalError:
            store(w)["idempotency"].pop(("refund", capture_id, request_id), None)
            raise
        return refunds[refund_id], True


def _refund(w: World, cap: dict, body: dict, refund_id: str, base: str) -> str:
    currency = cap["amount"]["currency_code"]
    captured = Decimal(cap["amount"]["value"])
    done = sum((Decimal(store(w)["refunds"][r]["amount"]["value"]) for r in cap["refunds"]), Decimal(0))
    if cap["status"] == "PENDING":
        raise PayPalError(422, "PENDING_CAPTURE", "Cannot initiate a refund as the capture is pending.")
    if cap["status"] == "REFUNDED":
        raise PayPalError(422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
    if cap["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
        raise PayPalError(422, "REFUND_NOT_ALLOWED", "Refund cannot be issued for this capture.")
    amount = captured - done
    if body.get("amount") is not None:
        amount, asked = _money(body["amount"], "/amount")
        if asked != currency:
            raise PayPalError(422, "REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as "
                              "the capture.", "/amount/currency_code", asked)
        if amount > captured - done:
            raise PayPalError(422, "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the "
                              "capture amount that has not yet been refunded.", "/amount/value",
                              body["amount"]["value"])
    now = now_iso()
    store(w)["refunds"][refund_id] = {
        "id": refund_id, "status": "COMPLETED", "amount": {"currency_code": currency, "value": _fmt(amount, currency)},
        "capture_id": cap["id"], "custom_id": cap["custom_id"],
        "invoice_id": body.get("invoice_id") or cap["invoice_id"],
        "note_to_payer": body.get("note_to_payer"), "create_time": now, "update_time": now}
    cap["refunds"].append(refund_id)
    cap.update(status="REFUNDED" if done + amount == captured else "PARTIALLY_REFUNDED", update_time=now)
    view = refund_view(store(w)["refunds"][refund_id], base)
    emit(w, "PAYMENT.CAPTURE.REFUNDED", "refund", view,
         f"A {view['amount']['value']} {currency} capture payment was refunded", base)
    return refund_id


# views -------------------------------------------------------------------------------------
def _link(href: str, rel: str, method: str = "GET") -> dict:
    return {"href": href, "rel": rel, "method": method}


def capture_view(cap: dict, base: str, *, nested: bool = False) -> dict:
    currency, gross = cap["amount"]["currency_code"], Decimal(cap["amount"]["value"])
    fee = min(gross, gross * Decimal("0.029") + (Decimal("0.35") if _places(currency) else Decimal(0)))
    out = {"id": cap["id"], "status": cap["status"], "amount": dict(cap["amount"]), "final_capture": True,
           "seller_protection": SELLER_PROTECTION, "seller_receivable_breakdown": {
               "gross_amount": dict(cap["amount"]),
               "paypal_fee": {"currency_code": currency, "value": _fmt(fee, currency)},
               "net_amount": {"currency_code": currency,
                              "value": _fmt(gross - Decimal(_fmt(fee, currency)), currency)}},
           "links": [_link(f"{base}/v2/payments/captures/{cap['id']}", "self"),
                     _link(f"{base}/v2/payments/captures/{cap['id']}/refund", "refund", "POST"),
                     _link(f"{base}/v2/checkout/orders/{cap['order_id']}", "up")],
           "create_time": cap["create_time"], "update_time": cap["update_time"]}
    if cap["status_details"]:
        out["status_details"] = cap["status_details"]
    out.update({k: cap[k] for k in ("custom_id", "invoice_id") if cap[k]})
    if not nested:
        out["supplementary_data"] = {"related_ids": {"order_id": cap["order_id"]}}
    return out


def refund_view(ref: dict, base: str) -> dict:
    out = {k: ref[k] for k in ("id", "status", "amount", "create_time", "update_time")}
    out.update({k: ref[k] for k in ("custom_id", "invoice_id", "note_to_payer") if ref[k]})
    out["links"] = [_link(f"{base}/v2/payments/refunds/{ref['id']}", "self"),
                    _link(f"{base}/v2/payments/captures/{ref['capture_id']}", "up")]
    return out


def order_view(w: World, order: dict, base: str, *, minimal: bool = False) -> dict:
    oid, status = order["id"], order["status"]
    approve_rel = "payer-action" if order["payer_action"] else "approve"
    links = [_link(f"{base}/v2/checkout/orders/{oid}", "self")]
    if status in ("CREATED", "PAYER_ACTION_REQUIRED"):
        links.append(_link(f"{base}/checkoutnow?token={oid}", approve_rel))
    if status in ("CREATED", "APPROVED"):
        links += [_link(f"{base}/v2/checkout/orders/{oid}", "update", "PATCH"),
                  _link(f"{base}/v2/checkout/orders/{oid}/capture", "capture", "POST")]
    out: dict = {"id": oid, "status": status}
    if order["payer"]:
        out["payment_source"] = {"paypal": {"email_address": PAYER["email_address"], "account_id": PAYER["payer_id"],
                                            "account_status": "VERIFIED", "name": PAYER["name"],
                                            "address": PAYER["address"]}}
    elif order["payer_action"]:
        out["payment_source"] = {"paypal": {}}
    if minimal:
        return {**out, "links": links}
    units = []
    for unit in order["units"]:
        unit = {**unit, "payee": {"email_address": "sim-merchant@example.com", "merchant_id": "SIMMERCHANT01"}}
        captures = [store(w)["captures"][c] for c in order["captures"].get(unit["reference_id"], [])]
        if captures:
            unit["payments"] = {"captures": [capture_view(c, base, nested=True) for c in captures]}
            refunds = [refund_view(store(w)["refunds"][r], base) for c in captures for r in c["refunds"]]
            if refunds:
                unit["payments"]["refunds"] = refunds
        units.append(unit)
    out.update(intent=order["intent"], purchase_units=units, create_time=order["create_time"], links=links)
    if order["payer"]:
        out["payer"] = order["payer"]
    if order["update_time"]:
        out["update_time"] = order["update_time"]
    return out
