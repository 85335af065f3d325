"""Payments: every attempt, the inbox of provider events (rejected ones with their reason),
payments waiting for a person, and a "check now" that asks the provider."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.backoffice import bp, require
from app.core.htmx import render, see_other
from app.core.redirects import safe_next
from app.extensions import db
from app.payments import queries
from app.payments.models import STATUS_LABELS, Payment
from app.payments.providers.registry import METHODS, labels
from app.payments.services import check_now, resolve_review


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/payments")
@require("payments:read")
def list_payments():
    view = request.args.get("view", "payments")
    filters = {"provider": request.args.get("provider", "") if request.args.get("provider") in METHODS else "",
               "outcome": request.args.get("outcome", "")}
    if view == "events":
        rows = queries.events(**filters, before_id=_int("before"))
    else:
        view = "payments"
        rows = queries.payments(status=request.args.get("status", "") if request.args.get("status") in STATUS_LABELS
                                else "", method=filters["provider"], review=request.args.get("review") == "1",
                                before_id=_int("before"))
    return render("backoffice/payments/list.html", "backoffice/payments/_table.html", rows=rows, view=view,
                  args=request.args, methods=labels(), statuses=STATUS_LABELS, outcomes=queries.OUTCOMES)


def _payment_or_404(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)  # scoped: another tenant's id is None
    if payment is None:
        abort(404)
    return payment


@bp.post("/payments/<int:payment_id>/check")
@require("payments:write")
def check_payment(payment_id: int):
    payment = check_now(_payment_or_404(payment_id), actor=current_user)
    flash(_("Paiement vérifié auprès du fournisseur : %(s)s.", s=STATUS_LABELS[payment.status]), "success")
    return see_other(_back(url_for("backoffice.list_payments")))


@bp.post("/payments/<int:payment_id>/resolve")
@require("payments:write")
def resolve_payment(payment_id: int):
    payment = _payment_or_404(payment_id)
    resolve_review(payment, actor=current_user, note=request.form.get("note", "")[:255])
    flash(_("Paiement marqué comme traité."), "success")
    return see_other(_back(url_for("backoffice.list_payments", review=1)))


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default, prefix="/backoffice/")
