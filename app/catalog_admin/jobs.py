"""CSV imports: a dry run stored as an :class:`ImportJob`, then a background run that
upserts by SKU in batches, committing its progress after each one (the page polls it).

The run checks the file again first (the catalog may have changed since the preview);
"all rows" mode then refuses to start if any row is bad, so a bad file imports nothing.
A run is safe to repeat: every row is an upsert by SKU.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

from flask import current_app

from app.audit import audit
from app.catalog.categories import add_paths
from app.catalog.models import ImportJob
from app.catalog.upserts import ImportedProduct, upsert_batch
from app.catalog_admin.importer import ERROR_LIMIT, Checked, ParsedRow, category_ids_by_path, check, decode
from app.core.db import current_tenant_id, utcnow
from app.core.jobs import enqueue, redis_connection
from app.core.jobs import run as run_job
from app.extensions import db
from app.staff.models import StaffUser
from app.tenancy.settings import current_tenant

BATCH = 250  # products per transaction: progress moves, and no lock is held for long
MODES = ("all", "valid")


class ImportRefused(ValueError):
    """The job is not in a state (or mode) that allows this."""


def _record(job: ImportJob, checked: Checked) -> None:
    job.total_rows, job.valid_rows = checked.total_rows, checked.valid_rows
    job.error_count = len(checked.errors)
    job.errors = checked.errors[:ERROR_LIMIT]
    job.new_categories = checked.new_categories
    job.created_count = checked.to_create  # expected, until the run counts what it did
    job.updated_count = len(checked.valid_groups) - checked.to_create
    job.message = ", ".join(checked.ignored_columns)[:500]


def preview_import(actor, filename: str, data: bytes) -> ImportJob:
    """Check the file (dry run) and keep it for the run. Raises FileRefused."""
    text = decode(data)
    checked = check(text, current_tenant().currency)
    job = ImportJob(staff_id=actor.id, filename=filename[:200], content=text)
    _record(job, checked)
    db.session.add(job)
    db.session.commit()
    return job


def start_import(actor, job_id: int, mode: str) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise LookupError(job_id)
    # A failed or stalled run may be started again: every row is an upsert by SKU.
    if mode not in MODES or not (job.status in ("previewed", "failed") or job.stalled):
        raise ImportRefused("state")
    if mode == "all" and job.error_count:
        raise ImportRefused("errors")
    if job.valid_rows == 0:
        raise ImportRefused("empty")
    job.mode, job.status = mode, "queued"
    audit(actor, "catalog.import_start", "import", job.id,
          after={"filename": job.filename, "mode": mode, "rows": job.valid_rows})
    enqueue("app.catalog_admin.jobs.run_import", job.id)
    db.session.commit()
    return job


def run_import(job_id: int) -> None:
    """Job entry point. With RQ it runs in a worker. Without Redis the in-process runner
    would hold the staff's request until the last row, and the progress bar would never
    show: the run moves to a thread of its own instead (tests keep it synchronous)."""
    app = current_app._get_current_object()
    if redis_connection(app) is None and app.config["CATALOG_IMPORT_THREAD"]:
        threading.Thread(target=run_job, args=("app.catalog_admin.jobs.process_import", current_tenant_id(), job_id),
                         kwargs={"app": app}, daemon=True, name=f"catalog-import-{job_id}").start()
        return
    process_import(job_id)


def process_import(job_id: int) -> str:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return "skipped"  # done, failed or never confirmed: a repeated job does nothing
    job.status, job.processed_rows, job.created_count, job.updated_count = "running", 0, 0, 0
    db.session.commit()
    try:
        _run(job)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("catalog import %s failed", job_id)  # the details, for us
        job = db.session.get(ImportJob, job_id)
        job.status, job.message, job.finished_at = "failed", type(exc).__name__, utcnow()
        db.session.commit()
        return "failed"
    return "done"


def _run(job: ImportJob) -> None:
    actor = db.session.get(StaffUser, job.staff_id) if job.staff_id else None
    actor = actor or SimpleNamespace(id=None, email="import")
    checked = check(job.content, current_tenant().currency)
    if job.mode == "all" and checked.errors:
        _record(job, checked)
        job.status, job.finished_at = "failed", utcnow()
        job.message = "errors"  # the catalog changed since the preview: nothing was imported
        db.session.commit()
        return
    categories = add_paths(checked.new_categories, category_ids_by_path())
    groups = checked.valid_groups
    job.valid_rows = checked.valid_rows  # the progress bar's goal, as of now
    slugs: set[str] = set()
    for i in range(0, len(groups), BATCH):
        chunk = groups[i:i + BATCH]
        done = upsert_batch([_product(sku, rows, categories) for sku, rows in chunk], slugs)
        job.created_count += done.created
        job.updated_count += done.updated
        job.processed_rows += sum(len(rows) for _, rows in chunk)
        audit(actor, "catalog.import_batch", "import", job.id, before=done.before, after=done.after)
        db.session.commit()
    job.status, job.finished_at, job.content = "done", utcnow(), ""  # the file is not needed any more
    db.session.commit()


def _product(sku: str, rows: list[ParsedRow], categories: dict[str, int]) -> ImportedProduct:
    """A product's rows as the write path takes them: fields from its first row (the
    category path as an id), a variant per row that has one."""
    first = rows[0]
    values = dict(first.product)
    if first.category is not None:
        values["category_id"] = categories.get(first.category.lower()) if first.category else None
    return ImportedProduct(sku, values, [r.variant for r in rows if r.variant])
