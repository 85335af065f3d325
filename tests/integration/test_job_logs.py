"""Log lines name where they come from: a request (its id) or a background job (its path),
and the tenant, whether the job runs in-process or in an RQ worker."""
import io
import json
import logging
from contextlib import contextmanager

from flask import current_app

from app.core.db import tenant_context
from app.core.jobs import enqueue
from app.core.logging import JsonFormatter
from app.extensions import db
from tests.support.clients import client_for, run_jobs

JOB = "tests.integration.test_job_logs.note_progress"


def note_progress(word: str) -> None:
    logging.getLogger("app.catalog.jobs").warning("progress %s", word)
    current_app.logger.warning("done %s", word)


@contextmanager
def app_log(app, as_json: bool = False):
    """What the app's own log handler writes (its filter included); JSON as with LOG_JSON=true."""
    handler = app.logger.handlers[0]
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)
    if as_json:
        handler.setFormatter(JsonFormatter())
    try:
        yield stream
    finally:
        handler.setStream(previous)
        handler.setFormatter(formatter)


def test_lines_written_in_a_job_carry_its_path_and_tenant(app, tenants):
    tenant = tenants.b.tenant.id
    with app_log(app) as log:
        with app.app_context(), tenant_context(tenant):
            enqueue(JOB, "colis")
            db.session.commit()  # in-process: runs now; with Redis: waits in RQ
            current_app.logger.warning("after the job")
        run_jobs(app)
    lines = log.getvalue().splitlines()
    assert f"WARNING [job={JOB} t={tenant}] app.catalog.jobs: progress colis" in lines
    assert f"WARNING [job={JOB} t={tenant}] app: done colis" in lines
    assert f"WARNING [- t={tenant}] app: after the job" in lines  # outside the job: no job


def test_json_lines_carry_the_job_or_the_request_and_the_tenant(app, tenants):
    tenant = tenants.a.tenant.id
    with app_log(app, as_json=True) as log:
        with app.app_context(), tenant_context(tenant):
            enqueue(JOB, "json")
            db.session.commit()
        run_jobs(app)
        client_for(app, "akwa").get("/shop/", headers={"X-Request-ID": "req-0123456789"})
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    job = next(line for line in lines if line["msg"] == "progress json")
    assert (job["job"], job["tenant"], job["request_id"], job["logger"]) == (JOB, tenant, "-", "app.catalog.jobs")
    request = next(line for line in lines if line.get("path") == "/shop/")
    assert (request["request_id"], request["tenant"], request["status"]) == ("req-0123456789", tenant, 200)
    assert "job" not in request
