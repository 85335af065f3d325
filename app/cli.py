"""Flask commands."""
from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--products", type=int, default=None, help="Produits par boutique / products per tenant")
    @click.option("--tenant", "only", default=None, help="Slug d'une seule boutique / only this tenant")
    def seed_demo(products: int | None, only: str | None) -> None:
        """Crée les boutiques de démonstration / create the demo tenants."""
        from app.demo.seed import seed

        for line in seed(products=products, only=only):
            click.echo(line)
