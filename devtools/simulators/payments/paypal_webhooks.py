"""PayPal webhooks as PayPal sends them, and the verify-webhook-signature call that checks them.

Real PayPal signs ``transmission_id|transmission_time|webhook_id|crc32(body)`` with its RSA
key (``SHA256withRSA``) and publishes the certificate at ``PAYPAL-CERT-URL``. The simulator
signs the same string with an HMAC-SHA256 under its own secret instead, so only its own
``POST /v1/notifications/verify-webhook-signature`` can tell a good signature from a bad one,
which is exactly how a shop verifies PayPal webhooks (through the API, not locally).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
import zlib
from urllib.parse import urlsplit

from devtools.simulators.payments.state import World, now_iso, random_id

AUTH_ALGO = "SHA256withRSA"
CERT_NAME = "CERT-360caa42-fca2a594-SIMULATOR"
VERIFY_FIELDS = ("auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time",
                 "webhook_id", "webhook_event")


def store(w: World) -> dict:
    """The one PayPal store of this world: orders, captures and refunds (paypal_orders.py),
    events and their transmissions (here)."""
    return w.store("paypal", lambda: {"orders": {}, "captures": {}, "refunds": {}, "events": {},
                                      "transmissions": {}, "idempotency": {}})


def sign(secret: str, transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> str:
    message = f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body)}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def emit(w: World, event_type: str, resource_type: str, resource: dict, summary: str, base: str) -> dict:
    """Store one event and deliver it to the configured webhook URL (if any)."""
    event_id = f"WH-{random_id()}-{random_id()}"
    event = {"id": event_id, "event_version": "1.0", "create_time": now_iso(), "resource_type": resource_type,
             "resource_version": "2.0", "event_type": event_type, "summary": summary, "resource": resource,
             "links": [{"href": f"{base}/v1/notifications/webhooks-events/{event_id}", "rel": "self",
                        "method": "GET"},
                       {"href": f"{base}/v1/notifications/webhooks-events/{event_id}/resend", "rel": "resend",
                        "method": "POST"}]}
    with w.lock:
        store(w)["events"][event_id] = event
    deliver(w, event_id, base)
    return event


def deliver(w: World, event_id: str, base: str) -> str | None:
    """One transmission of a stored event (a new transmission id each time, as a resend has)."""
    with w.lock:
        event, cfg = store(w)["events"][event_id], w.config
        url, webhook_id, secret = _webhook_url(w, event), cfg["paypal_webhook_id"], cfg["paypal_signing_secret"]
        if not url:
            return None
        body = json.dumps(event).encode()
        transmission_id, transmission_time = str(uuid.uuid4()), now_iso()
        store(w)["transmissions"][transmission_id] = {"event_id": event_id, "body": body}
    headers = {"PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": transmission_time,
               "PAYPAL-TRANSMISSION-SIG": sign(secret, transmission_id, transmission_time, webhook_id, body),
               "PAYPAL-CERT-URL": f"{base}/v1/notifications/certs/{CERT_NAME}", "PAYPAL-AUTH-ALGO": AUTH_ALGO}
    w.deliverer.send("paypal.webhook", event_id, "POST", url, event, headers=headers, data=body)
    return transmission_id


def _webhook_url(w: World, event: dict) -> str | None:
    """The configured URL; a template's {tenant} is the tenant of the shop whose order the event
    is about, found from the order's return URL (PayPal sends each app's events to its webhook)."""
    template, tenant_for_host = w.config["paypal_webhook_url"], w.config["paypal_tenant_for_host"]
    if not template or "{tenant}" not in template:
        return template
    host = urlsplit(_order_of(w, event).get("return_url") or "").netloc
    tenant = tenant_for_host(host) if host and tenant_for_host else None
    return template.replace("{tenant}", str(tenant)) if tenant is not None else None


def _order_of(w: World, event: dict) -> dict:
    paypal, resource = store(w), event["resource"]
    if event["resource_type"] == "refund":
        resource = paypal["captures"].get(paypal["refunds"].get(resource["id"], {}).get("capture_id"), {})
    elif event["resource_type"] == "capture":
        resource = paypal["captures"].get(resource["id"], {})
    return paypal["orders"].get(resource.get("order_id"), {})


def missing_fields(body: dict) -> list[str]:
    return [f for f in VERIFY_FIELDS if body.get(f) in (None, "")]


def verify(w: World, body: dict) -> str:
    """SUCCESS when the signature is the one issued for that transmission of that event."""
    with w.lock:
        sent = store(w)["transmissions"].get(str(body["transmission_id"]))
        webhook_id, secret = w.config["paypal_webhook_id"], w.config["paypal_signing_secret"]
    event = body["webhook_event"]
    if isinstance(event, str):  # some clients pass the raw body through
        try:
            event = json.loads(event)
        except ValueError:
            return "FAILURE"
    if sent is None or body["webhook_id"] != webhook_id or json.loads(sent["body"]) != event:
        return "FAILURE"
    # the shop re-serialises the event it received, so the CRC is taken over the bytes sent
    expected = sign(secret, str(body["transmission_id"]), str(body["transmission_time"]), webhook_id, sent["body"])
    return "SUCCESS" if hmac.compare_digest(expected, str(body["transmission_sig"])) else "FAILURE"
