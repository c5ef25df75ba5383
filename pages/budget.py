"""Budget: which channels pay back, what a different split would bring, and the best split of a total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.budget import service
from core.charts import budget as charts
from core.improvements import service as improvements
from core.platform.export import neutralise
from core.platform.money import MISSING, money
from core.platform.workspace import Workspace
from pages.components import add_to_register, data_status, export_buttons
from pages.components.state import cached, fragment, guard, in_background, lang, message_text, plain, show_pending, t, t_user
from pages.components.tables import shop_text
from pages.components.translated_choices import translated

LOSING_MONEY = "color: #dc2626"
CAP = f"{service.TEST_CAP:.0%}"  # the test cap as the texts quote it


def _percent(value: float | None) -> str:
    return MISSING if value is None or pd.isna(value) else f"{value:.2%}"


def _count(value: float | None) -> str:
    """A count with thousands separators, as the tiles show it; "–" where the sheet has none (NaN, or pandas'
    NA of a nullable column: a channel the shop's own orders never name)."""
    return MISSING if value is None or pd.isna(value) else f"{value:,.0f}"


def _amounts(values, currency: str | None, decimals: int = 0) -> list[str]:
    return [money(v, currency, decimals) for v in values]


def _delta(change: float | None, digits: int = 0) -> str | None:
    """A metric's change, or none when it rounds to nothing (no '-0')."""
    return None if change is None or round(change, digits) == 0 else f"{change:+,.{digits}f}"


def _roi(workspace: Workspace, overview: service.BudgetOverview) -> None:
    st.subheader(t("budget.roi", roi=f"{service.DROP_ROI:g}"))
    styles = np.where(overview.losing_money.to_numpy(), LOSING_MONEY, "")
    st.dataframe(overview.roi_by_month.rename(index=neutralise).rename_axis(t("col.channel")).style.format("{:.2f}", na_rep=MISSING)
                 .apply(lambda _: styles, axis=None))
    for channel in overview.drop_candidates:
        st.warning(t_user("budget.drop", channel=channel, roi=f"{service.DROP_ROI:g}", months=service.DROP_MONTHS))
    latest_roi = dict(zip(overview.latest["channel"], overview.latest["roi"]))
    add_to_register.offer(workspace, [improvements.from_drop_candidate(c, latest_roi.get(c, float("nan")))
                                      for c in overview.drop_candidates], key="register_drop")
    latest, currency = overview.latest, overview.currency
    table = {
        t("col.channel"): shop_text(latest["channel"]), t("budget.col.spend"): _amounts(latest["spend"], currency),
        t("budget.col.revenue"): _amounts(latest["attributed_revenue"], currency),
        t("budget.col.roi"): latest["roi"].map(lambda v: MISSING if v != v else f"{v:.2f}"),
        t("budget.col.clicks"): latest["clicks"].map(_count), t("budget.col.conversion"): latest["conversion_rate"].map(_percent),
        t("budget.col.cpc"): _amounts(latest["cpc"], currency, 2), t("budget.col.cpa"): _amounts(latest["cpa"], currency, 2),
    }
    if overview.has_shop_figures:  # the shop's own traffic and orders
        table |= {t("budget.col.site_uv"): latest["site_uv"].map(_count), t("budget.col.shop_orders"): latest["shop_orders"].map(_count),
                  t("budget.col.site_conversion"): latest["site_conversion_rate"].map(_percent)}
    table[t("budget.col.action")] = latest["action"].map(t)
    st.dataframe(pd.DataFrame(table), hide_index=True)
    st.caption(t_user("budget.latest_month", month=overview.latest_month))


def _curves_section(overview: service.BudgetOverview) -> None:
    st.subheader(t("budget.curves"))
    columns = st.columns(2)
    for index, (channel, curve) in enumerate(overview.curves.items()):
        with columns[index % 2]:
            st.altair_chart(charts.response_curve(overview.curve_points[channel], curve, channel, lang()))
            few = t("budget.few_points", points=curve.n_points, minimum=service.MIN_POINTS)
            st.caption(t("budget.fit", kind=t(f"budget.curve.{curve.kind}"), r2=f"{round(curve.r2, 2) + 0.0:.2f}", points=curve.n_points)
                       + (" " + few if curve.too_few_points else ""))
            if curve.is_poor_fit:
                st.warning(t_user("budget.poor_fit", channel=channel, r2=f"{round(curve.r2, 2) + 0.0:.2f}"))
            if curve.stopped_early:
                st.warning(t_user("budget.fit_stopped_early", channel=channel))


def _roles(workspace: Workspace, overview: service.BudgetOverview) -> dict[str, str]:
    """A role per channel, guessed from its name; the owner corrects it here and saves it."""
    channels, saved = overview.channels, overview.saved_roles
    labels = {role: t(f"budget.role.{role}", cap=CAP) for role in service.ROLES}
    with st.expander(t("budget.roles", cap=CAP), key="roles_section"):
        columns = st.columns(min(len(channels), 5))
        roles = {channel: columns[index % len(columns)].selectbox(
                     plain(channel), service.ROLES, index=service.ROLES.index(saved[channel]), format_func=labels.get,
                     key=translated(f"role_{channel}"))
                 for index, channel in enumerate(channels)}
        if workspace.is_demo:
            st.caption(t("budget.roles_demo"))
        elif roles != saved and st.button(t("budget.save_roles"), key="save_roles"):
            service.save_roles(workspace, roles)
            st.success(t("budget.roles_saved"))
    return roles


def _key(name: str, months_ahead: int) -> str:
    """Amounts are per horizon: a month and a quarter each keep their own totals, sliders and limits."""
    return f"{name}_{months_ahead}m"


def _set_sliders(values: dict[str, float], months_ahead: int) -> None:
    for channel, value in values.items():
        st.session_state[_key(f"slider_{channel}", months_ahead)] = float(round(value))


def _horizon() -> int:
    """How many months the plan covers: the curves are monthly, a quarter is three months of the same split."""
    return st.radio(t("budget.horizon"), service.HORIZONS, format_func=lambda months: t(f"budget.horizon.{months}"),
                    horizontal=True, key=translated("budget_horizon"))


def _playbook_caption(split: dict[str, float]) -> str:
    shares = {role: f"{share:.0%}" for role, share in service.ROLE_SHARES.items()}
    return t_user("budget.default_split", split=", ".join(f"{c} {s:.0%}" for c, s in split.items()), **shares)


@st.fragment
def _what_if(period: service.Period, roles: dict[str, str], currency: str | None) -> None:
    st.subheader(t("budget.what_if"))
    months_ahead = period.months_ahead
    base = st.number_input(t("budget.base"), min_value=0.0, value=0.0, step=1000.0, key="budget_base")
    total = st.number_input(t("budget.total"), min_value=1.0, value=round(period.current_total, 2), step=1000.0,
                            key=_key("budget_total", months_ahead))
    hold = st.toggle(t("budget.hold_total"), value=True, key="budget_hold")
    playbook = service.playbook(period, roles, total)
    left, right = st.columns(2)
    left.button(t("budget.use_playbook"), key="use_playbook", on_click=_set_sliders, args=(playbook.amounts, months_ahead))
    right.button(t("budget.use_current"), key="use_current", on_click=_set_sliders, args=(period.current, months_ahead))
    st.caption(_playbook_caption(playbook.shares))
    proposed = {}
    for column, channel in zip(st.columns(len(period.channels)), period.channels):
        # state set before the slider exists, so a button can move it; kept within 0..total
        key = _key(f"slider_{channel}", months_ahead)
        st.session_state[key] = min(float(st.session_state.get(key, period.current.get(channel, 0.0))), float(total))
        proposed[channel] = column.slider(plain(channel), 0.0, float(total), step=service.amount_step(total), format="localized",
                                          key=key)
    result = service.what_if(period, roles, proposed, total, hold=hold, base=base)
    if result.is_scaled:
        st.caption(t("budget.scaled", total=f"{total:,.0f}"))
    table = result.table
    for row in table.itertuples():
        if row.is_outside_history:
            st.caption(t_user("budget.outside", channel=row.channel, low=f"{row.history_low:,.0f}", high=f"{row.history_high:,.0f}"))
        if row.is_over_test_cap:
            st.warning(t_user("budget.test_cap", channel=row.channel, cap=CAP))
    # the file keeps numbers (rounded: no float noise), the screen shows them as the tiles do
    plan_file = pd.DataFrame({
        t("col.channel"): table["channel"], t("budget.col.current"): table["current_spend"].round(0),
        t("budget.col.proposed"): table["proposed_spend"].round(0), t("budget.col.revenue_now"): table["revenue_now"].round(0),
        t("budget.col.revenue_new"): table["revenue_new"].round(0), t("budget.col.roi_new"): table["roi_new"].round(2),
        t("budget.col.orders_now"): table["orders_now"].round(0), t("budget.col.orders_new"): table["orders_new"].round(0),
    })
    st.dataframe(pd.DataFrame({
        t("col.channel"): shop_text(table["channel"]), t("budget.col.current"): _amounts(table["current_spend"], currency),
        t("budget.col.proposed"): _amounts(table["proposed_spend"], currency),
        t("budget.col.revenue_now"): _amounts(table["revenue_now"], currency),
        t("budget.col.revenue_new"): _amounts(table["revenue_new"], currency),
        t("budget.col.roi_new"): table["roi_new"].map(lambda v: MISSING if v != v else f"{v:.2f}"),
        t("budget.col.orders_now"): table["orders_now"].map(_count), t("budget.col.orders_new"): table["orders_new"].map(_count),
    }), hide_index=True)
    st.altair_chart(charts.what_if(table["channel"], table["revenue_now"], table["revenue_new"], lang()))
    left, middle, right = st.columns(3)
    left.metric(t("budget.predicted"), f"{result.revenue_new:,.0f}", _delta(result.revenue_change))
    middle.metric(t("budget.predicted_roi"), f"{result.roi_new:.2f}", _delta(result.roi_change, 2))
    if result.orders_new is not None:
        right.metric(t("budget.predicted_orders"), f"{result.orders_new:,.0f}", _delta(result.orders_change))
    if result.orders_partial:
        st.caption(t("budget.no_orders_data"))
    st.caption(t("budget.period_total", base=f"{result.base:,.0f}", campaign=f"{result.campaign:,.0f}",
                 total=f"{result.period_total:,.0f}"))
    base_row = pd.DataFrame({t("col.channel"): [t("budget.col.base")], t("budget.col.current"): [round(result.base)],
                             t("budget.col.proposed"): [round(result.base)]})
    export_buttons.show_export_csv(pd.concat([plan_file, base_row], ignore_index=True), "budget_plan.csv", key="budget_plan_csv")


def _limits(channels: list[str], months_ahead: int) -> dict[str, tuple[float | None, float | None]]:
    """Per-channel minimum and maximum for the optimizer; an empty cell is no limit."""
    edited = st.data_editor(
        service.blank_limits(channels), hide_index=True, key=_key("opt_limits", months_ahead),
        column_config={"channel": st.column_config.TextColumn(t("col.channel"), disabled=True),
                       "minimum": st.column_config.NumberColumn(t("budget.col.minimum"), min_value=0.0, format="%.0f"),
                       "maximum": st.column_config.NumberColumn(t("budget.col.maximum"), min_value=0.0, format="%.0f")})
    return service.limits_from(edited)


def _guardrails(period: service.Period) -> service.Guardrails:
    """The range each channel's history supports, and the channels held at their current spend: stated, and
    adjustable, so the owner knows where the proposal can be trusted and can free it knowingly."""
    with st.expander(t("budget.guardrails"), expanded=True, key="guardrails_section"):
        keep = st.toggle(t("budget.keep_in_history"), value=True, key="opt_keep_history")
        low_factor, high_factor = service.HISTORY_LOW_FACTOR, service.HISTORY_HIGH_FACTOR
        if keep:
            left, right = st.columns(2)
            low_factor = left.number_input(t("budget.low_factor"), min_value=0.0, max_value=1.0,
                                           value=service.HISTORY_LOW_FACTOR, step=0.1, key="opt_low_factor")
            high_factor = right.number_input(t("budget.high_factor"), min_value=1.0, value=service.HISTORY_HIGH_FACTOR,
                                             step=0.1, key="opt_high_factor")
            st.caption(t("budget.range_note", low=f"{low_factor:g}", high=f"{high_factor:g}"))
        else:
            st.caption(t("budget.range_free"))
        held = st.multiselect(t("budget.held", r2=f"{service.POOR_FIT_R2:g}"), period.channels,
                              default=list(service.poor_fits(period)), key="opt_held")
    return service.Guardrails(keep_in_history=keep, low_factor=low_factor, high_factor=high_factor, held=tuple(held))


def _proposal(best: service.Optimised, currency: str | None) -> None:
    table = best.table
    cash = lambda value: money(value, currency)  # noqa: E731
    allowed = [cash(row.current_spend) if row.held else f"{cash(row.history_low)} – {cash(row.history_high)}"
               for row in table.itertuples()] if best.rails.keep_in_history else [
               cash(row.current_spend) if row.held else "–" for row in table.itertuples()]
    st.dataframe(pd.DataFrame({
        t("col.channel"): shop_text(table["channel"]), t("budget.col.proposed"): _amounts(table["proposed_spend"], currency),
        t("budget.col.allowed"): allowed, t("budget.col.held"): table["held"].map({True: "✓", False: ""}),
        t("budget.col.revenue_new"): _amounts(table["revenue_new"], currency),
        t("budget.col.revenue_band"): [f"{cash(low)} – {cash(high)}" for low, high in zip(table["revenue_low"], table["revenue_high"])],
        t("budget.col.marginal"): table["marginal_roi"].map("{:.2f}".format),
    }), hide_index=True)
    st.metric(t("budget.predicted"), f"{best.revenue:,.0f}", _delta(best.revenue_gain))
    for suggestion in best.suggestions:
        move = suggestion.move
        st.write("• " + t_user("budget.move", amount=f"{move.amount:,.0f}", source=move.from_channel, target=move.to_channel,
                          gain=f"{move.revenue_gain:+,.0f}"))
        st.caption(t_user("budget.move_band", target=move.to_channel, revenue=f"{suggestion.target_revenue:,.0f}",
                     low=f"{suggestion.target_low:,.0f}", high=f"{suggestion.target_high:,.0f}"))
        for caution in suggestion.cautions:
            st.warning(message_text(caution.message))


@st.cache_data(show_spinner=False, max_entries=64)
def _solved(how: str, period: service.Period, roles: dict[str, str], amount: float, bounds: dict, rails: service.Guardrails):
    """The optimiser's answer for these inputs, kept: a rerun that changes none of them (a slider elsewhere on
    the page, a return visit) does not solve again (0.5 s of every run on a 1M-line shop)."""
    return getattr(service, how)(period, roles, amount, bounds, rails)


@st.fragment
def _optimizer(period: service.Period, roles: dict[str, str], currency: str | None) -> None:
    st.subheader(t("budget.optimizer"))
    months_ahead = period.months_ahead
    total = st.number_input(t("budget.optimise_total"), min_value=1.0, value=round(period.current_total, 2), step=1000.0,
                            key=_key("opt_total", months_ahead))
    rails = _guardrails(period)
    with st.expander(t("budget.limits"), key="limits_section"):
        bounds = _limits(period.channels, months_ahead)
    with guard():  # limits no split can meet are the owner's to fix; the rest of the page still shows
        best = _solved("optimise", period, roles, total, bounds, rails)
        _proposal(best, currency)
        with st.expander(t("budget.targets"), key="targets_section"):
            target = st.number_input(t("budget.revenue_target"), min_value=1.0, value=best.revenue_target, step=1000.0,
                                     key=_key("target_revenue", months_ahead))
            plan = _solved("budget_for_revenue", period, roles, target, bounds, rails)
            st.write(t("budget.min_total", total=f"{plan.total:,.0f}", roi=f"{plan.roi:.2f}") if plan
                     else t("budget.unreachable"))
            roi_target = st.number_input(t("budget.roi_target"), min_value=0.1, value=service.DEFAULT_ROI_TARGET, step=0.1,
                                         key="target_roi")
            plan = _solved("budget_for_roi", period, roles, roi_target, bounds, rails)
            st.write(t("budget.roi_total", total=f"{plan.total:,.0f}", revenue=f"{plan.revenue:,.0f}") if plan
                     else t("budget.unreachable"))
    st.caption(t("budget.future_note", period=t(f"budget.period.{months_ahead}")))


@st.fragment
def _plans(overview: service.BudgetOverview, roles: dict[str, str]) -> None:
    """The horizon drives the what-if and the optimiser alone (each a fragment of its own inside this one):
    a change reruns them, not the returns, curves and matrix above and below."""
    with guard():
        period = service.plan_period(overview, _horizon())
        _what_if(period, roles, overview.currency)
        _optimizer(period, roles, overview.currency)


@fragment
def _matrix_section(workspace: Workspace) -> None:
    """Its toggle drives this section alone: a change reruns it, not the page."""
    with guard():
        _matrix(workspace)


def _matrix(workspace: Workspace) -> None:
    st.subheader(t("budget.matrix", days=service.MATRIX_DAYS))
    by_tier = st.toggle(t("budget.by_tier"), value=False, key="matrix_by_tier")
    if by_tier:  # every customer's tier at each month's start: seconds on a big shop, so worked out in the background
        matrix = in_background(service.matrix, workspace, service.MATRIX_DAYS, True)
        if matrix is None:
            show_pending("budget.matrix_pending")
            return
    else:
        matrix = cached(service.matrix, workspace, by_tier=False)
    if matrix.empty:
        st.info(t("budget.no_matrix"))
        return
    if not by_tier:
        st.altair_chart(charts.matrix_heatmap(matrix, lang()))
    table = {t("budget.col.category"): shop_text(matrix["category"]), t("col.channel"): shop_text(matrix["channel"])}
    if by_tier:
        table[t("budget.col.tier")] = matrix["tier_key"].map(t)
        st.caption(t("budget.by_tier_note"))
    table |= {
        t("budget.col.share_gmv"): matrix["share_of_gmv"].map("{:.1%}".format),
        t("budget.col.growth"): matrix["growth"].map(lambda v: MISSING if v != v else f"{v:+.0%}"),
        t("budget.col.roi"): matrix["roi"].map(lambda v: MISSING if v != v else f"{v:.2f}"),
        t("budget.col.stars"): ["★" * s for s in matrix["stars"]], t("budget.col.action"): matrix["action"].map(t),
    }
    st.dataframe(pd.DataFrame(table), hide_index=True)
    export_buttons.show_export_csv(service.matrix_file(matrix, lang()), "analysis_matrix.csv", key="matrix_csv")


def render(workspace: Workspace) -> None:
    st.title(t("budget.title"))
    if not data_status.require(workspace, "marketing_spend"):
        return
    with guard():
        overview = cached(service.overview, workspace)
        _roi(workspace, overview)
        roles = _roles(workspace, overview)
        _curves_section(overview)
        _plans(overview, roles)
    _matrix_section(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
