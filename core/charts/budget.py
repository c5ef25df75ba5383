"""Charts of the Budget page: response curves, the what-if comparison and the analysis matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import OK_COLOR
from core.platform.i18n import translate


def response_curve(months: pd.DataFrame, curve, channel: str, lang: str = "en") -> alt.LayerChart:
    """A channel's monthly (spend, revenue) points, its fitted curve and the uncertainty band."""
    import numpy as np

    top = max(curve.max_spend * 1.6, 1.0)
    grid = np.linspace(0, top, 80)
    low, high = curve.band(grid)
    line = pd.DataFrame({"spend": grid, "revenue": curve.predict(grid), "low": low, "high": high})
    x = alt.X("spend:Q", title=translate("chart.spend", lang))
    band = alt.Chart(line).mark_area(opacity=0.2, color=OK_COLOR).encode(x=x, y="low:Q", y2="high:Q")
    fitted = alt.Chart(line).mark_line(color=OK_COLOR).encode(x=x, y=alt.Y("revenue:Q", title=translate("chart.revenue", lang)))
    points = alt.Chart(months).mark_point(color="#111827", filled=True).encode(
        x="spend:Q", y="attributed_revenue:Q", tooltip=["month:T", alt.Tooltip("spend:Q", format=",.0f"),
                                                         alt.Tooltip("attributed_revenue:Q", format=",.0f")])
    return (band + fitted + points).properties(height=220, title=channel)


def what_if(channels: pd.Series, revenue_now: pd.Series, revenue_new: pd.Series, lang: str = "en") -> alt.Chart:
    """Predicted revenue per channel for the current split beside the proposed one."""
    now, new = translate("chart.current_split", lang), translate("chart.proposed_split", lang)
    data = pd.concat([pd.DataFrame({"channel": channels, "revenue": revenue_now, "split": now}),
                      pd.DataFrame({"channel": channels, "revenue": revenue_new, "split": new})])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("channel:N", title=None), xOffset="split:N", y=alt.Y("revenue:Q", title=translate("chart.revenue", lang)),
        color=alt.Color("split:N", title=None, scale=alt.Scale(domain=[now, new], range=["#d1d5db", OK_COLOR])),
        tooltip=["channel:N", "split:N", alt.Tooltip("revenue:Q", format=",.0f")],
    ).properties(height=240, title=translate("chart.what_if_title", lang))


def matrix_heatmap(matrix: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Category x channel coloured by growth-potential stars, each cell labelled with its share of GMV:
    the darkest cells are where the next money should go."""
    data = matrix[["category", "channel", "stars", "share_of_gmv"]].assign(
        share_label=matrix["share_of_gmv"].map("{:.0%}".format))
    base = alt.Chart(data).encode(
        x=alt.X("channel:N", title=translate("chart.channel", lang), axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("category:N", title=translate("chart.category", lang)))
    cells = base.mark_rect().encode(
        color=alt.Color("stars:O", title=translate("chart.stars", lang), scale=alt.Scale(domain=[1, 2, 3, 4, 5], scheme="blues")),
        tooltip=["category:N", "channel:N", "stars:O", alt.Tooltip("share_of_gmv:Q", format=".1%")])
    labels = base.mark_text(fontSize=11).encode(
        text="share_label:N",
        color=alt.condition(alt.datum.stars >= 4, alt.value("white"), alt.value("#111827")))
    # Streamlit fits the whole chart, axes and legend included, into this height
    return (cells + labels).properties(height=120 + 40 * data["category"].nunique(),
                                       title=translate("chart.matrix_title", lang))
