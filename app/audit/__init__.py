"""The audit log: who did what to which record, written in the same unit of work as the change.

A leaf: it knows no domain. Callers pass the acting staff member as any value with an
``id`` and an ``email`` (a ``StaffUser`` in practice); jobs and the CLI, which act as no
one, are not audited.
"""
from __future__ import annotations

from typing import Protocol

from app.audit.models import AuditEntry
from app.extensions import db


class Actor(Protocol):
    id: int
    email: str


def audit(actor: Actor, action: str, target_type: str, target_id: object, *, before: dict | None = None,
          after: dict | None = None) -> None:
    """Record a staff write (flushes; the caller's unit of work commits it with the change)."""
    db.session.add(AuditEntry(staff_id=actor.id, actor=actor.email, action=action, target_type=target_type,
                              target_id=str(target_id), before=before or {}, after=after or {}))
    db.session.flush()
