"""Tables that show a shop's or a file's text. Streamlit's table toolbar offers "Download as CSV" of what a
table shows, written raw (there is no switch per table in Streamlit 1.67, only `client.disableDataExport` for
all of them): text a spreadsheet would run as a formula (`=cmd|' /C calc'!A0`, `@SUM(1+1)`) is shown with the
leading apostrophe the app's own downloads give it (core/platform/export.py), so neither way out runs it."""

from __future__ import annotations

import pandas as pd

from core.platform.export import neutralise, safe_frame


def shop_text(values):
    """A column of the shop's text (names, channels, products, titles) as tables show it."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.map(neutralise)
    return [neutralise(v) for v in values]


def from_file(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of a file's own rows and headers (the upload preview, its rejected rows): every text cell and
    header as the safe download writes it; numbers stay numbers."""
    return safe_frame(frame)


__all__ = ["from_file", "shop_text"]
