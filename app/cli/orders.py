"""``flask order-status`` and ``flask order-paid``: order changes from the command line."""
from __future__ import annotations

import click
from flask import Flask

from app.cli.lookups import order_by_number, tenant_by_slug
from app.core.db import tenant_context
from app.orders import services as orders


def register(app: Flask) -> None:
    @app.cli.command("order-status")
    @click.argument("slug")
    @click.argument("number")
    @click.argument("status", type=click.Choice(["prepared", "shipped", "delivered", "cancelled", "returned"]))
    @click.option("--note", default="")
    @click.option("--carrier", default="", help="Transporteur (expédition) / carrier when shipped")
    @click.option("--tracking", default="", help="Numéro de suivi / tracking number when shipped")
    def order_status(slug, number, status, note, carrier, tracking) -> None:
        """Fait avancer une commande / move an order to a new status."""
        with tenant_context(tenant_by_slug(slug).id):
            order = order_by_number(number)
            try:
                orders.change_status(order, status, actor="cli", note=note, carrier=carrier,
                                     tracking_number=tracking)
            except orders.OrderError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{order.number}: {status}")

    @app.cli.command("order-paid")
    @click.argument("slug")
    @click.argument("number")
    @click.option("--note", default="")
    def order_paid(slug, number, note) -> None:
        """Paiement à la livraison encaissé / cash on delivery collected."""
        with tenant_context(tenant_by_slug(slug).id):
            order = order_by_number(number)
            try:
                orders.mark_paid(order, actor="cli", note=note)
            except orders.OrderError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{order.number}: payé / paid")
