"""Money as integer minor units beside an ISO 4217 code; Babel does precision and format.

XAF and XOF have no minor unit (1 500 FCFA is ``Money(1500, "XAF")``); EUR and USD have
two (12,50 € is ``Money(1250, "EUR")``). No float ever touches an amount.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision


class MoneyError(ValueError):
    pass


def precision(currency: str) -> int:
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise MoneyError("amount must be an integer of minor units")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise MoneyError(f"bad currency code {self.currency!r}")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"{self.currency} and {other.currency} do not mix")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int):
            raise MoneyError("money is multiplied by whole quantities only")
        return Money(self.amount * factor, self.currency)

    def decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-precision(self.currency))

    def format(self, locale: str = "fr") -> str:
        return format_money(self.amount, self.currency, locale)


def format_money(amount: int, currency: str, locale: str = "fr") -> str:
    """``format_money(1500, "XAF")`` → ``1 500 FCFA`` (narrow no-break spaces)."""
    value = Decimal(amount).scaleb(-precision(currency))
    return format_currency(value, currency, locale=locale)


def parse_major(text: str, currency: str) -> int:
    """Shopper input in major units (``"12,50"`` €, ``"1 500"`` FCFA) → minor units."""
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError("not an amount") from exc
    if not value.is_finite() or value < 0:
        raise MoneyError("not an amount")
    minor = value.scaleb(precision(currency))
    if minor != minor.to_integral_value():
        raise MoneyError("too many decimals for this currency")
    if minor > 10**12:
        raise MoneyError("amount too large")
    return int(minor)
