"""Back-office forms for staff: login, password reset, accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional

from app.core.fields import FilterDateField, IdSelectField
from app.staff.permissions import ROLE_LABELS
from app.staff.queries import AuditFilter
from app.staff.services import MIN_PASSWORD


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(code, str(label)) for code, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[InputRequired(), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[
        InputRequired(), Length(min=MIN_PASSWORD, max=200, message=_l("Entre 10 et 200 caractères."))])
    confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[
        InputRequired(), EqualTo("password", message=_l("Les deux mots de passe diffèrent."))])


class StaffForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254),
                                                  Email(message=_l("Adresse e-mail invalide."),
                                                        check_deliverability=False)])
    role = SelectField(_l("Rôle"), choices=role_choices, default="viewer")
    password = PasswordField(_l("Mot de passe (facultatif)"), validators=[
        Optional(), Length(min=MIN_PASSWORD, max=200, message=_l("Entre 10 et 200 caractères."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=role_choices)


class ActiveForm(FlaskForm):
    active = BooleanField(_l("Actif"))


class AuditFilterForm(FlaskForm):
    """The audit log's filters (GET: no CSRF, nothing changes)."""

    class Meta:
        csrf = False

    staff = IdSelectField(_l("Membre du personnel"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False, validators=[Optional()])
    target = SelectField(_l("Type d’objet"), validate_choice=False, validators=[Optional()])
    start = FilterDateField(_l("Du"), validators=[Optional()])
    end = FilterDateField(_l("Au"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10_000)])

    def set_choices(self, choices: dict) -> None:
        self.staff.choices = [SelectChoice("", _l("Tous"))] + [SelectChoice(str(i), e) for i, e in choices["staff"]]
        self.action.choices = [SelectChoice("", _l("Toutes"))] + [SelectChoice(a) for a in choices["actions"]]
        self.target.choices = [SelectChoice("", _l("Tous"))] + [SelectChoice(t) for t in choices["target_types"]]

    def filters(self) -> AuditFilter:
        """The filters asked for; none at all when one of them is malformed (the form says which)."""
        if not self.validate():
            return AuditFilter()
        return AuditFilter(staff_id=self.staff.id, action=self.action.data or "",
                           target_type=self.target.data or "", start=self.start.data, end=self.end.data,
                           page=self.page.data or 1)
