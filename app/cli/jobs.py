"""``flask worker`` and ``flask scheduler``: background and periodic jobs."""
from __future__ import annotations

import time

import click
from flask import Flask

from app.core.jobs import PERIODIC, QUEUES, redis_connection, run


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--queues", default=",".join(QUEUES), help="Files, par priorité / queues, by priority")
    @click.option("--burst", is_flag=True, help="S'arrête quand les files sont vides / stop when queues are empty")
    def worker(queues: str, burst: bool) -> None:
        """Exécute les tâches de fond (RQ) / run background jobs."""
        from rq import SimpleWorker  # only with Redis

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
        if once:
            for path, _ in PERIODIC:
                click.echo(f"{path}: {run(path, None)}")
            return
        connection = redis_connection(app)
        if connection is None:  # development without Redis: run each job in this process when due
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
        from rq.cron import CronScheduler  # only with Redis

        cron = CronScheduler(connection=connection)
        for path, seconds in PERIODIC:
            cron.register(run, "default", args=(path, None), interval=seconds)
        cron.start()
