"""Form fields the domains share."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError

from app.core.money import MoneyError, parse_major

MAX_AMOUNT = 2_000_000_000  # the amount columns are 32-bit integers (PostgreSQL ``integer``)
MAX_ID = 2**31 - 1  # ids are PostgreSQL ``integer`` too: a bigger one fails in the database
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # a filter adds days: 9999-12-31 overflows


def parse_id(raw: str | int | None) -> int | None:
    """A database id read from a URL: ASCII digits within 1..MAX_ID, else None."""
    if isinstance(raw, int):
        return raw if 1 <= raw <= MAX_ID else None
    if not raw or not re.fullmatch(r"[0-9]{1,10}", raw):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


class IdSelectField(SelectField):
    """A filter's choice among database ids: ``id`` holds the chosen id once validated, None
    for the empty choice ("all"). Blank-looking values (tabs, newlines) are wrong, not empty."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.id: int | None = None

    def pre_validate(self, form) -> None:
        self.id = None
        if not self.data:
            return
        self.id = parse_id(self.data)
        try:
            if self.id is None:
                raise ValidationError("")
            super().pre_validate(form)
        except ValidationError:
            self.id = None
            raise StopValidation(_l("Choix invalide.")) from None


class FilterDateField(DateField):
    """A date a filter computes with, between FIRST_DAY and LAST_DAY."""

    data: date | None

    def pre_validate(self, form) -> None:
        if self.data is not None and not FIRST_DAY <= self.data <= LAST_DAY:
            self.data = None
            raise StopValidation(_l("Choisissez une date entre le %(first)s et le %(last)s.",
                                    first=FIRST_DAY.strftime("%d/%m/%Y"), last=LAST_DAY.strftime("%d/%m/%Y")))


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
