"""Staff accounts: creation, roles, activation, and the audit log every staff write feeds.

Rules the back-office relies on: an email is unique per tenant; a staff member cannot
deactivate themself; the tenant always keeps at least one active PDG (so someone can
still change settings and staff). Every change is audited in the same transaction.
"""
from __future__ import annotations

import secrets
import time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import audit
from app.core.db import utcnow
from app.extensions import db
from app.outbox.queue import queue
from app.staff.models import ROLES, StaffUser
from app.staff.passwords import fingerprint, user_from_token

MIN_PASSWORD = 10
RESEND_WINDOW = 300  # one reset email per account per 5 minutes, whatever is asked


class StaffError(ValueError):
    """A refused change, with the form field it concerns (for a per-field error)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def create_staff(email: str, name: str, role: str, password: str) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError("password: 10 characters at least")
    user = StaffUser(email=email.strip().lower(), name=name, role=role,
                     password_hash=generate_password_hash(password))  # scrypt
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account of this tenant with that email and password, else None."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))
    # Hash something even for an unknown email, so timing does not reveal which exist.
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not valid or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def record_forbidden(actor: StaffUser, permission: str, path: str) -> None:
    """A refused action is a security event worth keeping beside the writes. Whatever the
    refused request had started is dropped first: only the refusal is committed."""
    db.session.rollback()
    audit(actor, "forbidden", "permission", permission, after={"path": path[:200]})
    db.session.commit()


def _state(user: StaffUser) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "active": user.active}


def _staff(staff_id: int) -> StaffUser:
    user = db.session.get(StaffUser, staff_id)  # scoped: another tenant's id is None
    if user is None:
        raise LookupError("staff")
    return user


def _is_last_active_pdg(user: StaffUser) -> bool:
    # Lock the PDG rows (PostgreSQL) so two PDGs demoting each other cannot both succeed.
    pdgs = db.session.scalars(select(StaffUser.id).where(StaffUser.role == "pdg", StaffUser.active.is_(True))
                              .with_for_update()).all()
    return user.role == "pdg" and user.active and pdgs == [user.id]


def invite_staff(actor: StaffUser, *, email: str, name: str, role: str, password: str = "") -> StaffUser:
    """Create an account. Without a password, the new member gets an email with a link to
    choose one (the same signed, single-use link as a password reset)."""
    email = (email or "").strip().lower()
    if db.session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise StaffError("email", _("Un compte existe déjà avec cet e-mail."))
    if role not in ROLES:
        raise StaffError("role", _("Rôle inconnu."))
    if password and len(password) < MIN_PASSWORD:
        raise StaffError("password", _("Au moins %(n)s caractères.", n=MIN_PASSWORD))
    user = create_staff(email, name.strip(), role, password or secrets.token_urlsafe(32))
    audit(actor, "staff.create", "staff_user", user.id, after=_state(user))
    if not password:
        queue_password_email(user, "invite")
    db.session.commit()
    return user


def change_role(actor: StaffUser, staff_id: int, role: str) -> StaffUser:
    user = _staff(staff_id)
    if role not in ROLES:
        raise StaffError("role", _("Rôle inconnu."))
    if role == user.role:
        return user
    if role != "pdg" and _is_last_active_pdg(user):
        raise StaffError("role", _("La boutique doit garder au moins un PDG actif."))
    before = _state(user)
    user.role = role
    user.end_sessions()  # the new rights apply at once, not at the next login
    audit(actor, "staff.role", "staff_user", user.id, before=before, after=_state(user))
    db.session.commit()
    return user


def set_active(actor: StaffUser, staff_id: int, active: bool) -> StaffUser:
    user = _staff(staff_id)
    if user.active == active:
        return user
    if not active and user.id == actor.id:
        raise StaffError("active", _("Vous ne pouvez pas désactiver votre propre compte."))
    if not active and _is_last_active_pdg(user):
        raise StaffError("active", _("La boutique doit garder au moins un PDG actif."))
    before = _state(user)
    user.active = active
    user.end_sessions()
    audit(actor, "staff.activate" if active else "staff.deactivate", "staff_user", user.id, before=before,
          after=_state(user))
    db.session.commit()
    return user


def list_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.name)))


def mark_bell_seen(user: StaffUser) -> None:
    """A personal read marker, not a change to the shop: not audited."""
    user.bell_seen_at = utcnow()
    db.session.commit()


# --- password links (app.staff.passwords signs them) ---

def queue_password_email(user: StaffUser, kind: str) -> None:
    """Flushes an outbox row; the caller commits."""
    window = int(time.time() // RESEND_WINDOW)
    queue("email", f"staff_password_{kind}", user.email,
          f"staff:{user.id}:password:{kind}:{fingerprint(user)}:{window}", {"staff_id": user.id, "kind": kind})


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
    user.end_sessions()  # whoever knew the old password is logged out
    audit(user, "staff.password_reset", "staff_user", user.id, after={"password": "changed"})
    db.session.commit()
    current_app.logger.info("staff %s reset their password", user.id)
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")
