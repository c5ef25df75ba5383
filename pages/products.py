"""Products and stock: which products carry the shop, which sell together, how many will sell in the coming
weeks and what to reorder. Orders alone give the first three; the stock plan needs the inventory file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts import products as charts
from core.platform.export import neutralise
from core.platform.money import MISSING, money
from core.platform.workspace import Workspace
from core.products import service
from pages.components import data_status, export_buttons, period_picker
from pages.components.state import ahead, cached, guard, lang, t, t_user
from pages.components.tables import shop_text


def _share(value) -> str:
    return MISSING if pd.isna(value) else f"{value:.1%}"


def _growth(value) -> str:
    return MISSING if pd.isna(value) else f"{value:+.1%}"


def _number(value, decimals: int = 0) -> str:
    return MISSING if pd.isna(value) else f"{value:,.{decimals}f}"


def _day(value) -> str:
    return MISSING if value is None or pd.isna(value) else period_picker.day(pd.Timestamp(value).date())


@st.fragment
def _performance_section(workspace: Workspace) -> None:
    """The period and the slow-mover days drive this section alone: a change reruns it, not the page."""
    with guard():
        span = cached(service.date_range, workspace)
        start, end = period_picker.show(span, key="products")
        _performance(workspace, start, end)
        for other in period_picker.other_presets(span, start, end):  # the next click on a preset: ready
            ahead(service.products, workspace, *other)


def _performance(workspace: Workspace, start, end) -> None:
    st.subheader(t("products.performance_title"))
    slow_days = st.number_input(t("products.slow_days"), 7, 365, service.SLOW_DAYS, step=1, key="slow_days",
                                help=t("products.slow_days_help"))
    view = cached(service.products, workspace, start, end)  # the days pick slow movers from it: no new query
    found, currency = view.performance.for_slow_days(int(slow_days)), view.currency
    if found.products.empty:
        st.info(t("products.no_products"))
        return
    classes = st.columns(3)
    for column, row in zip(classes, found.abc.itertuples()):
        column.metric(t(f"products.abc.{row.abc_class}"), t("products.abc_count", products=int(row.products)),
                      _share(row.revenue_share), delta_color="off", help=t("products.abc_help"))
    st.altair_chart(charts.abc_curve(found.products, lang()))
    shown = found.products
    st.dataframe(pd.DataFrame({
        t("products.col.product_name"): shop_text(shown["product_name"].fillna(shown["sku"])),
        t("products.col.sku"): shop_text(shown["sku"]),
        t("products.col.abc_class"): shown["abc_class"],
        t("products.col.units"): shown["units"].map(_number),
        t("products.col.revenue"): [money(v, currency, 0) for v in shown["revenue"]],
        t("products.col.revenue_share"): shown["revenue_share"].map(_share),
        t("products.col.revenue_growth"): shown["revenue_growth"].map(_growth),
        t("products.col.orders"): shown["orders"].map(_number),
        t("products.col.customers"): shown["customers"].map(_number),
        t("products.col.return_rate"): shown["return_rate"].map(_share),
    }), hide_index=True, placeholder=MISSING)
    st.caption(t("products.performance_help", start=period_picker.day(found.previous_start),
                 end=period_picker.day(found.previous_end)))
    if found.return_rate_missing:
        st.caption(t(found.return_rate_missing))
    if found.categories_missing:
        st.caption(t(found.categories_missing))
    else:
        with st.expander(t("products.categories_title"), key="categories_section"):
            cats = found.categories
            st.dataframe(pd.DataFrame({
                t("products.col.category"): shop_text(cats["category"]),
                t("products.col.units"): cats["units"].map(_number),
                t("products.col.revenue"): [money(v, currency, 0) for v in cats["revenue"]],
                t("products.col.revenue_share"): cats["revenue_share"].map(_share),
                t("products.col.revenue_growth"): cats["revenue_growth"].map(_growth),
                t("products.col.return_rate"): cats["return_rate"].map(_share),
            }), hide_index=True, placeholder=MISSING)
    _slow_and_new(found, currency)


def _slow_and_new(found, currency) -> None:
    slow, new = st.columns(2)
    with slow:
        st.markdown("**" + t("products.slow_movers.title", days=found.slow_days) + "**")
        if found.slow_movers is None:
            st.info(t(found.slow_movers_missing))
        elif found.slow_movers.empty:
            st.caption(t("products.no_slow_movers"))
        else:
            rows = found.slow_movers
            st.dataframe(pd.DataFrame({
                t("products.col.product_name"): shop_text(rows["product_name"].fillna(rows["sku"])),
                t("products.col.on_hand"): rows["stock_on_hand"].map(_number),
                t("products.col.stock_value"): [money(v, currency, 0) if pd.notna(v) else MISSING for v in rows["stock_value"]],
                t("products.col.last_sale"): rows["last_sale_date"].map(_day),
            }), hide_index=True, placeholder=MISSING)
    with new:
        st.markdown("**" + t("products.new_products.title") + "**")
        rows = found.new_products
        if rows.empty:
            st.caption(t("products.no_new_products"))
        else:
            st.dataframe(pd.DataFrame({
                t("products.col.product_name"): shop_text(rows["product_name"].fillna(rows["sku"])),
                t("products.col.first_sale"): rows["first_sale_date"].map(_day),
                t("products.col.units"): rows["units"].map(_number),
                t("products.col.revenue"): [money(v, currency, 0) for v in rows["revenue"]],
            }), hide_index=True, placeholder=MISSING)


def _rules_table(rules: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("products.col.antecedent"): shop_text(rules["antecedent_name"]),
        t("products.col.consequent"): shop_text(rules["consequent_name"]),
        t("products.col.orders_together"): rules["count_orders_together"].map(_number),
        t("products.col.support"): rules["support"].map(lambda v: f"{v:.2%}"),
        t("products.col.confidence"): rules["confidence"].map(_share),
        t("products.col.lift"): rules["lift"].map(lambda v: f"{v:,.2f}"),
    })


@st.fragment
def _bought_together(workspace: Workspace) -> None:
    with guard():
        _rules(workspace)


def _rules(workspace: Workspace) -> None:
    st.subheader(t("products.basket_title"))
    left, right = st.columns(2)
    support = left.slider(t("products.min_support"), 0.0, 5.0, service.DEFAULT_MIN_SUPPORT * 100, 0.1,
                          format="%.1f%%", key="basket_support", help=t("products.min_support_help"))
    confidence = right.slider(t("products.min_confidence"), 0, 100, round(service.DEFAULT_MIN_CONFIDENCE * 100), 5,
                              format="%d%%", key="basket_confidence", help=t("products.min_confidence_help"))
    # every rule counted once; a slider filters them (the same rules as counting with its minimums)
    found = service.rules_meeting(cached(service.every_rule, workspace), support / 100, confidence / 100)
    if found.missing:
        st.info(t_user(found.missing, **found.missing_params))
        return
    st.caption(t("products.basket_base", orders=found.orders, baskets=found.multi_product_orders,
                 rules=len(found.table)))
    if found.table.empty:
        st.info(t("products.no_rules"))
        return
    bundles = found.bundles()
    st.markdown("**" + t("products.bundles_title") + "**")
    if bundles.empty:
        st.caption(t("products.no_bundles"))
    else:
        st.dataframe(pd.DataFrame({
            t("products.col.bundle"): shop_text(bundles["product_a_name"] + " + " + bundles["product_b_name"]),
            t("products.col.orders_together"): bundles["count_orders_together"].map(_number),
            t("products.col.lift"): bundles["lift"].map(lambda v: f"{v:,.2f}"),
            t("products.col.confidence_a_to_b"): bundles["confidence_a_to_b"].map(_share),
            t("products.col.confidence_b_to_a"): bundles["confidence_b_to_a"].map(_share),
        }), hide_index=True)
    names = dict(zip(found.table["antecedent"], found.table["antecedent_name"]))
    chosen = st.selectbox(t("products.partners_of"), sorted(names, key=lambda sku: names[sku]),
                          format_func=lambda sku: names[sku] if names[sku] == sku else f"{names[sku]} ({sku})",
                          key="basket_product")
    st.dataframe(_rules_table(found.partners(chosen)), hide_index=True)
    with st.expander(t("products.all_rules", rules=len(found.table)), key="all_rules_section"):
        st.dataframe(_rules_table(found.table), hide_index=True)
    st.caption(t("products.basket_help"))


@st.fragment
def _forecast_section(workspace: Workspace) -> None:
    with guard():
        _forecast(workspace)


def _forecast(workspace: Workspace) -> None:
    st.subheader(t("products.forecast_title"))
    horizon = st.slider(t("products.horizon"), service.MIN_HORIZON, service.MAX_HORIZON, service.HORIZON,
                        key="forecast_horizon")
    # the weekly history is read once; a horizon only forecasts again from it (a few hundredths of a second)
    found = service.demand_for(workspace, cached(service.demand_history, workspace), horizon)
    result = found.forecasts
    if result.reason:
        st.info(t(result.reason))
        return
    accuracy = result.accuracy.merge(found.names, on="sku", how="left")
    tested = accuracy[accuracy["relative_error"].notna()]
    share, better, left_out = st.columns(3)
    share.metric(t("products.forecast_skus"), f"{len(accuracy):,}")
    better.metric(t("products.beats_naive"), _share((tested["relative_error"] < 1).mean()) if len(tested) else MISSING,
                  help=t("products.beats_naive_help"))
    left_out.metric(t("products.forecast_skipped"), f"{len(result.skipped):,}", help=t("products.forecast_skipped_help"))
    label = dict(zip(accuracy["sku"], accuracy["product_name"].fillna(accuracy["sku"])))
    sku = st.selectbox(t("products.forecast_sku"), _by_volume(found), key="forecast_sku",
                       format_func=lambda s: f"{label.get(s, s)} ({s})" if label.get(s, s) != s else s)
    if sku is not None:
        history, ahead = found.of(sku)
        row = accuracy[accuracy["sku"] == sku].iloc[0]
        st.altair_chart(charts.demand(history.tail(52), ahead, lang()))
        st.caption(t("products.forecast_method", method=t(f"products.forecast.method.{row['method']}"),
                     kind=t(f"products.forecast.kind.{row['kind']}")))
        st.caption(_accuracy_text(row))
    with st.expander(t("products.forecast_table"), key="forecast_table_section"):
        weekly = result.forecasts.pivot(index="sku", columns="week_start", values="units")
        weekly.columns = [period_picker.day(pd.Timestamp(c).date()) for c in weekly.columns]
        weekly = weekly.map(lambda v: f"{v:,.1f}")
        weekly.insert(0, t("products.col.method"), [t(f"products.forecast.method.{m}") for m in
                                                     accuracy.set_index("sku").loc[weekly.index, "method"]])
        weekly.insert(0, t("products.col.product_name"), shop_text(label.get(s, s) for s in weekly.index))
        st.dataframe(weekly.rename(index=neutralise).rename_axis(t("products.col.sku")).reset_index(), hide_index=True)
    st.caption(t("products.forecast_help"))


def _by_volume(found) -> list[str]:
    """Forecast SKUs, the best sellers first: the ones worth a look."""
    totals = found.history.groupby("sku")["units"].sum()
    skus = found.forecasts.accuracy["sku"]
    return sorted(skus, key=lambda s: (-totals.get(s, 0), s))


def _accuracy_text(row) -> str:
    if pd.isna(row["relative_error"]):
        return t(row["reason"]) if isinstance(row["reason"], str) else ""
    return t("products.forecast_accuracy", weeks=int(row["weeks_tested"]), mae=f"{row['mae']:,.1f}",
             naive=f"{row['naive_mae']:,.1f}", mean4=f"{row['mean4_mae']:,.1f}")


@st.fragment
def _restock_section(workspace: Workspace) -> None:
    with guard():
        _restock(workspace)


def _restock(workspace: Workspace) -> None:
    st.subheader(t("products.restock_title"))
    lead, level, over, cover = st.columns(4)
    lead_time = lead.number_input(t("products.lead_time"), 1, 365, service.LEAD_TIME_DAYS, key="restock_lead",
                                  help=t("products.lead_time_help"))
    service_level = level.slider(t("products.service_level"), 80, 99, round(service.SERVICE_LEVEL * 100), 1,
                                 format="%d%%", key="restock_level", help=t("products.service_level_help"))
    overstock = over.number_input(t("products.overstock_days"), 7, 730, service.OVERSTOCK_DAYS, key="restock_over")
    cover_days = cover.number_input(t("products.order_cover_days"), 1, 365, service.ORDER_COVER_DAYS, key="restock_cover")
    # the weekly history and the stock are read once; these inputs only change the plan worked out from them
    held = cached(service.stock, workspace)
    demand = None if held.missing else service.demand_for(workspace, cached(service.demand_history, workspace),
                                                           service.HORIZON)
    found = service.restock_from(demand, held, lead_time, service_level / 100, overstock, cover_days)
    if found.missing:
        st.info(t(found.missing))
        return
    counts = found.counts()
    st.altair_chart(charts.stock_status(counts, lang()))
    plan = found.plan
    st.dataframe(pd.DataFrame({
        t("products.col.product_name"): shop_text(plan["product_name"].fillna(plan["sku"])),
        t("products.col.sku"): shop_text(plan["sku"]),
        t("products.col.status"): [t(f"products.status.{s}") for s in plan["status"]],
        t("products.col.on_hand"): plan["on_hand"].map(_number),
        t("products.col.daily_demand"): plan["daily_demand"].map(lambda v: _number(v, 2)),
        t("products.col.days_of_cover"): plan["days_of_cover"].map(_number),
        t("products.col.lead_time_days"): [t("products.lead_time.from_file" if f else "products.lead_time.default",
                                             days=f"{d:,.0f}") for d, f in zip(plan["lead_time_days"], plan["lead_time_from_file"])],
        t("products.col.reorder_point"): plan["reorder_point"].map(_number),
        t("products.col.suggested_order"): plan["suggested_order"].map(_number),
    }), hide_index=True, placeholder=MISSING)
    st.caption(t("products.restock_help", level=service_level))
    if counts["stockout_risk"]:
        export_buttons.show_export_csv(service.supplier_file(found, lang()), "reorder_list.csv", key="reorder_csv")


def render(workspace: Workspace) -> None:
    """Four sections, each a fragment: a widget reruns its own section only (issue 16: reactions within 0.5 s)."""
    st.title(t("products.title"))
    if not data_status.require(workspace, "orders"):
        return
    _performance_section(workspace)
    _bought_together(workspace)
    _forecast_section(workspace)
    _restock_section(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
