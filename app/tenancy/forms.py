"""The PDG's settings forms: one per section of the settings page, each saved on its own
(the payment methods' section is ``app.payments.forms``).

Amounts are typed in major units of the tenant's currency (``2 000`` FCFA, ``12,50`` €)
and stored in minor units; the tax rate is typed in percent and stored in basis points.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import BooleanField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional, Regexp

from app.core.money import MoneyError, parse_major, precision
from app.tenancy.services import MAX_LOGO_BYTES

COLOR = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Couleur au format #rrggbb (par exemple #0b6e4f)."))


def decimal_number(text: str | None) -> Decimal:
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError(_l("Nombre invalide.")) from exc
    if not value.is_finite():
        raise ValidationError(_l("Nombre invalide."))
    return value


def major(amount: int, currency: str) -> str:
    """Minor units → the text a PDG types (``2000`` FCFA, ``12.5`` €)."""
    return format(Decimal(amount).scaleb(-precision(currency)).normalize(), "f")


class BrandingForm(FlaskForm):
    name = StringField(_l("Nom de la boutique"), validators=[InputRequired(), Length(max=120)])
    primary_color = StringField(_l("Couleur principale"), validators=[InputRequired(), COLOR])
    secondary_color = StringField(_l("Couleur d’accent"), validators=[InputRequired(), COLOR])
    logo = FileField(_l("Logo (PNG, JPEG ou WebP, 1 Mo au plus)"), validators=[
        FileAllowed(["png", "jpg", "jpeg", "webp"], _l("Le logo doit être une image PNG, JPEG ou WebP.")),
        FileSize(MAX_LOGO_BYTES, message=_l("Le logo dépasse 1 Mo."))])
    remove_logo = BooleanField(_l("Retirer le logo"))

    @classmethod
    def of(cls, tenant) -> BrandingForm:
        return cls(formdata=None, prefix="branding", name=tenant.name, primary_color=tenant.primary_color,
                   secondary_color=tenant.secondary_color)


class ShippingForm(FlaskForm):
    flat_shipping = StringField(_l("Livraison à domicile (forfait)"), validators=[InputRequired(), Length(max=20)])
    free_shipping_threshold = StringField(_l("Livraison gratuite dès (0 : jamais)"),
                                          validators=[InputRequired(), Length(max=20)])
    currency = "XAF"  # set by the view: the tenant's currency

    def _amount(self, field) -> None:
        try:
            field.minor = parse_major(field.data, self.currency)
        except MoneyError as exc:
            raise ValidationError(_l("Montant invalide pour la devise %(c)s.", c=self.currency)) from exc

    validate_flat_shipping = _amount
    validate_free_shipping_threshold = _amount

    def values(self) -> dict:
        return {"flat_shipping": self.flat_shipping.minor,
                "free_shipping_threshold": self.free_shipping_threshold.minor}

    @classmethod
    def of(cls, tenant, settings: dict) -> ShippingForm:
        form = cls(formdata=None, prefix="shipping", **{k: major(v, tenant.currency) for k, v in settings.items()})
        form.currency = tenant.currency
        return form


class TaxForm(FlaskForm):
    tax_rate = StringField(_l("Taux de taxe (%)"), validators=[InputRequired(), Length(max=10)])
    prices_include_tax = BooleanField(_l("Les prix affichés incluent la taxe (TTC)"))

    def validate_tax_rate(self, field) -> None:
        percent = decimal_number(field.data)
        basis_points = percent * 100
        if not 0 <= percent <= 100 or basis_points != basis_points.to_integral_value():
            raise ValidationError(_l("Entre 0 et 100, deux décimales au plus (19,25)."))
        field.basis_points = int(basis_points)

    def values(self) -> dict:
        return {"tax_rate_bp": self.tax_rate.basis_points, "prices_include_tax": self.prices_include_tax.data}

    @classmethod
    def of(cls, tenant, settings: dict) -> TaxForm:
        rate = format((Decimal(settings["tax_rate_bp"]) / 100).normalize(), "f")
        return cls(formdata=None, prefix="tax", tax_rate=rate, prices_include_tax=settings["prices_include_tax"])


class StoreForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[InputRequired(), Length(max=120)])
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=20), Regexp(
        r"^[A-Za-z0-9_-]+$", message=_l("Lettres, chiffres, - et _ seulement."))])
    city = StringField(_l("Ville"), validators=[InputRequired(), Length(max=80)])
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=255)])
    opening_hours = StringField(_l("Horaires"), validators=[Optional(), Length(max=255)])
    latitude = StringField(_l("Latitude"), validators=[InputRequired(), Length(max=20)])
    longitude = StringField(_l("Longitude"), validators=[InputRequired(), Length(max=20)])
    is_pickup_point = BooleanField(_l("Point de retrait"))
    is_ecommerce_warehouse = BooleanField(_l("Entrepôt de la boutique en ligne"))
    active = BooleanField(_l("Active"), default=True)

    def validate_latitude(self, field) -> None:
        field.number = decimal_number(field.data)
        if not -90 <= field.number <= 90:
            raise ValidationError(_l("Entre -90 et 90."))

    def validate_longitude(self, field) -> None:
        field.number = decimal_number(field.data)
        if not -180 <= field.number <= 180:
            raise ValidationError(_l("Entre -180 et 180."))

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "code": self.code.data.strip(), "city": self.city.data.strip(),
                "address": (self.address.data or "").strip(), "opening_hours": (self.opening_hours.data or "").strip(),
                "latitude": float(self.latitude.number), "longitude": float(self.longitude.number),
                "is_pickup_point": self.is_pickup_point.data,
                "is_ecommerce_warehouse": self.is_ecommerce_warehouse.data,
                "active": self.active.data}

    @classmethod
    def of(cls, store=None) -> StoreForm:
        if store is None:
            return cls(formdata=None, prefix="store", is_pickup_point=True)
        return cls(formdata=None, prefix="store", obj=store)
