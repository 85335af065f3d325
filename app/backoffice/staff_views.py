"""Staff accounts and roles (PDG only): list, invite/create, change role, (de)activate."""
from __future__ import annotations

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.backoffice import bp, require
from app.core.htmx import is_fragment_request, render, see_other
from app.staff import services
from app.staff.forms import ActiveForm, RoleForm, StaffForm
from app.staff.permissions import ROLE_LABELS


def _page(form: StaffForm | None = None, status: int = 200):
    return render("backoffice/staff/list.html", "backoffice/staff/_staff.html", status=status,
                  staff=services.list_staff(), form=form or StaffForm(formdata=None), roles=ROLE_LABELS)


def _done(message: str):
    flash(message, "success")
    return _page() if is_fragment_request() else see_other(url_for("backoffice.list_staff"))


def _refused(error: services.StaffError):
    flash(error.message, "error")
    return _page(status=422) if is_fragment_request() else see_other(url_for("backoffice.list_staff"))


@bp.get("/staff")
@require("staff:write")
def list_staff():
    return _page()


@bp.post("/staff")
@require("staff:write")
def create_staff():
    form = StaffForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        user = services.invite_staff(current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                                     password=form.password.data or "")
    except services.StaffError as error:
        getattr(form, error.field).errors = [error.message]
        return _page(form, 422)
    if form.password.data:
        return _done(_("Compte créé pour %(email)s.", email=user.email))
    return _done(_("Invitation envoyée à %(email)s.", email=user.email))


@bp.post("/staff/<int:staff_id>/role")
@require("staff:write")
def change_staff_role(staff_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        return _refused(services.StaffError("role", _("Rôle inconnu.")))
    try:
        user = services.change_role(current_user, staff_id, form.role.data)
    except LookupError:
        abort(404)
    except services.StaffError as error:
        return _refused(error)
    if user.id == current_user.id:
        login_user(user)  # the change ended the other sessions, not the one that made it
    return _done(_("%(name)s est maintenant %(role)s.", name=user.name, role=ROLE_LABELS[user.role]))


@bp.post("/staff/<int:staff_id>/active")
@require("staff:write")
def set_staff_active(staff_id: int):
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user = services.set_active(current_user, staff_id, form.active.data)
    except LookupError:
        abort(404)
    except services.StaffError as error:
        return _refused(error)
    return _done(_("Compte de %(name)s réactivé.", name=user.name) if user.active
                 else _("Compte de %(name)s désactivé.", name=user.name))
