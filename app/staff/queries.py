"""Reading the audit log: filters, pages, and the before/after diff of each entry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.staff.models import StaffUser

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    staff_id: int | None = None
    action: str = ""
    target_type: str = ""
    start: date | None = None
    end: date | None = None  # inclusive
    page: int = 1


def audit_page(f: AuditFilter, per_page: int = PER_PAGE) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, and whether another page follows. Ordered on
    (created_at, id) so the (tenant_id, created_at) index serves both the date range and
    the order."""
    query = select(AuditEntry)
    if f.staff_id:
        query = query.where(AuditEntry.staff_id == f.staff_id)
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.target_type:
        query = query.where(AuditEntry.target_type == f.target_type)
    if f.start:
        query = query.where(AuditEntry.created_at >= datetime.combine(f.start, time.min))
    if f.end:
        query = query.where(AuditEntry.created_at < datetime.combine(f.end + timedelta(days=1), time.min))
    rows = list(db.session.scalars(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                                   .offset((f.page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def audit_choices() -> dict[str, list]:
    """Values the filters offer: staff members, actions and target types seen so far."""
    return {
        "staff": db.session.execute(select(StaffUser.id, StaffUser.email).order_by(StaffUser.email)).all(),
        "actions": db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all(),
        "target_types": db.session.scalars(select(AuditEntry.target_type).distinct()
                                           .order_by(AuditEntry.target_type)).all(),
    }


def diff(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """(key, old, new) of what changed; a key missing on one side shows as None."""
    keys = sorted(set(before or {}) | set(after or {}))
    return [(k, (before or {}).get(k), (after or {}).get(k)) for k in keys
            if (before or {}).get(k) != (after or {}).get(k)]
