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
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.core.db import current_tenant_id
from app.extensions import db
from app.notifications.services import queue_message
from app.staff.models import StaffUser
from app.staff.services import MIN_PASSWORD, StaffError, audit

# Seconds a link stays valid: a reset is urgent and short-lived; an invitation waits for
# the new member to read their mail.
TTL = {"reset": 3600, "invite": 7 * 86400}
RESEND_WINDOW = 300  # one reset email per account per 5 minutes, whatever is asked


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-password")


def _fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def _ttl(kind: str) -> int:
    return int(current_app.config.get(f"PASSWORD_{kind.upper()}_TTL", TTL[kind]))


def password_token(user: StaffUser, kind: str = "reset") -> str:
    return _serializer().dumps([user.tenant_id, user.id, _fingerprint(user), kind])


def user_from_token(token: str) -> StaffUser | None:
    """The active account of this tenant a link was issued for, if it is still valid."""
    try:
        (tenant_id, staff_id, fingerprint, kind), issued = _serializer().loads(
            token, max_age=max(_ttl(k) for k in TTL), return_timestamp=True)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    if kind not in TTL or time.time() - issued.timestamp() > _ttl(kind) or tenant_id != current_tenant_id():
        return None
    user = db.session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    if user is None or not user.active or not hmac.compare_digest(_fingerprint(user), str(fingerprint)):
        return None
    return user


def queue_password_email(user: StaffUser, kind: str) -> None:
    """Flushes an outbox row; the caller commits."""
    window = int(time.time() // RESEND_WINDOW)
    queue_message("email", f"staff_password_{kind}", user.email,
                  f"staff:{user.id}:password:{kind}:{_fingerprint(user)}:{window}", {"staff_id": user.id, "kind": kind})


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account has this email; say nothing either way."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower(),
                                                     StaffUser.active.is_(True)))
    if user is None:
        return
    queue_password_email(user, "reset")
    db.session.commit()


def reset_password(token: str, password: str) -> StaffUser:
    user = user_from_token(token)
    if user is None:
        raise StaffError("token", _("Ce lien n’est plus valable. Demandez-en un nouveau."))
    if len(password or "") < MIN_PASSWORD:
        raise StaffError("password", _("Au moins %(n)s caractères.", n=MIN_PASSWORD))
    user.password_hash = generate_password_hash(password)  # also voids every earlier link
    audit(user, "staff.password_reset", "staff_user", user.id, after={"password": "changed"})
    db.session.commit()
    current_app.logger.info("staff %s reset their password", user.id)
    return user


def compose_password_email(message, tenant) -> EmailMessage | None:
    """The outbox's email for a reset or an invitation; None if the account is gone."""
    from app.notifications.messages import _email, shop_url

    user = db.session.get(StaffUser, message.payload["staff_id"])
    if user is None or not user.active:
        return None
    kind = message.payload.get("kind", "reset")
    url = shop_url(tenant, f"/backoffice/reset/{password_token(user, kind)}")
    with force_locale(tenant.locale):
        subject = (_("Invitation à gérer la boutique %(shop)s", shop=tenant.name) if kind == "invite"
                   else _("Réinitialisation de votre mot de passe (%(shop)s)", shop=tenant.name))
        return _email(message, tenant, subject, "password_reset",
                      {"user": user, "kind": kind, "url": url, "hours": _ttl(kind) // 3600, "locale": tenant.locale})
