"""Tax at checkout (checkout.services.tax_on): included in prices (TTC) or added on top,
rounded down to the currency's minor unit, in integers only."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.checkout.services import tax_on
from app.core.money import Money, MoneyError, format_money


def tax(amount, currency, rate_bp, included):
    return tax_on(Money(amount, currency), rate_bp, included=included)


def test_tax_added_on_top_of_prices():
    assert tax(10_000, "XAF", 1925, False) == Money(1925, "XAF")  # 19,25 % of 10 000 FCFA
    assert tax(10_000, "XOF", 1800, False) == Money(1800, "XOF")
    assert tax(1234, "EUR", 2000, False) == Money(246, "EUR")  # 20 % of 12,34 € is 2,468 €


def test_tax_included_in_prices_is_the_share_of_the_ttc_price():
    assert tax(11_925, "XAF", 1925, True) == Money(1925, "XAF")  # 10 000 HT + 1 925
    assert tax(11_800, "XOF", 1800, True) == Money(1800, "XOF")
    assert tax(1200, "EUR", 2000, True) == Money(200, "EUR")


def test_rounded_down_to_whole_francs_for_xaf_and_xof_and_to_cents_for_eur():
    assert tax(1001, "XAF", 1925, False).decimal() == Decimal("192")  # 192,6925 FCFA
    assert tax(1000, "XAF", 1925, True).decimal() == Decimal("161")  # 161,42… FCFA
    assert tax(999, "XOF", 1800, True).decimal() == Decimal("152")  # 152,38… F CFA
    assert tax(1234, "EUR", 2000, False).decimal() == Decimal("2.46")  # 2,468 €
    assert tax(1999, "EUR", 550, True).decimal() == Decimal("1.04")  # 1,0421… €
    assert format_money(tax(1001, "XAF", 1925, False).amount, "XAF") == "192\xa0FCFA"
    assert format_money(tax(1234, "EUR", 2000, False).amount, "EUR") == "2,46\xa0€"


def test_no_rate_means_no_tax_in_the_same_currency():
    assert tax(5000, "XOF", 0, True) == tax(5000, "XOF", 0, False) == Money(0, "XOF")


def test_a_float_rate_is_refused_rather_than_rounded():
    with pytest.raises(MoneyError):
        tax(10_000, "XAF", 19.25, False)
    with pytest.raises(MoneyError):
        tax_on(Money(10_000, "XAF"), 1925.0, included=True)


@given(amount=st.integers(0, 10**12), rate=st.integers(0, 10_000), included=st.booleans(),
       currency=st.sampled_from(["XAF", "XOF", "EUR"]))
def test_never_more_than_the_exact_tax_and_never_a_whole_minor_unit_less(amount, rate, included, currency):
    exact = Fraction(amount * rate, 10_000 + rate if included else 10_000)
    result = tax(amount, currency, rate, included)
    assert result.currency == currency and isinstance(result.amount, int)
    assert 0 <= exact - result.amount < 1
