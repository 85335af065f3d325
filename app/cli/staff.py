"""``flask create-staff``."""
from __future__ import annotations

import click
from flask import Flask

from app.cli.lookups import tenant_by_slug
from app.core.db import tenant_context
from app.extensions import db
from app.staff import services as staff


def register(app: Flask) -> None:
    @app.cli.command("create-staff")
    @click.argument("slug")
    @click.argument("email")
    @click.argument("role", type=click.Choice(["pdg", "dg", "manager", "support", "viewer"]))
    @click.option("--name", default="")
    @click.password_option()
    def create_staff(slug, email, role, name, password) -> None:
        """Crée un compte du personnel / create a staff account."""
        tenant = tenant_by_slug(slug)
        with tenant_context(tenant.id):
            try:
                staff.create_staff(email, name or email, role, password)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            db.session.commit()
        click.echo(f"{email} ({role}) → {slug}")
