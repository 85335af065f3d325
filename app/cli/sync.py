"""``flask connect-core``: the link to the tenant's core AfriGest system."""
from __future__ import annotations

import click
from flask import Flask

from app.cli.lookups import tenant_by_slug
from app.core.db import tenant_context
from app.sync import services as sync


def register(app: Flask) -> None:
    @app.cli.command("connect-core")
    @click.argument("slug")
    @click.argument("base_url")
    @click.option("--token", default="", help="Jeton d'accès au cœur / bearer token for the core's API")
    @click.option("--secret", default=None, help="Secret des webhooks (sinon généré) / webhook secret (else generated)")
    @click.option("--interval", type=click.IntRange(min=60), default=900,
                  help="Secondes sans webhook avant le mode dégradé / seconds without webhooks before polling")
    def connect_core(slug, base_url, token, secret, interval) -> None:
        """Relie la boutique au système AfriGest central / link the shop to its core system."""
        tenant = tenant_by_slug(slug)
        with tenant_context(tenant.id):
            try:
                link = sync.connect_core(base_url, token, webhook_secret=secret, expected_interval_s=interval)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"Webhooks : POST /api/tenants/{tenant.id}/ecommerce/sync/webhook")
            click.echo(f"Secret des webhooks / webhook secret: {link.webhook_secret}")
