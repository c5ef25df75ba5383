"""Budget: which channels pay back, what a different split would bring, and the best split of a total."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.budget import allocation

from core.budget import analysis_matrix

from core.budget import channel_returns as budget

from core.budget import roles as channel_roles

from core.charts import budget as charts

from core.budget import response_curves

from core.customers import rfm
from core.platform.workspace import Workspace
from pages.components import data_status, export_buttons
from pages.components.state import guard, lang, t


@st.cache_data(show_spinner=False)
def _months(path: str, data_version: int) -> pd.DataFrame:
    return budget.channel_months(Workspace(path))


@st.cache_resource(show_spinner=False)
def _curves(path: str, data_version: int) -> dict[str, response_curves.Curve]:
    return budget.channel_curves(_months(path, data_version))


def _percent(value: float) -> str:
    return "" if value != value else f"{value:.2%}"


def _roi(months: pd.DataFrame) -> list[str]:
    st.subheader(t("budget.roi"))
    pivot = months.pivot(index="channel", columns="month", values="roi")
    pivot.columns = [str(c)[:7] for c in pivot.columns]
    pivot.index.name = t("col.channel")
    st.dataframe(pivot.style.format("{:.2f}").map(lambda v: "color: #dc2626" if v == v and v < 1 else ""))
    drops = budget.drop_candidates(months)
    for channel in drops:
        st.warning(t("budget.drop", channel=channel))
    latest = months.sort_values("month").groupby("channel").tail(1)
    table = {
        t("col.channel"): latest["channel"], t("budget.col.spend"): latest["spend"].round(0),
        t("budget.col.revenue"): latest["attributed_revenue"].round(0), t("budget.col.roi"): latest["roi"].round(2),
        t("budget.col.clicks"): latest["clicks"], t("budget.col.conversion"): latest["conversion_rate"].map(_percent),
        t("budget.col.cpc"): latest["cpc"].round(2), t("budget.col.cpa"): latest["cpa"].round(1),
    }
    if latest["site_uv"].notna().any() or latest["shop_orders"].notna().any():  # the shop's own traffic and orders
        table |= {t("budget.col.site_uv"): latest["site_uv"], t("budget.col.shop_orders"): latest["shop_orders"],
                  t("budget.col.site_conversion"): latest["site_conversion_rate"].map(_percent)}
    table[t("budget.col.action")] = [t(budget.suggested_action(roi, channel in drops)) for channel, roi in zip(latest["channel"], latest["roi"])]
    st.dataframe(pd.DataFrame(table), hide_index=True)
    st.caption(t("budget.latest_month", month=str(latest["month"].max())[:7]))
    return drops


def _curves_section(months: pd.DataFrame, curves: dict[str, response_curves.Curve]) -> None:
    st.subheader(t("budget.curves"))
    columns = st.columns(2)
    for index, (channel, curve) in enumerate(curves.items()):
        with columns[index % 2]:
            st.altair_chart(charts.response_curve(months[months["channel"] == channel], curve, channel, lang()))
            st.caption(t("budget.fit", kind=curve.kind, r2=f"{curve.r2:.2f}", points=curve.n_points)
                       + (" " + t("budget.few_points", points=curve.n_points) if curve.too_few_points else ""))
            if curve.is_poor_fit:
                st.warning(t("budget.poor_fit", channel=channel, r2=f"{curve.r2:.2f}"))


def _roles(workspace: Workspace, channels: list[str]) -> dict[str, str]:
    """A role per channel, guessed from its name; the owner corrects it here and saves it."""
    saved = channel_roles.load_roles(workspace, channels)
    labels = {role: t(f"budget.role.{role}") for role in channel_roles.ROLES}
    with st.expander(t("budget.roles")):
        columns = st.columns(min(len(channels), 5))
        roles = {channel: columns[index % len(columns)].selectbox(
                     channel, channel_roles.ROLES, index=channel_roles.ROLES.index(saved[channel]), format_func=labels.get, key=f"role_{channel}")
                 for index, channel in enumerate(channels)}
        if workspace.is_demo:
            st.caption(t("budget.roles_demo"))
        elif roles != saved and st.button(t("budget.save_roles"), key="save_roles"):
            channel_roles.save_roles(workspace, roles)
            st.success(t("budget.roles_saved"))
    return roles


def _key(name: str, months_ahead: int) -> str:
    """Amounts are per horizon: a month and a quarter each keep their own totals, sliders and limits."""
    return f"{name}_{months_ahead}m"


def _set_sliders(values: dict[str, float], months_ahead: int) -> None:
    for channel, value in values.items():
        st.session_state[_key(f"slider_{channel}", months_ahead)] = float(round(value))


def _delta(change: float, digits: int = 0) -> str | None:
    """A metric's change, or none when it rounds to nothing (no '-0')."""
    return None if round(change, digits) == 0 else f"{change:+,.{digits}f}"


def _horizon() -> int:
    """How many months the plan covers: the curves are monthly, a quarter is three months of the same split."""
    return st.radio(t("budget.horizon"), (1, 3), format_func={m: t(f"budget.horizon.{m}") for m in (1, 3)}.get,
                    horizontal=True, key="budget_horizon")


