"""Webhook signatures shared by the shop (verifying) and the core simulator (signing).

``X-AfriGest-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`` keyed with
the tenant's ``CoreConnection.webhook_secret``. The timestamp (unix seconds, header
``X-AfriGest-Timestamp``) is inside the signed text, so an old delivery cannot be replayed
with a fresh timestamp; the shop refuses timestamps more than ``TOLERANCE_S`` away.
"""
from __future__ import annotations

import hashlib
import hmac

TOLERANCE_S = 300
EVENT_HEADER = "X-AfriGest-Event-Id"
TIMESTAMP_HEADER = "X-AfriGest-Timestamp"
SIGNATURE_HEADER = "X-AfriGest-Signature"


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode())
