"""Staff accounts (the back-office issue adds login, roles and audit on top)."""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.staff.models import ROLES, StaffUser


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
