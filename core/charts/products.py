"""Charts of the Products page: the ABC curve, one SKU's weekly demand with its forecast band, and the
stock plan's statuses. Every title, axis and legend goes through the catalog."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import DATE_FORMATS, LEAK_COLOR, OK_COLOR
from core.platform.i18n import translate

CLASS_COLORS = {"A": "#1d4ed8", "B": "#60a5fa", "C": "#cbd5e1"}
STATUS_COLORS = {"stockout_risk": LEAK_COLOR, "ok": OK_COLOR, "overstock": "#f59e0b"}
FORECAST_COLOR = "#f59e0b"


def abc_curve(products: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Products ranked by revenue against the cumulative share of revenue they make, coloured by class: how
    few products carry the shop."""
    ranked = products[products["revenue"] > 0].sort_values("revenue", ascending=False)
    total = float(ranked["revenue"].sum())
    data = pd.DataFrame({
        "rank": range(1, len(ranked) + 1),
        "cumulative_share": ranked["revenue"].cumsum().to_numpy() / total if total else [],
        "product": ranked["product_name"].fillna(ranked["sku"]).fillna("").to_numpy(),
        "abc_class": [translate(f"products.abc_short.{c}", lang) for c in ranked["abc_class"]],
    })
    classes = [translate(f"products.abc_short.{c}", lang) for c in CLASS_COLORS]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("rank:Q", title=translate("chart.products_rank", lang),
                scale=alt.Scale(domain=[0, max(len(data), 1)], nice=False)),  # no padding into negative ranks
        y=alt.Y("cumulative_share:Q", axis=alt.Axis(format="%"), title=translate("chart.products_cumulative", lang)),
        color=alt.Color("abc_class:N", title=None,
                        scale=alt.Scale(domain=classes, range=list(CLASS_COLORS.values()))),
        tooltip=[alt.Tooltip("product:N", title=translate("products.col.product_name", lang)),
                 alt.Tooltip("cumulative_share:Q", title=translate("chart.products_cumulative", lang), format=".1%")],
    ).properties(height=240, title=translate("chart.products_abc_title", lang))


def demand(history: pd.DataFrame, forecast: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Units sold per week, then the forecast with its 80% band, on one time axis."""
    week = translate("chart.products_week", lang)
    units = translate("chart.products_units", lang)
    sold = translate("chart.products_sold", lang)
    expected = translate("chart.products_forecast", lang)
    past = pd.DataFrame({"week_start": pd.to_datetime(history["week_start"]), "units": history["units"],
                         "series": sold})
    ahead = pd.DataFrame({"week_start": pd.to_datetime(forecast["week_start"]), "units": forecast["units"],
                          "low": forecast["low"], "high": forecast["high"], "series": expected})
    x = alt.X("week_start:T", title=week, axis=alt.Axis(format=DATE_FORMATS["week"]))
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=[sold, expected], range=[OK_COLOR, FORECAST_COLOR]))
    band = alt.Chart(ahead).mark_area(opacity=0.25, color=FORECAST_COLOR).encode(
        x=x, y=alt.Y("low:Q", title=units), y2="high:Q",
        tooltip=[alt.Tooltip("week_start:T", title=week, format=DATE_FORMATS["week"]),
                 alt.Tooltip("low:Q", title=translate("chart.products_low", lang), format=",.1f"),
                 alt.Tooltip("high:Q", title=translate("chart.products_high", lang), format=",.1f")])
    lines = alt.Chart(pd.concat([past, ahead[["week_start", "units", "series"]]], ignore_index=True)).mark_line(
        point=True).encode(
        x=x, y=alt.Y("units:Q", title=units), color=color,
        tooltip=[alt.Tooltip("week_start:T", title=week, format=DATE_FORMATS["week"]),
                 alt.Tooltip("units:Q", title=units, format=",.1f"), alt.Tooltip("series:N", title=" ")])
    return alt.layer(band, lines).properties(height=280, title=translate("chart.products_demand_title", lang))


def stock_status(counts: dict[str, int], lang: str = "en") -> alt.Chart:
    """How many SKUs are at risk of running out, fine, or holding too much."""
    names = [translate(f"products.status.{status}", lang) for status in STATUS_COLORS]
    data = pd.DataFrame({"status": names, "skus": [counts.get(status, 0) for status in STATUS_COLORS]})
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("skus:Q", title=translate("chart.products_skus", lang), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("status:N", sort=names, title=None),
        color=alt.Color("status:N", legend=None, scale=alt.Scale(domain=names, range=list(STATUS_COLORS.values()))),
        tooltip=[alt.Tooltip("status:N", title=translate("products.col.status", lang)),
                 alt.Tooltip("skus:Q", title=translate("chart.products_skus", lang), format=",")],
    ).properties(height=140, title=translate("chart.products_status_title", lang))