@st.fragment
def _what_if(curves: dict[str, response_curves.Curve], current: dict[str, float], roles: dict[str, str],
             per_order: dict[str, float], months_ahead: int) -> None:
    st.subheader(t("budget.what_if"))
    base = st.number_input(t("budget.base"), min_value=0.0, value=0.0, step=1000.0, key="budget_base")
    total = st.number_input(t("budget.total"), min_value=1.0, value=round(float(sum(current.values())), 2), step=1000.0, key=_key("budget_total", months_ahead))
    hold = st.toggle(t("budget.hold_total"), value=True, key="budget_hold")
    split = channel_roles.default_split(roles, current)
    left, right = st.columns(2)
    left.button(t("budget.use_playbook"), key="use_playbook", on_click=_set_sliders,
                args=({c: s * total for c, s in split.items()}, months_ahead))
    right.button(t("budget.use_current"), key="use_current", on_click=_set_sliders, args=(current, months_ahead))
    st.caption(t("budget.default_split", split=", ".join(f"{c} {s:.0%}" for c, s in split.items())))
    proposed = {}
    columns = st.columns(len(curves))
    for column, channel in zip(columns, curves):
        key = _key(f"slider_{channel}", months_ahead)  # state set before the slider exists, so a button can move it; kept within 0..total
        st.session_state[key] = min(float(st.session_state.get(key, current.get(channel, 0.0))), float(total))
        proposed[channel] = column.slider(channel, 0.0, float(total), step=float(max(1, round(total / 200))), key=key)
    if hold and sum(proposed.values()) > 0:
        scale = total / sum(proposed.values())
        proposed = {c: v * scale for c, v in proposed.items()}
        st.caption(t("budget.scaled", total=f"{total:,.0f}"))
    table = allocation.compare(curves, current, proposed, per_order, test_channels=channel_roles.capped_channels(roles))
    for row in table.itertuples():
        if row.is_outside_history:
            curve = curves[row.channel]
            st.caption(t("budget.outside", channel=row.channel, low=f"{curve.min_spend:,.0f}", high=f"{curve.max_spend:,.0f}"))
        if row.is_over_test_cap:
            st.warning(t("budget.test_cap", channel=row.channel))
    shown = pd.DataFrame({
        t("col.channel"): table["channel"], t("budget.col.current"): table["current_spend"].round(0),
        t("budget.col.proposed"): table["proposed_spend"].round(0), t("budget.col.revenue_now"): table["revenue_now"].round(0),
        t("budget.col.revenue_new"): table["revenue_new"].round(0), t("budget.col.roi_new"): table["roi_new"].round(2),
        t("budget.col.orders_now"): table["orders_now"].round(0), t("budget.col.orders_new"): table["orders_new"].round(0),
    })
    st.dataframe(shown, hide_index=True)
    st.altair_chart(charts.what_if(table["channel"], table["revenue_now"], table["revenue_new"], lang()))
    now_rev, new_rev = table["revenue_now"].sum(), table["revenue_new"].sum()
    now_roi, new_roi = now_rev / max(sum(current.values()), 1), new_rev / max(sum(proposed.values()), 1)
    left, middle, right = st.columns(3)
    left.metric(t("budget.predicted"), f"{new_rev:,.0f}", _delta(new_rev - now_rev))
    middle.metric(t("budget.predicted_roi"), f"{new_roi:.2f}", _delta(new_roi - now_roi, 2))
    if table["orders_new"].notna().any():  # a sum over the channels whose revenue per order is known
        now_orders, new_orders = table["orders_now"].sum(), table["orders_new"].sum()
        right.metric(t("budget.predicted_orders"), f"{new_orders:,.0f}", _delta(new_orders - now_orders))
    if table["orders_new"].isna().any():
        st.caption(t("budget.no_orders_data"))
    st.caption(t("budget.period_total", base=f"{base:,.0f}", campaign=f"{sum(proposed.values()):,.0f}",
                 total=f"{base + sum(proposed.values()):,.0f}"))
    base_row = pd.DataFrame({t("col.channel"): [t("budget.col.base")], t("budget.col.current"): [round(base)],
                             t("budget.col.proposed"): [round(base)]})
    export_buttons.show_export_csv(pd.concat([shown, base_row], ignore_index=True), "budget_plan.csv", key="budget_plan_csv")


def _limits(channels: list[str], months_ahead: int) -> dict[str, tuple[float | None, float | None]]:
    """Per-channel minimum and maximum for the optimizer; an empty cell is no limit."""
    empty = [float("nan")] * len(channels)
    edited = st.data_editor(
        pd.DataFrame({"channel": channels, "minimum": empty, "maximum": empty}), hide_index=True, key=_key("opt_limits", months_ahead),
        column_config={"channel": st.column_config.TextColumn(t("col.channel"), disabled=True),
                       "minimum": st.column_config.NumberColumn(t("budget.col.minimum"), min_value=0.0, format="%.0f"),
                       "maximum": st.column_config.NumberColumn(t("budget.col.maximum"), min_value=0.0, format="%.0f")})
    return {row.channel: (None if pd.isna(row.minimum) else float(row.minimum), None if pd.isna(row.maximum) else float(row.maximum))
            for row in edited.itertuples()}


