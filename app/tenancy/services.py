"""Tenant and store writes (platform level: called from the CLI and the seed)."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.core.db import tenant_context
from app.extensions import db
from app.tenancy.models import Domain, Store, Tenant

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TenancyError(ValueError):
    pass


def create_tenant(slug: str, name: str, *, country: str = "CM", currency: str = "XAF", locale: str = "fr",
                  timezone: str = "Africa/Douala", domains: list[str] | tuple[str, ...] = (), **fields) -> Tenant:
    if not SLUG.match(slug):
        raise TenancyError("slug: lowercase letters, digits and dashes")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise TenancyError(f"tenant {slug} exists")
    tenant = Tenant(slug=slug, name=name, country=country, currency=currency, locale=locale, timezone=timezone,
                    settings={}, **fields)
    tenant.domains = [Domain(host=host.lower(), is_primary=i == 0) for i, host in enumerate(domains)]
    db.session.add(tenant)
    db.session.flush()
    return tenant


def add_store(tenant: Tenant, *, name: str, code: str, city: str, latitude: float, longitude: float,
              **fields) -> Store:
    with tenant_context(tenant.id):
        store = Store(tenant_id=tenant.id, name=name, code=code, city=city, latitude=latitude,
                      longitude=longitude, **fields)
        db.session.add(store)
        db.session.flush()
    return store
