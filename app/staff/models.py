from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
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

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active


class AuditEntry(TenantScoped, Timestamped, Base):
    """Who did what to which record, with the values before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))  # email at the time, kept if the account goes
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
