"""Sync jobs: the periodic link check (degraded mode) and the on-demand pull."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.db import ALL_TENANTS, utcnow
from app.core.jobs import run
from app.extensions import db
from app.sync import services
from app.sync.models import CoreConnection
from app.tenancy.models import Tenant


def check_connections() -> dict:
    """Periodic job (every 60 s) over every tenant with an enabled core link; each
    tenant's check runs in its own context and session."""
    tenant_ids = db.session.scalars(
        select(CoreConnection.tenant_id).join(Tenant, Tenant.id == CoreConnection.tenant_id)
        .where(CoreConnection.enabled.is_(True), Tenant.status == "active").execution_options(**ALL_TENANTS)
    ).all()
    db.session.rollback()
    return {tenant_id: run("app.sync.jobs.check_connection", tenant_id) for tenant_id in tenant_ids}


def check_connection() -> str:
    """Degrade a silent webhook link, then poll while degraded (when due: backoff)."""
    link = services.connection()
    if link is None:
        return "none"
    if link.mode == "webhook":
        seen = link.last_webhook_at or link.created_at
        if utcnow() - seen <= timedelta(seconds=link.expected_interval_s) or not services.mark_degraded():
            return "webhook"
    return services.pull("all", scheduled=True)["status"]


def pull(what: str) -> dict:
    """On-demand pull queued by the API (POST /products/sync, POST /sync-inventory)."""
    try:
        return services.pull(what)
    except services.NotConnected:  # unlinked between the request and the job: nothing to retry
        return {"status": "not_connected"}
