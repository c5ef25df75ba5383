"""Sales: what the orders alone tell an owner, for a period against the one before, over time, by product
and by the month customers first ordered. The page an orders-only shop lands on."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts import sales as charts
from core.platform.money import MISSING, money
from core.platform.workspace import Workspace
from core.sales import service
from pages.components import data_status, period_picker
from pages.components.state import ahead, cached, guard, in_background, lang, show_pending, t
from pages.components.tables import shop_text

FIGURES_PER_ROW = 4
GRAIN_KEY, SUGGESTED_KEY = "sales_grain", "sales_grain_suggested"


def _growth(value) -> str:
    return t("sales.new_seller") if pd.isna(value) else f"{value:+.1%}"


def _figures(result: service.Overview) -> None:
    figures = result.figures
    for row in range(0, len(figures), FIGURES_PER_ROW):
        for column, figure in zip(st.columns(FIGURES_PER_ROW), figures[row:row + FIGURES_PER_ROW]):
            column.metric(t(f"sales.figure.{figure.key}"), service.shown_value(figure, result.currency), service.shown_change(figure, lang()),
                          delta_color="inverse" if figure.lower_is_better else "normal",
                          help=t(figure.missing) if figure.missing else None)
    st.caption(t("sales.compared", start=period_picker.day(result.previous_start), end=period_picker.day(result.previous_end)))
    if not result.previous_covered:
        st.caption(t("sales.previous_partial"))
    if result.missing:
        st.caption(t("sales.no_figure", items="; ".join(
            t("sales.no_figure_item", figures=", ".join(t(f"sales.figure.{key}") for key in keys), reason=t(reason))
            for reason, keys in result.missing)))


@st.fragment
def _over_time(workspace: Workspace, result: service.Overview) -> None:
    """Its grain drives this section alone: a change reruns it, not the page."""
    with guard():
        _sales_over_time(workspace, result)


def _sales_over_time(workspace: Workspace, result: service.Overview) -> None:
    st.subheader(t("sales.over_time"))
    suggested = service.suggested_grain(result.start, result.end)
    if st.session_state.get(SUGGESTED_KEY) != suggested:  # a period of another length starts at its own grain
        st.session_state[SUGGESTED_KEY] = st.session_state[GRAIN_KEY] = suggested
    by = st.segmented_control(t("sales.by"), service.GRAINS, format_func=lambda g: t(f"sales.by.{g}"), key=GRAIN_KEY) or suggested
    found = cached(service.sales, workspace, by, result.start, result.end)
    st.altair_chart(charts.sales_over_time(found.periods, by, found.currency, lang()))
    st.altair_chart(charts.new_and_returning(found.periods, by, lang()))
    st.caption(t("sales.new_returning_help"))


def _top_sellers(result: service.Overview) -> None:
    st.subheader(t("sales.top_sellers"))
    left, right = st.columns(2)
    with left:
        st.markdown("**" + t("sales.top_products") + "**")
        products = result.top_products
        if result.products_missing:
            st.info(t(result.products_missing))
        else:
            st.dataframe(pd.DataFrame({
                t("sales.col.product"): shop_text(products["product_name"]), t("sales.col.sku"): shop_text(products["sku"]),
                t("sales.col.units"): products["units"].map("{:,.0f}".format),
                t("sales.col.sales"): [money(v, result.currency, 0) for v in products["sales"]],
                t("sales.col.sales_before"): [money(v, result.currency, 0) for v in products["sales_before"]],
                t("sales.col.growth"): products["sales_growth"].map(_growth),
            }), hide_index=True, placeholder=MISSING)
    with right:
        st.markdown("**" + t("sales.top_categories") + "**")
        categories = result.top_categories
        if result.categories_missing:
            st.info(t(result.categories_missing))
        else:
            st.dataframe(pd.DataFrame({
                t("sales.col.category"): shop_text(categories["category"]),
                t("sales.col.units"): categories["units"].map("{:,.0f}".format),
                t("sales.col.sales"): [money(v, result.currency, 0) for v in categories["sales"]],
                t("sales.col.sales_before"): [money(v, result.currency, 0) for v in categories["sales_before"]],
                t("sales.col.growth"): categories["sales_growth"].map(_growth),
            }), hide_index=True, placeholder=MISSING)
    st.caption(t("sales.top_sellers_help"))


def _cohorts(workspace: Workspace) -> None:
    st.subheader(t("sales.cohorts"))
    found = in_background(service.cohorts, workspace)  # a pass over every customer's orders: seconds on a big shop
    if found is None:
        show_pending("sales.cohorts_pending")
        return
    if not found.cohorts:
        st.info(t("sales.no_cohorts"))
        return
    repeat = found.repeat
    share, days, customers = st.columns(3)
    share.metric(t("sales.repeat_rate"), MISSING if repeat.repeat_rate is None else f"{repeat.repeat_rate:.1%}")
    median = repeat.median_days_to_second_order
    days.metric(t("sales.median_days_to_second"), MISSING if median is None else f"{median:,.{0 if median.is_integer() else 1}f}",
                help=t("sales.missing.no_second_orders") if median is None else None)
    customers.metric(t("sales.repeat_customers"), f"{repeat.repeat_customers:,} / {repeat.customers:,}")
    st.altair_chart(charts.retention_heatmap(found.grid, lang()))
    st.caption(t("sales.retention_help"))
    st.altair_chart(charts.lifetime_value(found.grid, found.currency, lang()))
    st.caption(t("sales.lifetime_value_help"))


def render(workspace: Workspace) -> None:
    st.title(t("sales.title"))
    if not data_status.require(workspace, "orders"):
        return
    with guard():
        span = cached(service.date_range, workspace)
        start, end = period_picker.show(span, key="sales")
        result = cached(service.overview, workspace, start, end)
        _figures(result)
        if result.has_orders:
            _over_time(workspace, result)
            _top_sellers(result)
        else:
            st.info(t("sales.no_orders_in_period"))
        _cohorts(workspace)
        for other in period_picker.other_presets(span, start, end):  # the next click on a preset: ready
            ahead(service.overview, workspace, *other)
            ahead(service.sales, workspace, service.suggested_grain(*other), *other)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
