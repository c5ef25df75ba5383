"""One translation function for every user-visible string, English and Simplified Chinese.

Catalogs are JSON files in `core/locales/`; keys are stable identifiers, values are format strings.
Core code raises and reports with keys and parameters, so the UI can speak the user's language and
the CLI speaks English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
LOCALE_DIR = Path(__file__).with_name("locales")


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALE_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def translate(key: str, lang: str = "en", **params) -> str:
    """The text for `key` in `lang`, falling back to English, then to the key itself."""
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


class Message(Exception):
    """An error whose text is a catalog key with parameters: English by default, translatable in the UI."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(translate(key, "en", **params))

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, **self.params)
