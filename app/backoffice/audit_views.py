"""The audit log: every staff write (and refusal), filterable, newest first."""
from __future__ import annotations

from flask import request

from app.backoffice import bp, require
from app.core.htmx import render
from app.staff.forms import AuditFilterForm
from app.staff.queries import audit_choices, audit_page, diff


@bp.get("/audit")
@require("audit:read")
def list_audit():
    form = AuditFilterForm(request.args)
    form.set_choices(audit_choices())
    filters = form.filters()
    entries, has_next = audit_page(filters)
    return render("backoffice/audit/list.html", "backoffice/audit/_entries.html",
                  status=422 if form.errors else 200, form=form, entries=entries, has_next=has_next,
                  page=filters.page, diff=diff)