@st.fragment
def _optimizer(curves: dict[str, response_curves.Curve], current: dict[str, float], roles: dict[str, str], months_ahead: int) -> None:
    st.subheader(t("budget.optimizer"))
    total = st.number_input(t("budget.optimise_total"), min_value=1.0, value=round(float(sum(current.values())), 2), step=1000.0, key=_key("opt_total", months_ahead))
    with st.expander(t("budget.limits")):
        bounds = _limits(list(curves), months_ahead)
    test_channels = channel_roles.capped_channels(roles)
    with guard():  # limits no split can meet are the owner's to fix; the rest of the page still shows
        best = allocation.optimise(curves, total, bounds, test_channels=test_channels)
        st.dataframe(pd.DataFrame({
            t("col.channel"): list(best), t("budget.col.proposed"): [round(v) for v in best.values()],
            t("budget.col.revenue_new"): [round(float(curves[c].predict(v))) for c, v in best.items()],
            t("budget.col.marginal"): [f"{float(curves[c].marginal(v)):.2f}" for c, v in best.items()],
        }), hide_index=True)
        scaled = allocation.todays_split_at(current, total, curves)
        best_revenue = allocation.predicted_revenue(curves, best)
        st.metric(t("budget.predicted"), f"{best_revenue:,.0f}", _delta(best_revenue - allocation.predicted_revenue(curves, scaled)))
        for move in allocation.suggestions(scaled, best, curves):
            st.write("• " + t("budget.move", amount=f"{move.amount:,.0f}", source=move.from_channel, target=move.to_channel,
                              gain=f"{move.revenue_gain:+,.0f}"))
        with st.expander(t("budget.targets")):
            target = st.number_input(t("budget.revenue_target"), min_value=1.0, value=float(round(best_revenue * 1.1)), step=1000.0,
                                     key=_key("target_revenue", months_ahead))
            plan = allocation.min_total_for_revenue(curves, target, bounds, test_channels=test_channels)
            st.write(t("budget.min_total", total=f"{plan.total:,.0f}", roi=f"{plan.roi:.2f}") if plan else t("budget.unreachable"))
            roi_target = st.number_input(t("budget.roi_target"), min_value=0.1, value=3.0, step=0.1, key="target_roi")
            plan = allocation.split_for_roi(curves, roi_target, bounds, test_channels=test_channels)
            st.write(t("budget.roi_total", total=f"{plan.total:,.0f}", revenue=f"{plan.revenue:,.0f}") if plan else t("budget.unreachable"))
    st.caption(t("budget.future_note", period=t(f"budget.period.{months_ahead}")))


@st.cache_data(show_spinner=False)
def _analysis_matrix(path: str, data_version: int, by_tier: bool) -> pd.DataFrame:
    return analysis_matrix.analysis_matrix(Workspace(path), by_tier=by_tier)


def _matrix(workspace: Workspace) -> None:
    st.subheader(t("budget.matrix"))
    by_tier = st.toggle(t("budget.by_tier"), value=False, key="matrix_by_tier")
    matrix = _analysis_matrix(str(workspace.path), workspace.data_version, by_tier)
    if matrix.empty:
        st.info(t("budget.no_matrix"))
        return
    if not by_tier:
        st.altair_chart(charts.matrix_heatmap(matrix, lang()))
    table = {t("budget.col.category"): matrix["category"], t("col.channel"): matrix["channel"]}
    if by_tier:
        names = {tier: t(f"rfm.tier.{tier.lower()}") for tier in rfm.TIERS} | {"New": t("budget.tier_new")}
        table[t("budget.col.tier")] = matrix["customer_tier"].map(names)
        st.caption(t("budget.by_tier_note"))
    table |= {
        t("budget.col.share_gmv"): matrix["share_of_gmv"].map("{:.1%}".format),
        t("budget.col.growth"): matrix["growth"].map(lambda v: "" if v != v else f"{v:+.0%}"),
        t("budget.col.roi"): matrix["roi"].round(2), t("budget.col.stars"): ["★" * s for s in matrix["stars"]],
        t("budget.col.action"): [t(a) for a in matrix["action"]],
    }
    st.dataframe(pd.DataFrame(table), hide_index=True)


def render(workspace: Workspace) -> None:
    st.title(t("budget.title"))
    if not data_status.require(workspace, "marketing_spend"):
        return
    with guard():
        months = _months(str(workspace.path), workspace.data_version)
        curves = _curves(str(workspace.path), workspace.data_version)
        current = budget.last_month_spend(months)
        _roi(months)
        roles = _roles(workspace, list(curves))
        _curves_section(months, curves)
        months_ahead = _horizon()
        period_curves, period_spend = budget.over_period(curves, current, months_ahead)
        _what_if(period_curves, period_spend, roles, budget.revenue_per_order(months), months_ahead)
        _optimizer(period_curves, period_spend, roles, months_ahead)
        _matrix(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
