"""The records a command names on its command line, or a clean error when there is none."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order
from app.tenancy.models import Tenant


def tenant_by_slug(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"Boutique inconnue / unknown tenant: {slug}")
    return tenant


def order_by_number(number: str) -> Order:
    """The current tenant's order with that number (CLI commands run inside a tenant)."""
    order = db.session.scalar(select(Order).where(Order.number == number.upper()))
    if order is None:
        raise click.ClickException(f"Commande inconnue / unknown order: {number}")
    return order
