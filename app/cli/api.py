"""``flask create-api-key``: keys for the JSON API."""
from __future__ import annotations

import click
from flask import Flask

from app.api import services as api
from app.cli.lookups import tenant_by_slug
from app.core.db import tenant_context
from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("create-api-key")
    @click.argument("slug")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, required=True,
                  help="Droit accordé, répétable / granted scope, repeatable (catalog:write, inventory:write)")
    def create_api_key(slug, name, scopes) -> None:
        """Crée une clé d'API (affichée une seule fois) / create an API key (shown once)."""
        tenant = tenant_by_slug(slug)
        with tenant_context(tenant.id):
            try:
                key, full = api.create_api_key(name, scopes)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            db.session.commit()
            click.echo(f"Clé {key.name} pour {slug} (à conserver, elle ne sera plus affichée) / "
                       f"key for {slug} (keep it, it will not be shown again):")
            click.echo(full)
