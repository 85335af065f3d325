"""``flask create-tenant``."""
from __future__ import annotations

import click
from flask import Flask

from app.extensions import db
from app.tenancy import services as tenancy


def register(app: Flask) -> None:
    @app.cli.command("create-tenant")
    @click.argument("slug")
    @click.argument("name")
    @click.option("--country", default="CM")
    @click.option("--currency", default="XAF")
    @click.option("--locale", type=click.Choice(["fr", "en"]), default="fr")
    @click.option("--timezone", default="Africa/Douala")
    @click.option("--domain", "domains", multiple=True, help="Domaine personnalisé / custom domain")
    def create_tenant(slug, name, country, currency, locale, timezone, domains) -> None:
        """Crée une boutique / create a tenant."""
        try:
            tenant = tenancy.create_tenant(slug, name, country=country.upper(), currency=currency.upper(),
                                           locale=locale, timezone=timezone, domains=list(domains))
        except tenancy.TenancyError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"Boutique {tenant.slug} créée / tenant created (id {tenant.id})")
