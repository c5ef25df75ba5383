"""One translation function for every user-visible string, English and Simplified Chinese.

Catalogs are JSON files in `core/locales/`; keys are stable identifiers, values are format strings.
Core code raises and reports with keys and parameters, so the UI can speak the user's language and
the CLI speaks English.
"""

from __future__ import annotations

import json
import numbers
from datetime import date, datetime
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
LOCALE_DIR = Path(__file__).with_name("locales")


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALE_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def shown(value, lang: str = "en"):
    """A parameter as the reader expects it: whole numbers with thousands separators, dates and times in the
    language's format; anything else (text, fractions already formatted by the caller) as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, datetime):
        return value.strftime(translate("date.time_format", lang))
    if isinstance(value, date):
        return value.strftime(translate("date.format", lang))
    return value


def translate(key: str, lang: str = "en", **params) -> str:
    """The text for `key` in `lang`, falling back to English, then to the key itself. Parameters are shown
    as the reader expects them (`shown`): callers pass numbers and dates, not text made from them.
    `{days:day|days}` in a text is the word that goes with the number (1 day, 2 days)."""
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    if params:
        try:
            return text.format(**{name: _Shown(shown(value, lang), value) for name, value in params.items()})
        except (KeyError, IndexError, ValueError):
            return text
    return text


class _Shown(str):
    """A parameter as shown, which also knows whether it is one: English says "1 day" but "2 days"."""

    def __new__(cls, text, value):
        made = super().__new__(cls, text)
        made.one = not isinstance(value, bool) and (
            value == 1 if isinstance(value, numbers.Number) else str(value).strip().replace(",", "") == "1")
        return made

    def __format__(self, spec: str) -> str:
        if "|" in spec:
            singular, plural = spec.split("|", 1)
            return singular if self.one else plural
        return format(str(self), spec)


class Message(Exception):
    """An error whose text is a catalog key with parameters: English by default, translatable in the UI."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(translate(key, "en", **params))

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, **self.params)
