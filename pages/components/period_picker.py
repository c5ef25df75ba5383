"""Pick the period to look at: the last 7, 30 or 90 days of the data, or any range."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from pages.components.state import t

PRESETS = (7, 30, 90)


def show(first: date, last: date, key: str = "period") -> tuple[date, date]:
    choices = [*PRESETS, "custom"]
    labels = {**{days: t("period.last_days", days=days) for days in PRESETS}, "custom": t("period.custom")}
    choice = st.segmented_control(t("period.label"), choices, format_func=labels.get, default=30, key=f"{key}_preset")
    if choice == "custom":
        picked = st.date_input(t("period.range"), value=(max(first, last - timedelta(days=29)), last),
                               min_value=first, max_value=last, key=f"{key}_range")
        if isinstance(picked, tuple) and len(picked) == 2:
            return picked
        return picked[0], picked[0]
    days = choice or 30
    start = max(first, last - timedelta(days=days - 1))
    st.caption(t("period.showing", start=start, end=last))
    return start, last
