"""MTN Mobile Money Collection API (request-to-pay), as the sandbox speaks it.

Magic numbers (the payer's last two digits): 50 → FAILED INTERNAL_PROCESSING_ERROR,
51 → FAILED APPROVAL_REJECTED, 52 → FAILED EXPIRED, 53 → PENDING forever; any other number
becomes SUCCESSFUL in ``auto`` mode or waits for the phone page in ``manual`` mode. The
final state lands ``settle_delay`` seconds after creation, then the callback (``PUT`` by
default) goes to ``X-Callback-Url`` with the same JSON the status GET returns.

Errors chosen where MTN documents no exact body: bad ``X-Reference-Id`` → 400
``INVALID_REFERENCE_ID``; missing ``X-Target-Environment`` → 400
``NOT_ALLOWED_TARGET_ENVIRONMENT``; bad amount → 400 ``INVALID_AMOUNT``; bad currency → 400
``INVALID_CURRENCY``; payer not 8–15 digits → 400 ``PAYER_NOT_FOUND`` (MTN's code for an
invalid MSISDN); bad callback URL → 400 ``INVALID_CALLBACK_URL_HOST``; bad JSON → 400
``BAD_REQUEST``; bad/expired Bearer token → 401 ``{"statusCode": 401, "message":
"Unauthorized. Access token is missing or invalid."}`` (the API gateway's answer).
"""
from __future__ import annotations

import re
import secrets
import threading
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from devtools.simulators.payments.state import World, basic_credentials, bearer_token, json_object, now_iso, world

bp = Blueprint("momo", __name__)

MAGIC = {"50": ("FAILED", "INTERNAL_PROCESSING_ERROR"), "51": ("FAILED", "APPROVAL_REJECTED"),
         "52": ("FAILED", "EXPIRED")}
NEVER = "53"
TOKEN_TTL = 3600
FINAL = ("SUCCESSFUL", "FAILED")


def _requests(w: World) -> dict[str, dict]:
    return w.store("momo", dict)


def _error(status: int, code: str, message: str):
    return jsonify(code=code, message=message), status


def _gateway():
    """The API gateway's subscription-key check, in front of every MoMo endpoint."""
    key = request.headers.get("Ocp-Apim-Subscription-Key")
    if not key:
        return jsonify(statusCode=401, message="Access denied due to missing subscription key. Make sure to "
                       "include subscription key when making requests to an API."), 401
    if key != world().config["momo_subscription_key"]:
        return jsonify(statusCode=401, message="Access denied due to invalid subscription key. Make sure to "
                       "provide a valid key for an active subscription."), 401
    return None


def _authorized():
    denied = _gateway()
    if denied:
        return denied
    if world().token_state("momo", bearer_token()) != "valid":
        return jsonify(statusCode=401, message="Unauthorized. Access token is missing or invalid."), 401
    if not request.headers.get("X-Target-Environment", "").strip():
        return _error(400, "NOT_ALLOWED_TARGET_ENVIRONMENT", "Access to target environment is forbidden.")
    return None


def view(record: dict) -> dict:
    """The status resource, exactly what GET answers and what the callback carries."""
    out = {"amount": record["amount"], "currency": record["currency"], "externalId": record["externalId"],
           "payer": record["payer"], "payerMessage": record["payerMessage"], "payeeNote": record["payeeNote"],
           "status": record["status"]}
    if record["status"] == "SUCCESSFUL":
        out["financialTransactionId"] = record["financialTransactionId"]
    if record["status"] == "FAILED":
        out["reason"] = record["reason"]
    return out


def settle(w: World, ref: str, status: str, reason: str | None = None, *, generation: int | None = None) -> bool:
    """Move a PENDING request to its final state and send the callback; False if not pending."""
    with w.lock:
        record = _requests(w).get(ref)
        if record is None or record["status"] != "PENDING" or generation not in (None, w.generation):
            return False
        record["status"] = status
        record["reason"] = (reason or "INTERNAL_PROCESSING_ERROR") if status == "FAILED" else None
        if status == "SUCCESSFUL":
            record["financialTransactionId"] = str(secrets.randbelow(9 * 10**9) + 10**9)
        record["settled_at"] = now_iso()
        body, url, method = view(record), record["callback_url"], w.config["callback_method"]
    if url:
        w.deliverer.send("momo.callback", ref, method, url, body)
    return True


def _outcome(w: World, party_id: str) -> tuple[str, str | None] | None:
    """The final state a new request is heading to; None: nobody answers on the phone."""
    suffix = party_id[-2:]
    if suffix == NEVER:
        return None
    if suffix in MAGIC:
        return MAGIC[suffix]
    return ("SUCCESSFUL", None) if w.config["mode"] == "auto" else None


def _validate(body: dict | None) -> tuple[int, str, str] | None:
    if body is None:
        return 400, "BAD_REQUEST", "The request body is not a JSON object."
    amount = body.get("amount")
    if not isinstance(amount, str) or not re.fullmatch(r"[0-9]+", amount) or int(amount) <= 0:
        return 400, "INVALID_AMOUNT", "Amount must be a string holding a positive integer."
    if not isinstance(body.get("currency"), str) or not re.fullmatch(r"[A-Z]{3}", body["currency"]):
        return 400, "INVALID_CURRENCY", "Currency must be a 3-letter ISO 4217 code."
    payer = body.get("payer")
    if not isinstance(payer, dict) or payer.get("partyIdType") != "MSISDN" \
            or not isinstance(payer.get("partyId"), str) or not re.fullmatch(r"[0-9]{8,15}", payer["partyId"]):
        return 400, "PAYER_NOT_FOUND", "Payer must be an MSISDN of 8 to 15 digits, country code first, no '+'."
    for field in ("externalId", "payerMessage", "payeeNote"):
        if body.get(field) is not None and not isinstance(body[field], str):
            return 400, "BAD_REQUEST", f"{field} must be a string."
    return None


