from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, Timestamped

ROLES = ("pdg", "dg", "manager", "support", "viewer")


class StaffUser(UserMixin, TenantScoped, Timestamped, Base):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(12), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The bell counts new orders since this moment (set when the staff member opens it).
    bell_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of the session's user id: a password reset, a role change or a (de)activation
    # bumps it, which ends every session opened before (see ``get_id``).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def get_id(self) -> str:  # Flask-Login stores this in the session cookie
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """End every session of this account (the caller commits)."""
        self.session_version += 1

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

