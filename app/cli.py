"""Flask commands. Each one enters the tenant it works on explicitly."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from app.core.db import tenant_context
from app.core.jobs import QUEUES, redis_connection, run
from app.extensions import db


def _tenant(slug: str):
    from app.tenancy.models import Tenant

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"Boutique inconnue / unknown tenant: {slug}")
    return tenant


def _order(number: str):
    """The current tenant's order with that number (CLI commands run inside a tenant)."""
    from app.orders.models import Order

    order = db.session.scalar(select(Order).where(Order.number == number.upper()))
    if order is None:
        raise click.ClickException(f"Commande inconnue / unknown order: {number}")
    return order


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
        from app.tenancy.services import TenancyError
        from app.tenancy.services import create_tenant as create

        try:
            tenant = create(slug, name, country=country.upper(), currency=currency.upper(), locale=locale,
                            timezone=timezone, domains=list(domains))
        except TenancyError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"Boutique {tenant.slug} créée / tenant created (id {tenant.id})")

    @app.cli.command("create-staff")
    @click.argument("slug")
    @click.argument("email")
    @click.argument("role", type=click.Choice(["pdg", "dg", "manager", "support", "viewer"]))
    @click.option("--name", default="")
    @click.password_option()
    def create_staff(slug, email, role, name, password) -> None:
        """Crée un compte du personnel / create a staff account."""
        from app.staff.services import create_staff as create

        tenant = _tenant(slug)
        with tenant_context(tenant.id):
            try:
                create(email, name or email, role, password)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            db.session.commit()
        click.echo(f"{email} ({role}) → {slug}")

    @app.cli.command("order-status")
    @click.argument("slug")
    @click.argument("number")
    @click.argument("status", type=click.Choice(["prepared", "shipped", "delivered", "cancelled", "returned"]))
    @click.option("--note", default="")
    @click.option("--carrier", default="", help="Transporteur (expédition) / carrier when shipped")
    @click.option("--tracking", default="", help="Numéro de suivi / tracking number when shipped")
    def order_status(slug, number, status, note, carrier, tracking) -> None:
        """Fait avancer une commande / move an order to a new status."""
        from app.orders.services import OrderError, change_status

        with tenant_context(_tenant(slug).id):
            order = _order(number)
            try:
                change_status(order, status, actor="cli", note=note, carrier=carrier, tracking_number=tracking)
            except OrderError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{order.number}: {status}")

    @app.cli.command("create-api-key")
    @click.argument("slug")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, required=True,
                  help="Droit accordé, répétable / granted scope, repeatable (catalog:write, inventory:write)")
    def create_api_key(slug, name, scopes) -> None:
        """Crée une clé d'API (affichée une seule fois) / create an API key (shown once)."""
        from app.api.services import create_api_key as create

        tenant = _tenant(slug)
        with tenant_context(tenant.id):
            try:
                key, full = create(name, scopes)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            db.session.commit()
            click.echo(f"Clé {key.name} pour {slug} (à conserver, elle ne sera plus affichée) / "
                       f"key for {slug} (keep it, it will not be shown again):")
            click.echo(full)

    @app.cli.command("connect-core")
    @click.argument("slug")
    @click.argument("base_url")
    @click.option("--token", default="", help="Jeton d'accès au cœur / bearer token for the core's API")
    @click.option("--secret", default=None, help="Secret des webhooks (sinon généré) / webhook secret (else generated)")
    @click.option("--interval", type=click.IntRange(min=60), default=900,
                  help="Secondes sans webhook avant le mode dégradé / seconds without webhooks before polling")
    def connect_core(slug, base_url, token, secret, interval) -> None:
        """Relie la boutique au système AfriGest central / link the shop to its core system."""
        from app.sync.services import connect_core as connect

        tenant = _tenant(slug)
        with tenant_context(tenant.id):
            try:
                link = connect(base_url, token, webhook_secret=secret, expected_interval_s=interval)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"Webhooks : POST /api/tenants/{tenant.id}/ecommerce/sync/webhook")
            click.echo(f"Secret des webhooks / webhook secret: {link.webhook_secret}")

    @app.cli.command("worker")
    @click.option("--queues", default=",".join(QUEUES), help="Files, par priorité / queues, by priority")
    @click.option("--burst", is_flag=True, help="S'arrête quand les files sont vides / stop when queues are empty")
    def worker(queues: str, burst: bool) -> None:
        """Exécute les tâches de fond (RQ) / run background jobs."""
        from rq import SimpleWorker

        connection = redis_connection(app)
        if connection is None:
            raise click.ClickException("REDIS_URL manquant / REDIS_URL is not set: jobs run in-process")
        # SimpleWorker runs jobs in this process; each job opens its own app context and
        # session (app.core.jobs.run), so nothing leaks from one job to the next.
        SimpleWorker(queues.split(","), connection=connection).work(burst=burst, with_scheduler=True)

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Un passage de chaque tâche puis arrêt / run each job once")
    def scheduler(once: bool) -> None:
        """Tâches périodiques (outbox, réservations, paiements) / periodic jobs (in-process without Redis)."""
        from app.core.jobs import PERIODIC

        if once:
            for path, _ in PERIODIC:
                click.echo(f"{path}: {run(path, None)}")
            return
        connection = redis_connection(app)
        if connection is None:  # development without Redis: run each job in this process when due
            import time

            due = {path: 0.0 for path, _ in PERIODIC}
            while True:
                for path, seconds in PERIODIC:
                    if time.monotonic() >= due[path]:
                        due[path] = time.monotonic() + seconds
                        try:
                            run(path, None)
                        except Exception:  # noqa: BLE001 - logged; the next tick tries again
                            app.logger.exception("periodic job %s failed", path)
                time.sleep(1)
        from rq.cron import CronScheduler

        cron = CronScheduler(connection=connection)
        for path, seconds in PERIODIC:
            cron.register(run, "default", args=(path, None), interval=seconds)
        cron.start()

    @app.cli.command("order-paid")
    @click.argument("slug")
    @click.argument("number")
    @click.option("--note", default="")
    def order_paid(slug, number, note) -> None:
        """Paiement à la livraison encaissé / cash on delivery collected."""
        from app.orders.services import OrderError, mark_paid

        with tenant_context(_tenant(slug).id):
            order = _order(number)
            try:
                mark_paid(order, actor="cli", note=note)
            except OrderError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{order.number}: payé / paid")

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
                  help="Où envoyer les webhooks PayPal / where PayPal webhooks go")
    def payment_simulators(port, callback_delay, duplicates, drop, manual, paypal_webhook_url) -> None:
        """Simulateurs MTN MoMo, Orange Money et PayPal (127.0.0.1) / local payment simulators."""
        from werkzeug.serving import make_server

        from devtools.simulators.payments import create_simulator_app

        sim = create_simulator_app(callback_delay=callback_delay, callback_duplicates=duplicates,
                                   callback_drop=drop, mode="manual" if manual else "auto",
                                   paypal_webhook_url=paypal_webhook_url)
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
