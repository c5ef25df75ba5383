"""Charts of the Sales page: sales over time, new against returning customers, the cohort retention
heatmap and the lifetime-value curves. Amounts are labelled with the shop's currency."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import DATE_FORMATS, OK_COLOR
from core.platform.i18n import translate
from core.platform.money import symbol

NEW_COLOR, RETURNING_COLOR = "#93c5fd", "#1d4ed8"
AXES_HEIGHT, ROW_HEIGHT = 90, 26  # pixels: the heatmap's title and axis, one cohort's row
TIME_UNITS = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth"}


def _money_title(key: str, currency: str | None, lang: str) -> str:
    mark = symbol(currency)
    title = translate(key, lang)
    return f"{title} ({mark})" if mark else title


def sales_over_time(periods: pd.DataFrame, by: str, currency: str | None, lang: str = "en") -> alt.Chart:
    """GMV per day, week or month as bars, orders and AOV in the tooltip."""
    gmv = _money_title("chart.sales_gmv", currency, lang)
    data = periods[["period", "period_start", "gmv", "orders", "aov"]]
    return alt.Chart(data).mark_bar(color=OK_COLOR).encode(
        x=alt.X("period_start:T", timeUnit=TIME_UNITS[by], title=translate(f"chart.sales_by.{by}", lang),
                axis=alt.Axis(format=DATE_FORMATS[by])),
        y=alt.Y("gmv:Q", title=gmv),
        tooltip=[alt.Tooltip("period:N", title=translate(f"chart.sales_by.{by}", lang)),
                 alt.Tooltip("gmv:Q", title=gmv, format=",.0f"),
                 alt.Tooltip("orders:Q", title=translate("chart.sales_orders", lang), format=",.0f"),
                 alt.Tooltip("aov:Q", title=_money_title("chart.sales_aov", currency, lang), format=",.2f")],
    ).properties(height=280, title=translate("chart.sales_over_time_title", lang))


def new_and_returning(periods: pd.DataFrame, by: str, lang: str = "en") -> alt.Chart:
    """Customers per period, stacked: new (first order ever in the period) under returning."""
    kinds = {"new_customers": translate("chart.sales_new", lang), "returning_customers": translate("chart.sales_returning", lang)}
    data = periods[["period", "period_start", *kinds]].melt(
        id_vars=["period", "period_start"], var_name="kind", value_name="customer_count")
    data = data.assign(kind=data["kind"].map(kinds), stack_order=data["kind"].map({"new_customers": 0, "returning_customers": 1}))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("period_start:T", timeUnit=TIME_UNITS[by], title=translate(f"chart.sales_by.{by}", lang),
                axis=alt.Axis(format=DATE_FORMATS[by])),
        y=alt.Y("customer_count:Q", stack="zero", title=translate("chart.sales_customers", lang)),
        color=alt.Color("kind:N", scale=alt.Scale(domain=list(kinds.values()), range=[NEW_COLOR, RETURNING_COLOR]), title=None),
        order=alt.Order("stack_order:Q"),
        tooltip=[alt.Tooltip("period:N", title=translate(f"chart.sales_by.{by}", lang)), alt.Tooltip("kind:N", title=" "),
                 alt.Tooltip("customer_count:Q", title=translate("chart.sales_customers", lang))],
    ).properties(height=240, title=translate("chart.sales_new_returning_title", lang))


def retention_heatmap(grid: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """One row per cohort, one column per month since the first order, shaded by the share that ordered."""
    data = grid.assign(share_label=[f"{r:.0%}" for r in grid["retention_rate"]])
    months = translate("chart.sales_months_since", lang)
    base = alt.Chart(data).encode(
        x=alt.X("months_since_first_order:O", title=months, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:O", title=translate("chart.sales_cohort", lang), sort="ascending"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("retention_rate:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format="%"), title=translate("chart.sales_retention", lang)),
        tooltip=[alt.Tooltip("cohort:O", title=translate("chart.sales_cohort", lang)),
                 alt.Tooltip("months_since_first_order:O", title=months),
                 alt.Tooltip("customers:Q", title=translate("chart.sales_cohort_size", lang)),
                 alt.Tooltip("retention_rate:Q", title=translate("chart.sales_retention", lang), format=".1%")],
    )
    labels = base.mark_text(fontSize=10).encode(
        text="share_label:N",
        color=alt.condition("datum.retention_rate > 0.5", alt.value("white"), alt.value("black")),
    )
    height = AXES_HEIGHT + ROW_HEIGHT * data["cohort"].nunique()  # the chart's height holds its title and axis too
    return (cells + labels).properties(height=height, title=translate("chart.sales_retention_title", lang))


def lifetime_value(grid: pd.DataFrame, currency: str | None, lang: str = "en") -> alt.Chart:
    """Cumulative revenue per customer by month since the first order, one line per cohort."""
    revenue = _money_title("chart.sales_revenue_per_customer", currency, lang)
    months = translate("chart.sales_months_since", lang)
    return alt.Chart(grid).mark_line(point=True).encode(
        x=alt.X("months_since_first_order:Q", title=months, axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("revenue_per_customer:Q", title=revenue),
        color=alt.Color("cohort:O", scale=alt.Scale(scheme="viridis"), legend=alt.Legend(columns=2, symbolLimit=0),
                        title=translate("chart.sales_cohort", lang)),
        tooltip=[alt.Tooltip("cohort:O", title=translate("chart.sales_cohort", lang)),
                 alt.Tooltip("months_since_first_order:Q", title=months),
                 alt.Tooltip("revenue_per_customer:Q", title=revenue, format=",.2f")],
    ).properties(height=300, title=translate("chart.sales_lifetime_value_title", lang))
