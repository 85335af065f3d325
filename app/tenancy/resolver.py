"""Host → tenant, once per request (``before_request``); the API takes it from the path."""
from __future__ import annotations

from flask import Flask, abort, current_app, g, request
from sqlalchemy import select

from app.extensions import db
from app.tenancy.models import Domain, Tenant

LOOPBACK = {"127.0.0.1", "::1", "[::1]"}


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):  # [::1]:5000
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def tenant_for_host(host: str) -> Tenant | None:
    host = _bare_host(host)
    platform = current_app.config["PLATFORM_DOMAIN"].lower()
    if host == platform or host in LOOPBACK:
        slug = current_app.config["DEFAULT_TENANT"]
        return db.session.scalar(select(Tenant).where(Tenant.slug == slug)) if slug else None
    suffix = "." + platform
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if not slug or "." in slug:
            return None
        return db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    return db.session.scalar(select(Tenant).join(Domain).where(Domain.host == host))


def _load_tenant() -> None:
    # The API and provider callbacks name their tenant in the path: their blueprints load it.
    if request.endpoint == "static" or request.path.startswith(("/api/", "/callbacks/")):
        return
    tenant = tenant_for_host(request.host)
    if tenant is None:
        abort(404)
    g.tenant = tenant
    g.tenant_id = tenant.id


def init_app(app: Flask) -> None:
    app.before_request(_load_tenant)
