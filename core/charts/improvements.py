"""Charts of the Improvements page: each campaign's lift with its interval, and the monthly repurchase and
retention rates per customer tier."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import LEAK_COLOR, OK_COLOR
from core.platform.i18n import translate


def campaign_lift(results: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Contacted minus held-out buying rate per campaign and window, with its 95% interval; 0 drawn."""
    measured = results[results["lift"].notna()]
    label = translate("improvements.campaign.col.campaign", lang)
    window = translate("improvements.campaign.col.window", lang)
    lift = translate("improvements.campaign.col.lift", lang)
    data = pd.DataFrame({
        "campaign": [f"#{i} {translate(f'rfm.tier.{str(tier).lower()}', lang)}"
                     for i, tier in zip(measured["campaign_id"], measured["tier"])],
        "window": [translate("improvements.campaign.window_days", lang, days=int(d)) for d in measured["window_days"]],
        "lift": measured["lift"], "low": measured["lift_low"], "high": measured["lift_high"],
    })
    y = alt.Y("campaign:N", title=label)
    points = alt.Chart(data).mark_point(filled=True, size=80).encode(
        x=alt.X("lift:Q", axis=alt.Axis(format="+%"), title=lift), y=y, yOffset="window:N",
        color=alt.Color("window:N", title=window, scale=alt.Scale(range=[OK_COLOR, "#93c5fd"])),
        tooltip=[alt.Tooltip("campaign:N", title=label), alt.Tooltip("window:N", title=window),
                 alt.Tooltip("lift:Q", title=lift, format="+.1%"),
                 alt.Tooltip("low:Q", title=translate("chart.interval_low", lang), format="+.1%"),
                 alt.Tooltip("high:Q", title=translate("chart.interval_high", lang), format="+.1%")])
    bars = alt.Chart(data).mark_rule().encode(x="low:Q", x2="high:Q", y=y, yOffset="window:N",
                                              color=alt.Color("window:N", legend=None))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=LEAK_COLOR, strokeDash=[4, 4]).encode(x="x:Q")
    return alt.layer(bars, points, zero).properties(
        height=max(120, 50 * data["campaign"].nunique()), title=translate("chart.campaign_lift_title", lang))


def tier_month_rates(rates: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Each tier's monthly repurchase rate (of its customers who had bought before) as a line per tier."""
    month = translate("improvements.campaign.col.month", lang)
    rate = translate("improvements.campaign.col.repurchase_rate", lang)
    tier = translate("improvements.campaign.col.tier", lang)
    data = pd.DataFrame({"month": rates["month"].astype(str).str[:7], "rate": rates["repurchase_rate"],
                         "tier": [translate(f"rfm.tier.{str(x).lower()}", lang) for x in rates["tier"]]})
    return alt.Chart(data.dropna(subset=["rate"])).mark_line(point=True).encode(
        x=alt.X("month:O", title=month), y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title=rate),
        color=alt.Color("tier:N", title=tier),
        tooltip=[alt.Tooltip("month:O", title=month), alt.Tooltip("tier:N", title=tier),
                 alt.Tooltip("rate:Q", title=rate, format=".1%")],
    ).properties(height=240, title=translate("chart.tier_month_rates_title", lang))
