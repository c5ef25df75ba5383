"""Pick the period to look at: the last 7, 30 or 90 days of the data, or any range."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.diagnosis.service import DataRange
from pages.components.state import t

PRESETS = (7, 30, 90)
DEFAULT = 30
DATE_FORMAT = "YYYY/MM/DD"  # year first, as Chinese writes dates (Streamlit's picker knows no locale)


def day(value: date) -> str:
    """A date the interface language's way: 2024-05-01, in Chinese 2024/05/01 (as the picker writes it)."""
    return value.strftime(t("date.format"))


def show(span: DataRange, key: str = "period") -> tuple[date, date]:
    choices = [*PRESETS, "custom"]
    labels = {**{days: t("period.last_days", days=days) for days in PRESETS}, "custom": t("period.custom")}
    choice = st.segmented_control(t("period.label"), choices, format_func=labels.get, default=DEFAULT, key=f"{key}_preset")
    if choice == "custom":
        picked = st.date_input(t("period.range"), value=span.period(days=DEFAULT),
                               min_value=span.first, max_value=span.last, key=f"{key}_range", format=DATE_FORMAT)
        if isinstance(picked, tuple) and len(picked) == 2:
            return picked
        return picked[0], picked[0]
    start, end = span.period(days=choice or DEFAULT)
    st.caption(t("period.showing", start=day(start), end=day(end)))
    return start, end


def other_presets(span: DataRange, start: date, end: date) -> list[tuple[date, date]]:
    """The preset periods other than the one shown: what the owner is likely to click next."""
    periods = [span.period(days=days) for days in PRESETS]
    return [period for period in dict.fromkeys(periods) if period != (start, end)]
