"""Password reset and invitation links: signed, expiring, single use, without a table.

The signed payload carries a digest of the account's current password hash: once the
password changes (the link was used, or the member changed it another way), every link
issued before stops working. The digest, not the hash, because itsdangerous signs but
does not encrypt. The link is signed when the email is composed, so no live credential
ever sits in the outbox table.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.core.db import current_tenant_id
from app.extensions import db
from app.staff.models import StaffUser

# Seconds a link stays valid: a reset is urgent and short-lived; an invitation waits for
# the new member to read their mail.
TTL = {"reset": 3600, "invite": 7 * 86400}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-password")


def fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def password_ttl(kind: str) -> int:
    return int(current_app.config.get(f"PASSWORD_{kind.upper()}_TTL", TTL[kind]))


def password_token(user: StaffUser, kind: str = "reset") -> str:
    return _serializer().dumps([user.tenant_id, user.id, fingerprint(user), kind])


def user_from_token(token: str) -> StaffUser | None:
    """The active account of this tenant a link was issued for, if it is still valid."""
    try:
        (tenant_id, staff_id, signed_print, kind), issued = _serializer().loads(
            token, max_age=max(password_ttl(k) for k in TTL), return_timestamp=True)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    if kind not in TTL or time.time() - issued.timestamp() > password_ttl(kind) or tenant_id != current_tenant_id():
        return None
    user = db.session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    if user is None or not user.active or not hmac.compare_digest(fingerprint(user), str(signed_print)):
        return None
    return user
