"""The notification bell (an htmx fragment polled every 30 s) and its no-JS full page."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app.backoffice import bp, require
from app.core.htmx import is_fragment_request, render, render_fragment, see_other
from app.reports.bell import bell_for
from app.staff.services import mark_bell_seen


@bp.get("/bell")
@require("notifications:read")
def bell():
    # Polled: reads only. Opening the notifications page is what marks them seen.
    return render("backoffice/notifications.html", "backoffice/_bell.html", bell=bell_for(current_user),
                  seen=False)


@bp.get("/notifications")
@require("notifications:read")
def show_notifications():
    summary = bell_for(current_user, limit=50)
    mark_bell_seen(current_user)  # the orders listed here are no longer new
    return render("backoffice/notifications.html", "backoffice/_bell.html", bell=summary, seen=True)


@bp.post("/notifications/seen")
@require("notifications:read")
def mark_notifications_seen():
    mark_bell_seen(current_user)
    if is_fragment_request():
        return render_fragment("backoffice/_bell.html", bell=bell_for(current_user), seen=False)
    return see_other(url_for("backoffice.show_notifications"))
