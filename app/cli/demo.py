"""``flask seed-demo``, ``flask seed-orders`` and ``flask payment-simulators``: they run the
development tooling in ``devtools/``, imported inside each command so that ``app`` never
depends on it."""
from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from werkzeug.serving import make_server

from app.tenancy.resolver import tenant_for_host


def tenant_ids(app: Flask) -> Callable[[str], int | None]:
    """host → tenant id, as the app resolves a Host: the PayPal simulator finds the shop an
    order came from by its return URL, and posts that order's webhooks to that shop's URL."""
    def tenant_id(host: str) -> int | None:
        with app.app_context():
            tenant = tenant_for_host(host)
            return tenant.id if tenant else None
    return tenant_id


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--products", type=click.IntRange(min=1), default=None,
                  help="Produits par boutique / products per tenant")
    @click.option("--tenant", "only", default=None, help="Slug d'une seule boutique / only this tenant")
    def seed_demo(products: int | None, only: str | None) -> None:
        """Crée les boutiques de démonstration / create the demo tenants."""
        from devtools.demo.seed import seed

        for line in seed(products=products, only=only):
            click.echo(line)

    @app.cli.command("seed-orders")
    @click.option("--tenant", "slug", required=True, help="Slug de la boutique / tenant slug")
    @click.option("--orders", type=click.IntRange(min=1, max=2_000_000), default=1000,
                  help="Nombre de commandes à ajouter / orders to add")
    @click.option("--days", type=click.IntRange(min=1, max=3650), default=365,
                  help="Étalées sur les N derniers jours / spread over the last N days")
    def seed_orders(slug: str, orders: int, days: int) -> None:
        """Ajoute des commandes réalistes en masse (démo, bancs d'essai) / bulk realistic orders."""
        from devtools.demo.bulk_orders import seed_orders as seed

        try:
            for line in seed(slug, orders, days=days):
                click.echo(line)
        except LookupError as exc:
            raise click.ClickException(f"Boutique ou catalogue manquant / missing tenant or catalog: {exc}") from exc

    @app.cli.command("payment-simulators")
    @click.option("--port", type=click.IntRange(0, 65535), default=5055, show_default=True)
    @click.option("--callback-delay", type=click.FloatRange(min=0), default=0.0, show_default=True,
                  help="Secondes avant chaque rappel / seconds before each callback")
    @click.option("--duplicates", type=click.IntRange(min=0), default=0, show_default=True,
                  help="Copies supplémentaires de chaque rappel / extra copies of each callback")
    @click.option("--drop", is_flag=True, help="Ne jamais envoyer les rappels / never deliver callbacks")
    @click.option("--manual/--auto", default=False,
                  help="MoMo : attendre l'approbation sur /momo/phone / wait for the phone page")
    @click.option("--paypal-webhook-url", default=None,
                  help="Où envoyer les webhooks PayPal ; {tenant} y devient l'id de la boutique de la commande / "
                       "where PayPal webhooks go; {tenant} becomes the id of the order's shop")
    def payment_simulators(port, callback_delay, duplicates, drop, manual, paypal_webhook_url) -> None:
        """Simulateurs MTN MoMo, Orange Money et PayPal (127.0.0.1) / local payment simulators."""
        from devtools.simulators.payments import create_simulator_app

        sim = create_simulator_app(callback_delay=callback_delay, callback_duplicates=duplicates,
                                   callback_drop=drop, mode="manual" if manual else "auto",
                                   paypal_webhook_url=paypal_webhook_url, paypal_tenant_for_host=tenant_ids(app))
        # loopback only: the simulators accept fixed test credentials
        server = make_server("127.0.0.1", port, sim, threaded=True)
        root = f"http://127.0.0.1:{server.port}"
        for line in (f"MTN MoMo      {root}/momo    (téléphone / phone: {root}/momo/phone)",
                     f"Orange Money  {root}/orange",
                     f"PayPal        {root}/paypal",
                     f"Contrôle      {root}/_sim/config"):
            click.echo(line)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
