"""Per-tenant settings: global defaults from config, overridden by the tenant's row."""
from __future__ import annotations

from typing import Any

from flask import current_app

from app.tenancy.models import Tenant


def tenant_setting(tenant: Tenant, key: str) -> Any:
    defaults = current_app.config["TENANT_DEFAULTS"]
    if key not in defaults:
        raise KeyError(f"unknown tenant setting {key!r}")
    return (tenant.settings or {}).get(key, defaults[key])


def shop_is_open(tenant: Tenant) -> bool:
    return tenant.status == "active" and bool(tenant_setting(tenant, "ecommerce_enabled"))


def current_tenant() -> Tenant:
    """The tenant of this request, job or CLI block (see ``app.core.db.tenant_context``)."""
    from flask import g

    from app.core.db import TenantScopeError, current_tenant_id
    from app.extensions import db

    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantScopeError("no current tenant")
    tenant = g.get("tenant")
    if tenant is None or tenant.id != tenant_id:
        tenant = g.tenant = db.session.get(Tenant, tenant_id)
    return tenant