@bp.post("/collection/token/", strict_slashes=False)
def create_token():
    denied = _gateway()
    if denied:
        return denied
    cfg = world().config
    if basic_credentials() != (cfg["momo_api_user"], cfg["momo_api_key"]):
        return jsonify(error="login_failed"), 401
    token = world().issue_token("momo", TOKEN_TTL)
    return jsonify(access_token=token, token_type="access_token", expires_in=TOKEN_TTL)


@bp.post("/collection/v1_0/requesttopay")
def request_to_pay():
    denied = _authorized()
    if denied:
        return denied
    ref = request.headers.get("X-Reference-Id", "")
    try:
        if str(uuid.UUID(ref)) != ref.lower():
            raise ValueError(ref)
    except ValueError:
        return _error(400, "INVALID_REFERENCE_ID", "X-Reference-Id must be a UUID.")
    callback_url = request.headers.get("X-Callback-Url") or None
    if callback_url and (urlsplit(callback_url).scheme not in ("http", "https") or not urlsplit(callback_url).netloc):
        return _error(400, "INVALID_CALLBACK_URL_HOST", "Callback URL host is not valid.")
    body = json_object()
    problem = _validate(body)
    if problem:
        return _error(*problem)
    w = world()
    with w.lock:
        store = _requests(w)
        if ref.lower() in store:
            return _error(409, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
        store[ref.lower()] = {
            "referenceId": ref.lower(), "amount": body["amount"], "currency": body["currency"],
            "externalId": body.get("externalId") or "", "payer": {"partyIdType": "MSISDN",
                                                                  "partyId": body["payer"]["partyId"]},
            "payerMessage": body.get("payerMessage") or "", "payeeNote": body.get("payeeNote") or "",
            "status": "PENDING", "reason": None, "financialTransactionId": None, "callback_url": callback_url,
            "target_environment": request.headers["X-Target-Environment"], "created_at": now_iso(),
            "settled_at": None, "answers_phone": body["payer"]["partyId"][-2:] != NEVER}
        outcome, delay, generation = _outcome(w, body["payer"]["partyId"]), w.config["settle_delay"], w.generation
    if outcome and delay:
        timer = threading.Timer(delay, settle, args=(w, ref.lower(), *outcome), kwargs={"generation": generation})
        timer.daemon = True
        timer.start()
    elif outcome:
        settle(w, ref.lower(), *outcome)
    return "", 202


@bp.get("/collection/v1_0/requesttopay/<ref>")
def get_request_to_pay(ref: str):
    denied = _authorized()
    if denied:
        return denied
    w = world()
    with w.lock:
        record = _requests(w).get(ref.lower())
        # resources live in one target environment: asking another one finds nothing
        if record is None or record["target_environment"] != request.headers["X-Target-Environment"]:
            return _error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
        return jsonify(view(record))


# the payer's phone ------------------------------------------------------------------------
def mask(msisdn: str) -> str:
    return msisdn[:5] + "•" * max(len(msisdn) - 7, 0) + msisdn[-2:]


@bp.get("/phone")
def phone():
    msisdn = request.args.get("msisdn", "").strip()
    w = world()
    with w.lock:
        pending = [{**r, "masked": mask(r["payer"]["partyId"])} for r in _requests(w).values()
                   if r["status"] == "PENDING" and r["answers_phone"]
                   and (not msisdn or r["payer"]["partyId"] == msisdn)]
    return render_template("simulators/momo_phone.html", pending=pending, msisdn=msisdn)


@bp.post("/phone/<ref>/<any(approve, reject):decision>")
def answer_phone(ref: str, decision: str):
    w = world()
    with w.lock:
        record = _requests(w).get(ref.lower())
        answers = record is not None and record["answers_phone"]
    done = answers and (settle(w, ref.lower(), "SUCCESSFUL") if decision == "approve"
                        else settle(w, ref.lower(), "FAILED", "APPROVAL_REJECTED"))
    if not done:
        return render_template("simulators/momo_phone.html", pending=[], msisdn="", gone=True), 409
    msisdn = request.form.get("msisdn", "")
    return redirect(url_for("momo.phone", msisdn=msisdn) if msisdn else url_for("momo.phone"), 303)


# control ------------------------------------------------------------------------------------
@bp.post("/_sim/requests/<ref>/settle")
def control_settle(ref: str):
    body = json_object() or {}
    if body.get("status") not in FINAL:
        return jsonify(error="invalid_status", message="status: SUCCESSFUL or FAILED"), 400
    w = world()
    if not settle(w, ref.lower(), body["status"], body.get("reason")):
        with w.lock:
            known = ref.lower() in _requests(w)
        return (jsonify(error="not_pending"), 409) if known else (jsonify(error="not_found"), 404)
    return control_get(ref)


@bp.get("/_sim/requests/<ref>")
def control_get(ref: str):
    w = world()
    with w.lock:
        record = _requests(w).get(ref.lower())
        if record is None:
            return jsonify(error="not_found"), 404
        deliveries = [d for d in w.deliveries if d["kind"] == "momo.callback" and d["ref"] == ref.lower()]
        return jsonify({**record, "view": view(record), "deliveries": deliveries})


@bp.get("/_sim/requests")
def control_list():
    w = world()
    with w.lock:
        return jsonify(requests=[{**r, "view": view(r)} for r in _requests(w).values()])

