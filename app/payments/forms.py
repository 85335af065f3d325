"""The PDG's payment settings: which methods the shop offers (one box per registered
provider) with the PayPal conversion, and the shop's own provider credentials."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.payments.providers.registry import PROVIDERS, online
from app.tenancy.forms import decimal_number
from app.tenancy.settings import PAYPAL_CURRENCIES


class _PaymentsForm(FlaskForm):
    paypal_currency = SelectField(_l("Devise PayPal"), choices=[SelectChoice(c) for c in PAYPAL_CURRENCIES])
    paypal_rate = StringField(_l("Taux de change PayPal"), validators=[InputRequired(), Length(max=20)])

    def method_fields(self) -> list:
        return [self[cls.setting_key] for cls in PROVIDERS.values()]

    def validate(self, extra_validators=None) -> bool:
        def at_least_one(form, field) -> None:
            if not any(f.data for f in self.method_fields()):
                raise ValidationError(_l("Activez au moins un moyen de paiement."))

        first = self.method_fields()[0].short_name
        extra = dict(extra_validators or {})
        extra[first] = [*extra.get(first, ()), at_least_one]
        return super().validate(extra)

    def validate_paypal_rate(self, field) -> None:
        rate = decimal_number(field.data)
        if not 0 < rate < 10**9:
            raise ValidationError(_l("Un taux positif, par exemple 655,957."))
        if rate != rate.quantize(Decimal("0.000001")):
            raise ValidationError(_l("Six décimales au plus."))
        field.rate = format(rate.normalize(), "f")

    def values(self) -> dict:
        return {**{f.short_name: f.data for f in self.method_fields()},
                "paypal_currency": self.paypal_currency.data, "paypal_rate": self.paypal_rate.rate}

    @classmethod
    def of(cls, tenant, settings: dict) -> _PaymentsForm:
        return cls(formdata=None, prefix="payments", **settings)


# One "offered" box per provider, named after its tenant setting, in checkout order.
PaymentsForm = type("PaymentsForm", (_PaymentsForm,),
                    {cls.setting_key: BooleanField(cls.label) for cls in PROVIDERS.values()})


def _credentials_form(cls) -> type[FlaskForm]:
    # PasswordField never renders a value: neither a stored secret nor one just typed.
    fields = {f.name: PasswordField(f.label, validators=[Optional(), Length(max=500)])
              for f in cls.credential_fields}
    return type(f"{cls.__name__}CredentialsForm", (FlaskForm,), fields)


CREDENTIAL_FORMS = {cls.method: _credentials_form(cls) for cls in online() if cls.credential_fields}


def credentials_form(method: str, *, submitted: bool = False) -> FlaskForm:
    """The form of one provider's credentials: empty, or read from the request."""
    form_class = CREDENTIAL_FORMS[method]
    prefix = f"credentials-{method}"
    return form_class(prefix=prefix) if submitted else form_class(formdata=None, prefix=prefix)
