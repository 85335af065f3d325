"""Staff login, logout, password reset, the navigation, and the refusal page."""
from __future__ import annotations

from flask import current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import Forbidden

from app.backoffice import PUBLIC_ENDPOINTS, bp, can
from app.core.htmx import see_other
from app.core.redirects import safe_next
from app.extensions import limiter
from app.staff.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from app.staff.passwords import user_from_token
from app.staff.permissions import PERMISSION_LABELS
from app.staff.services import StaffError, authenticate, record_forbidden, request_password_reset
from app.staff.services import reset_password as set_new_password

# Reaching these needs no session (the blueprint's login check reads this set).
PUBLIC_ENDPOINTS.update({"backoffice.forgot_password", "backoffice.reset_password"})

# Every area of the back-office: (endpoint, permission, label), shown to whoever may open it.
NAV = (
    ("backoffice.dashboard", "dashboard:read", _l("Tableau de bord")),
    ("backoffice.list_orders", "orders:read", _l("Commandes")),
    ("backoffice.list_products", "catalog:read", _l("Produits")),
    ("backoffice.list_categories", "catalog:read", _l("Catégories")),
    ("backoffice.list_stock", "inventory:read", _l("Stocks")),
    ("backoffice.list_customers", "customers:read", _l("Clients")),
    ("backoffice.list_payments", "payments:read", _l("Paiements")),
    ("backoffice.list_abandoned_carts", "carts:read", _l("Paniers abandonnés")),
    ("backoffice.list_messages", "messages:read", _l("Messages")),
    ("backoffice.show_sync", "sync:read", _l("Synchro cœur")),
    ("backoffice.list_failed_jobs", "jobs:read", _l("Tâches en échec")),
    ("backoffice.edit_settings", "settings:write", _l("Réglages")),
    ("backoffice.list_staff", "staff:write", _l("Personnel")),
    ("backoffice.list_audit", "audit:read", _l("Journal d’audit")),
)


def _login_key(prefix: str):
    return lambda: f"{prefix}:{g.tenant.id}:{get_remote_address()}"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.app_template_global()
def nav_items() -> list[tuple[str, str]]:
    """(endpoint, label) of the areas this staff member may open."""
    return [(endpoint, label) for endpoint, permission, label in NAV if can(permission)]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_key("login"))
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            current_app.logger.info("staff %s logged in", user.id)
            return see_other(safe_next(request.args.get("next"), url_for("backoffice.home"), prefix="/backoffice/"))
        failed = True
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté."), "success")
    return see_other(url_for("backoffice.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_key("forgot"))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(_("Si un compte existe pour cette adresse, un e-mail avec un lien vient de partir."), "success")
        return see_other(url_for("backoffice.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/auth/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_key("reset"))
def reset_password(token: str):
    response = make_response(_reset_password(token))
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return response


def _reset_password(token: str):
    form = ResetPasswordForm()
    if user_from_token(token) is None:
        return render_template("backoffice/auth/reset.html", form=None), 410 if request.method == "GET" else 422
    if form.validate_on_submit():
        try:
            set_new_password(token, form.password.data)
        except StaffError as error:
            form.password.errors = [error.message]
        else:
            flash(_("Mot de passe changé. Connectez-vous avec le nouveau."), "success")
            return see_other(url_for("backoffice.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/auth/reset.html", form=form), status


@bp.get("/")
def home():
    items = nav_items()
    return redirect(url_for(items[0][0] if items else "backoffice.show_notifications"))


@bp.errorhandler(Forbidden)
def forbidden(error: Forbidden):
    # ``require`` names the missing permission; other 403s (a foreign object…) name none.
    permission = error.description if error.description in PERMISSION_LABELS else ""
    if current_user.is_authenticated:
        record_forbidden(current_user, permission or "?", request.path)
    return render_template("errors/403.html", code=403, permission=permission,
                           permission_label=PERMISSION_LABELS.get(permission, permission)), 403
