"""Background jobs, enqueued only once the transaction that asked for them has committed.

``enqueue("app.orders.jobs.notify", order_id)`` inside a unit of work records the job on
the session; the session's ``after_commit`` hands it to RQ (``REDIS_URL`` set) or runs it
in-process right away (no Redis: one command runs the whole shop); a rollback drops it.
Jobs take ids, not objects, run inside the tenant they were enqueued for, and must be safe
to run twice. What must never be lost is not a job but an outbox row (app.outbox).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from app.core.db import current_tenant_id, db, tenant_context

QUEUES = ("callbacks", "notifications", "sync", "default")
# Seconds between attempts of a failing job (RQ then keeps it in its failed registry).
RETRY_INTERVALS = [10, 60, 300, 900, 3600]
_PENDING = "after_commit_jobs"
# (job, every N seconds), run by `flask scheduler` across all tenants.
PERIODIC = [("app.outbox.dispatch.sweep", 30), ("app.orders.jobs.expire_reservations", 60),
            ("app.cart.jobs.sweep_abandoned", 300), ("app.sync.jobs.check_connections", 60),
            ("app.payments.jobs.reconcile", 30), ("app.payments.jobs.sweep_events", 30)]


@dataclass(frozen=True)
class JobSpec:
    path: str
    args: tuple
    queue: str
    tenant_id: int | None


def enqueue(path: str, *args, queue: str = "default", session: Session | None = None) -> None:
    """Run ``path(*args)`` after the current transaction commits, in the current tenant."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue}")
    target = session or db.session()
    if not target.in_transaction():
        target.begin()  # so that a rollback, even before any SQL, drops the job too
    target.info.setdefault(_PENDING, []).append(JobSpec(path, args, queue, current_tenant_id()))


@event.listens_for(Session, "after_commit")
def _submit_after_commit(session: Session) -> None:
    jobs = session.info.pop(_PENDING, [])
    for spec in jobs:
        submit(spec)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction) -> None:
    # Every rollback, even of a transaction that never reached the database.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def redis_connection(app: Flask | None = None):
    from redis import Redis

    url = (app or current_app).config["REDIS_URL"]
    return Redis.from_url(url) if url else None


def submit(spec: JobSpec) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    connection = redis_connection(app)
    if connection is None:
        _run_inline(app, spec)
        return
    from redis.exceptions import RedisError
    from rq import Queue, Retry

    try:
        Queue(spec.queue, connection=connection).enqueue(
            run, spec.path, spec.tenant_id, *spec.args,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
            description=f"{spec.path}{spec.args} tenant={spec.tenant_id}",
        )
    except RedisError:
        # The commit stands. Outbox rows stay pending and the next sweep delivers them.
        app.logger.warning("Redis unavailable: job %s not queued", spec.path)


def _run_inline(app: Flask, spec: JobSpec) -> None:
    try:
        run(spec.path, spec.tenant_id, *spec.args, app=app)
    except Exception:  # noqa: BLE001 - the request that committed must not fail for its side job
        app.logger.exception("in-process job %s failed", spec.path)


def run(path: str, tenant_id: int | None, *args, app: Flask | None = None):
    """Job entry point: a fresh app context (so a fresh session) inside the job's tenant."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    with app.app_context(), tenant_context(tenant_id):
        g.job = path  # log lines written by the job name it (app.core.logging)
        return import_string(path)(*args)


def failed_jobs(tenant_id: int) -> list:
    """This tenant's jobs in RQ's failed registries (a tenant never sees another's)."""
    connection = redis_connection()
    if connection is None:
        return []
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    jobs = []
    for name in QUEUES:
        ids = FailedJobRegistry(queue=Queue(name, connection=connection)).get_job_ids()
        for job in Job.fetch_many(ids, connection=connection):
            # run(path, tenant_id, *args): the tenant is the second argument of every job
            if job is not None and len(job.args) > 1 and job.args[1] == tenant_id:
                jobs.append(job)
    return jobs


def requeue_failed(tenant_id: int, job_id: str) -> bool:
    for job in failed_jobs(tenant_id):
        if job.id == job_id:
            job.requeue()
            return True
    return False
