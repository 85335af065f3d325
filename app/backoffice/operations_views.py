"""Operations pages: outgoing messages, abandoned carts, failed background jobs."""
from __future__ import annotations

from flask import abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.backoffice import bp, require
from app.cart.jobs import remind_now
from app.cart.models import Cart, CartLine
from app.cart.services import price_cart
from app.core.db import utcnow
from app.core.htmx import render, see_other
from app.core.jobs import failed_jobs, requeue_failed
from app.extensions import db
from app.outbox.models import STATUSES, OutboxMessage
from app.outbox.queue import retry_message
from app.sync.models import CoreConnection, SyncEvent

PAGE = 50


@bp.get("/messages")
@require("messages:read")
def list_messages():
    status = request.args.get("status", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE)
    if status in STATUSES:
        query = query.where(OutboxMessage.status == status)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render("backoffice/messages.html", "backoffice/_messages.html", messages=db.session.scalars(query).all(),
                  current=status, counts=counts, statuses=STATUSES)


@bp.post("/messages/<int:message_id>/retry")
@require("messages:retry")
def retry_outbox_message(message_id: int):
    try:
        retry_message(current_user, message_id)
    except LookupError:
        abort(404)
    flash(_("Message renvoyé."), "success")
    return see_other(url_for("backoffice.list_messages", status=request.args.get("status", "")))


@bp.get("/carts")
@require("carts:read")
def list_abandoned_carts():
    carts = db.session.scalars(
        select(Cart).where(Cart.status == "active", Cart.abandoned_at.is_not(None),
                           Cart.id.in_(select(CartLine.cart_id)))
        .order_by(Cart.updated_at.desc()).limit(PAGE)
    ).all()
    rows = [(cart, price_cart(cart, g.tenant.currency).subtotal) for cart in carts]
    return render("backoffice/carts.html", "backoffice/_carts.html", rows=rows, now=utcnow())


@bp.post("/carts/<int:cart_id>/remind")
@require("carts:remind")
def remind_cart(cart_id: int):
    if not remind_now(current_user, cart_id):
        abort(404)
    flash(_("Relance envoyée."), "success")
    return see_other(url_for("backoffice.list_abandoned_carts"))


@bp.get("/jobs")
@require("jobs:read")
def list_failed_jobs():
    return render_template("backoffice/jobs.html", jobs=failed_jobs(g.tenant.id),
                           redis=bool(current_app.config["REDIS_URL"]))


@bp.post("/jobs/<job_id>/requeue")
@require("jobs:retry")
def requeue_job(job_id: str):
    if not requeue_failed(g.tenant.id, job_id):
        abort(404)
    flash(_("Tâche relancée."), "success")
    return see_other(url_for("backoffice.list_failed_jobs"))


@bp.get("/sync")
@require("sync:read")
def show_sync():
    link = db.session.scalar(select(CoreConnection))
    events = db.session.scalars(select(SyncEvent).order_by(SyncEvent.id.desc()).limit(PAGE)).all()
    return render_template("backoffice/sync.html", link=link, events=events)
