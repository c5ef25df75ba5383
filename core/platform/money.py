"""Money as a shop owner reads it: the shop's currency symbol (or code) beside every amount, and "–"
for an amount there is no data for, never 0."""

from __future__ import annotations

import math

SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$",
           "AUD": "A$", "CAD": "C$", "SGD": "S$", "KRW": "₩", "INR": "₹"}
MISSING = "–"


def symbol(currency: str | None) -> str:
    """`$` for USD, `¥` for CNY; the code itself for a currency without a common symbol; "" when unknown."""
    if not currency:
        return ""
    code = currency.strip().upper()
    return SYMBOLS.get(code, code)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str | None, decimals: int = 0) -> str:
    """`$1,234`, `¥1,234.50`, `CHF 1,234`; "–" without a value."""
    if is_missing(value):
        return MISSING
    sign, amount = ("-" if value < 0 else ""), f"{abs(value):,.{decimals}f}"
    mark = symbol(currency)
    if not mark:
        return f"{sign}{amount}"
    return f"{sign}{mark}{amount}" if not mark.isalpha() else f"{sign}{mark} {amount}"
