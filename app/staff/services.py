"""Staff accounts (the back-office issue adds login, roles and audit on top)."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.db import utcnow
from app.extensions import db
from app.staff.models import ROLES, AuditEntry, StaffUser


def create_staff(email: str, name: str, role: str, password: str) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
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


def audit(actor: StaffUser, action: str, target_type: str, target_id, *, before: dict | None = None,
          after: dict | None = None) -> None:
    """Record a staff write (flushes; the caller's unit of work commits it with the change)."""
    db.session.add(AuditEntry(staff_id=actor.id, actor=actor.email, action=action, target_type=target_type,
                              target_id=str(target_id), before=before or {}, after=after or {}))
    db.session.flush()


_DUMMY_HASH = generate_password_hash("not-a-real-password")
