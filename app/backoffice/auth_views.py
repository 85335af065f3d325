from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from app.backoffice import bp
from app.core.htmx import see_other
from app.extensions import limiter
from app.staff.services import authenticate


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[InputRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: f"login:{g.tenant.id}:{get_remote_address()}")
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            current_app.logger.info("staff %s logged in", user.id)
            target = request.args.get("next", "")
            safe = target.startswith("/backoffice") and not target.startswith("//")
            return see_other(target if safe else url_for("backoffice.home"))
        failed = True
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté."), "success")
    return see_other(url_for("backoffice.login"))


@bp.get("/")
def home():
    return redirect(url_for("backoffice.list_messages"))
