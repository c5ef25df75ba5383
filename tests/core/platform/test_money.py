"""Amounts carry the shop's currency; a missing amount is a dash, never 0."""

from core.platform.money import money, symbol


def test_amounts_carry_the_symbol_or_the_code():
    assert money(1234.5, "USD") == "$1,234"  # rounds half to even at 0 decimals: 1234.5 -> 1,234
    assert money(1234.56, "cny", 2) == "¥1,234.56"
    assert money(-80, "EUR") == "-€80"
    assert money(99, "CHF") == "CHF 99"  # no common symbol: the code, spaced
    assert money(99, None) == "99"  # a currency nobody named is not guessed


def test_a_missing_amount_is_a_dash():
    assert money(None, "USD") == "–"
    assert money(float("nan"), "USD") == "–"
    assert symbol("") == "" and symbol("gbp") == "£"
