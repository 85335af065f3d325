"""The PDG/DG back-office: staff login, roles, and the pages staff need to run the shop.

Every route needs a logged-in staff member of the current tenant (the session is per
host, and the user loader's query is scoped to the tenant, so a staff session never
reaches another shop) and the permission its action names (``require``).
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, request
from flask_login import current_user

from app.extensions import db, login_manager
from app.staff.models import StaffUser
from app.staff.permissions import allowed

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")
PUBLIC_ENDPOINTS = {"backoffice.login"}


@login_manager.user_loader
def _load_staff(session_id: str) -> StaffUser | None:
    """The user of a session ``<id>.<session_version>``; an older version is a session ended."""
    user_id, _dot, version = session_id.partition(".")
    if "tenant_id" not in g or not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))  # scoped: another tenant's id is None
    return user if user is not None and str(user.session_version) == version else None


@bp.before_request
def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require(permission: str):
    """Refuse (403, logged) a staff member whose role lacks ``permission``."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not allowed(current_user.role, permission):
                current_app.logger.warning("forbidden: %s (%s) wanted %s on %s", current_user.id,
                                           current_user.role, permission, request.path)
                abort(403, description=permission)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.app_template_global()
def can(permission: str) -> bool:
    return current_user.is_authenticated and allowed(current_user.role, permission)


from app.backoffice import (  # noqa: E402,F401
    audit_views,
    auth_views,
    bell_views,
    catalog_views,
    customers_views,
    dashboard_views,
    inventory_views,
    operations_views,
    orders_views,
    payments_views,
    settings_views,
    staff_views,
)
