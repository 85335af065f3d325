"""XAF/XOF → PayPal currency: Decimal only, half-up to the cent, the rate kept as recorded."""
import pytest

from app.core.money import MoneyError
from app.payments.providers.paypal import _minor, _value, convert


def test_xaf_to_eur_at_the_fixed_parity_gives_exact_cents():
    assert convert(655957, "XAF", "655.957", "EUR") == (100000, "655.957")  # exactly 1 000,00 €
    assert convert(10000, "XAF", "655.957", "EUR") == (1524, "655.957")  # 15,2449… € → 15,24 €
    assert convert(25000, "XOF", "655.957", "EUR") == (3811, "655.957")  # 38,1122… € → 38,11 €


def test_rounds_half_up_not_to_even():
    # at 1000 XAF per EUR, 5 XAF = 0.005 € → 0.01 € (banker's rounding would give 0.00)
    assert convert(5, "XAF", "1000", "EUR") == (1, "1000")
    assert convert(25, "XAF", "1000", "EUR") == (3, "1000")  # 0.025 € → 0.03 €
    assert convert(1249, "XAF", "100", "USD") == (1249, "100")
    assert convert(12345, "XAF", "655.957", "USD")[0] == 1882  # 18.8198… → 18.82


def test_rate_forms_and_same_currency():
    assert convert(10000, "XAF", " 655,957 ", "EUR") == (1524, "655.957")
    assert convert(10000, "XAF", "6.55957E+2", "EUR") == (1524, "655.957")
    assert convert(10000, "XAF", "600.000", "EUR") == (1667, "600")
    assert convert(1250, "EUR", "anything", "EUR") == (1250, "1")


@pytest.mark.parametrize("rate", ["", "abc", "0", "-655.957", "nan", "inf"])
def test_bad_rates_are_refused(rate):
    with pytest.raises(MoneyError):
        convert(10000, "XAF", rate, "EUR")


def test_an_amount_too_small_to_charge_is_refused():
    with pytest.raises(MoneyError):
        convert(3, "XAF", "655.957", "EUR")  # 0.0046 € rounds to 0,00 €


def test_paypal_amount_strings_round_trip():
    assert _value(1524, "EUR") == "15.24"
    assert _value(100000, "EUR") == "1000.00"
    assert _value(5, "EUR") == "0.05"
    assert _value(1500, "XAF") == "1500"
    assert _minor({"value": "15.24", "currency_code": "EUR"}) == 1524
    assert _minor({"value": "15.245", "currency_code": "EUR"}) is None
    assert _minor({"value": "x", "currency_code": "EUR"}) is None
    assert _minor(None) is None
