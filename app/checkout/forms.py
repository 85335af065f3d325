"""The one-page checkout form: contact, delivery, payment; validated per field."""
from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.tenancy.geo import cities_for


class CheckoutForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(message=_l("Adresse e-mail invalide.")),
                                                  Length(max=254)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=32)])
    first_name = StringField(_l("Prénom"), validators=[InputRequired(_l("Indiquez votre prénom.")), Length(max=80)])
    last_name = StringField(_l("Nom de famille"), validators=[InputRequired(_l("Indiquez votre nom.")), Length(max=80)])
    delivery_method = RadioField(_l("Mode de livraison"), default="home",
                                 choices=[SelectChoice("home", _l("Livraison à domicile")),
                                          SelectChoice("pickup", _l("Retrait en boutique"))],
                                 validators=[InputRequired(_l("Choisissez un mode de livraison."))])
    city = SelectField(_l("Ville"), choices=[], validate_choice=False)
    quarter = StringField(_l("Quartier"), validators=[Length(max=80)])
    address = StringField(_l("Rue et numéro"), validators=[Length(max=255)])
    landmark = StringField(_l("Point de repère"), validators=[Length(max=255)])
    pickup_store = SelectField(_l("Boutique de retrait"), choices=[], validate_choice=False)
    payment_method = RadioField(_l("Paiement"), choices=[],
                                validators=[InputRequired(_l("Choisissez un moyen de paiement."))])
    momo_phone = StringField(_l("Numéro MTN Mobile Money"), validators=[Optional(), Length(max=32)])
    note = TextAreaField(_l("Instructions pour la livraison"), validators=[Length(max=1000)])
    idempotency_key = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])

    def __init__(self, *args, country: str, stores: list, payment_methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        self.city.choices = [SelectChoice("", _l("— Choisir —"))] + [SelectChoice(c) for c in cities_for(country)]
        self.pickup_store.choices = [SelectChoice("", _l("— Choisir —"))] + [
            SelectChoice(str(s.id), f"{s.name} ({s.city})") for s in stores]
        self.payment_method.choices = [SelectChoice(value, label) for value, label in payment_methods]
        if len(payment_methods) == 1 and not self.payment_method.data:
            self.payment_method.data = payment_methods[0][0]
        self.e164_phone = ""
        self.momo_msisdn = ""

    def validate_phone(self, field) -> None:
        if not field.data:
            return
        try:
            number = phonenumbers.parse(field.data, self.country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(_l("Numéro de téléphone invalide."))
        self.e164_phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.payment_method.data == "momo":
            ok = validate_momo(self, self.momo_phone.data or self.phone.data, self.country) and ok
        if not self.email.data and not self.phone.data:
            self.phone.errors.append(_l("Indiquez un e-mail ou un numéro de téléphone."))
            ok = False
        if self.delivery_method.data == "home":
            if not self.city.data or self.city.data not in cities_for(self.country):
                self.city.errors.append(_l("Choisissez votre ville."))
                ok = False
            for field in (self.quarter, self.address):
                if not (field.data or "").strip():
                    field.errors.append(_l("Ce champ est requis pour une livraison."))
                    ok = False
        elif (self.delivery_method.data == "pickup"
              and self.pickup_store.data not in {c.value for c in self.pickup_store.choices if c.value}):
            self.pickup_store.errors.append(_l("Choisissez une boutique de retrait."))
            ok = False
        return ok


def momo_msisdn(raw: str, country: str) -> str | None:
    """A mobile number in MoMo's format: international digits without "+" (237670000000)."""
    try:
        number = phonenumbers.parse(raw or "", country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def validate_momo(form, raw: str, country: str) -> bool:
    """Set ``form.momo_msisdn`` or put a message on ``form.momo_phone``."""
    if not (raw or "").strip():
        form.momo_phone.errors.append(_l("Indiquez le numéro Mobile Money qui va payer."))
        return False
    msisdn = momo_msisdn(raw, country)
    if msisdn is None:
        form.momo_phone.errors.append(_l("Numéro Mobile Money invalide : un numéro de mobile est attendu."))
        return False
    form.momo_msisdn = msisdn
    return True


class PaymentForm(FlaskForm):
    """Paying (again) for a placed order: the method and, for MoMo, the number."""
    payment_method = RadioField(_l("Moyen de paiement"), choices=[],
                                validators=[InputRequired(_l("Choisissez un moyen de paiement."))])
    momo_phone = StringField(_l("Numéro MTN Mobile Money"), validators=[Optional(), Length(max=32)])
    idempotency_key = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])

    def __init__(self, *args, country: str, payment_methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        self.payment_method.choices = [SelectChoice(value, label) for value, label in payment_methods]
        self.momo_msisdn = ""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.payment_method.data == "momo":
            ok = validate_momo(self, self.momo_phone.data, self.country) and ok
        return ok
