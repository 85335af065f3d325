import pytest

from app.core.money import Money, MoneyError, format_money, parse_major


def test_formats_per_currency_and_locale():
    assert format_money(1500, "XAF") == "1\u202f500\xa0FCFA"
    assert format_money(1500, "XOF") == "1\u202f500\xa0F\u202fCFA"
    assert format_money(1250, "EUR") == "12,50\xa0€"
    assert format_money(1250, "USD", "en") == "$12.50"
    assert Money(1500, "XAF").format("en") == "FCFA1,500"


def test_parses_major_units_without_floats():
    assert parse_major("1 500", "XAF") == 1500
    assert parse_major("12,50", "EUR") == 1250
    assert parse_major("0.1", "EUR") == 10
    for bad, currency in [("abc", "XAF"), ("-1", "XAF"), ("12.5", "XAF"), ("1.001", "EUR"), ("nan", "EUR"),
                          ("inf", "EUR"), ("1e20", "XAF"), ("", "XAF")]:
        with pytest.raises(MoneyError):
            parse_major(bad, currency)


def test_arithmetic_refuses_mixing_and_floats():
    assert Money(1000, "XAF") + Money(500, "XAF") == Money(1500, "XAF")
    assert Money(700, "XOF") * 3 == Money(2100, "XOF")
    with pytest.raises(MoneyError):
        Money(1, "XAF") + Money(1, "XOF")
    with pytest.raises(MoneyError):
        Money(1.5, "EUR")
    with pytest.raises(MoneyError):
        Money(100, "EUR") * 1.1
    assert str(Money(1250, "EUR").decimal()) == "12.50"
