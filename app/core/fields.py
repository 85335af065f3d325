"""Form fields the domains share."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import StopValidation

from app.core.money import MoneyError, parse_major

MAX_AMOUNT = 2_000_000_000  # the amount columns are 32-bit integers (PostgreSQL ``integer``)


class MoneyField(StringField):
    """An amount in major units of the form's ``currency``; ``amount`` holds the minor units
    once validated."""

    def __init__(self, label=None, validators=None, required: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.amount: int | None = None

    def pre_validate(self, form) -> None:
        self.amount = None
        raw = (self.data or "").strip()
        if not raw:
            if self.required:
                raise StopValidation(_l("Indiquez un montant."))
            return
        amount: int | None
        try:
            amount = parse_major(raw, getattr(form, "currency", "XAF"))
        except MoneyError:
            amount = None
        if amount is None or amount > MAX_AMOUNT:
            raise StopValidation(_l("Montant invalide (par exemple 15000 ou 12,50)."))
        self.amount = amount
