"""Charts of the A/B testing page: each variant's rate with its interval, and the running rates."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import DATE_AXIS, OK_COLOR
from core.platform.i18n import translate

ROW_STEP = 44  # pixels per variant in the rates chart


def variant_rates(rates: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Conversion rate per variant with its interval (columns variant, rate, low, high)."""
    variant, rate = translate("chart.variant", lang), translate("chart.conversion_rate", lang)
    base = alt.Chart(rates).encode(y=alt.Y("variant:N", title=variant))
    x = alt.X("low:Q", axis=alt.Axis(format=".1%"), title=rate, scale=alt.Scale(zero=False))
    whiskers = base.mark_rule(color=OK_COLOR, strokeWidth=3).encode(x=x, x2="high:Q")
    dots = base.mark_point(color="#111827", filled=True, size=90).encode(
        x="rate:Q",
        tooltip=[alt.Tooltip("variant:N", title=variant), alt.Tooltip("rate:Q", format=".2%", title=rate),
                 alt.Tooltip("low:Q", format=".2%", title=translate("chart.interval_low", lang)),
                 alt.Tooltip("high:Q", format=".2%", title=translate("chart.interval_high", lang))])
    # a step per variant (not a total height, which Streamlit's layout squeezed into one row), and the title
    # anchored at the start above the plot, so it is neither cut off nor wider than the chart
    return (whiskers + dots).properties(
        height=alt.Step(ROW_STEP), title=alt.Title(translate("chart.rates_title", lang), anchor="start", offset=8))


def cumulative_rates(daily: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Running conversion rate per variant by day: early days swing, which is why peeking misleads."""
    return alt.Chart(daily).mark_line(point=True).encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("cumulative_rate:Q", axis=alt.Axis(format=".1%"), title=translate("chart.cumulative_rate", lang),
                scale=alt.Scale(zero=False)),
        color=alt.Color("variant:N", title=translate("chart.variant", lang)),
        tooltip=[alt.Tooltip("date:T", title=translate("chart.date", lang)),
                 alt.Tooltip("variant:N", title=translate("chart.variant", lang)),
                 alt.Tooltip("cumulative_users:Q", title=translate("chart.users", lang)),
                 alt.Tooltip("cumulative_rate:Q", format=".2%", title=translate("chart.cumulative_rate", lang))],
    ).properties(height=260, title=translate("chart.cumulative_title", lang))
