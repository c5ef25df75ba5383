"""A/B testing: a verdict a marketer can defend, a plan for the next test, and the test register."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts import experiments as charts
from core.experiments import service as experiments
from core.improvements import service as improvements
from core.platform.export import neutralise
from core.platform.workspace import Workspace
from pages.components import add_to_register, export_buttons
from pages.components.state import cached, guard, lang, message_text, t, t_user
from pages.components.translated_choices import translated

VERDICT_STYLE = {"b_wins": st.success, "a_wins": st.success, "no_difference": st.info, "keep_testing": st.warning,
                 "invalid": st.error}


def _verdict(result: experiments.Result, variant: str, control: str) -> None:
    text = t_user(f"ab.verdict.{result.verdict}", b=variant, a=control)  # variant names are the shop's text
    reasons = " ".join(t_user(key, **params) for key, params in result.reasons)
    VERDICT_STYLE[result.verdict](f"**{text}** {reasons}")
    if result.due is not None:
        st.warning(t_user("ab.provisional", due=result.due))


def _numbers(result: experiments.Result, variant: str, control: str) -> None:
    lift, low, high = result.lift_points
    columns = st.columns(4)
    columns[0].metric(t_user("ab.rate", variant=control), f"{result.rate_a:.2%}", help=f"{result.conv_a:,} / {result.users_a:,}")
    columns[1].metric(t_user("ab.rate", variant=variant), f"{result.rate_b:.2%}", f"{lift:+.2f} pt",
                      help=f"{result.conv_b:,} / {result.users_b:,}")
    columns[2].metric(t("ab.confidence"), result.confidence_text, help=t("ab.p_value", p=f"{result.p_value:.4g}"))
    columns[3].metric(t_user("ab.prob_beats", b=variant, a=control), f"{result.prob_b_beats_a:.1%}")
    st.write(t("ab.lift_line", level=f"{result.required_confidence:.0%}", abs=f"{lift:+.2f}", low=f"{low:+.2f}",
               high=f"{high:+.2f}",
               rel="–" if result.rel_lift is None else f"{result.rel_lift:+.1%}",
               rel_low="–" if result.rel_ci_low is None else f"{result.rel_ci_low:+.1%}",
               rel_high="–" if result.rel_ci_high is None else f"{result.rel_ci_high:+.1%}"))
    if result.split_mismatch:
        st.caption(t("ab.srm_bad", p=f"{result.srm_p_value:.3g}", alpha=f"{experiments.SRM_ALPHA:g}"))
    else:
        st.caption(t("ab.srm_ok", p=f"{result.srm_p_value:.3g}"))


def _holm_table(experiment: experiments.Experiment) -> None:
    st.markdown("**" + t("ab.holm_title") + "**")
    st.dataframe(pd.DataFrame([{
        t("ab.col.variant"): neutralise(c.variant), t("ab.col.rate"): f"{c.result.rate_b:.2%}",
        t("ab.col.lift"): f"{c.result.lift_points[0]:+.2f} pt", t("ab.col.p"): f"{c.result.p_value:.4f}",
        t("ab.col.holm_p"): f"{c.adjusted_p:.4f}",
        t("ab.col.verdict"): t(f"ab.verdict.{c.result.verdict}", b=c.variant, a=experiment.control),
    } for c in experiment.comparisons]), hide_index=True)
    st.caption(t("ab.holm_help"))


def _from_workspace(workspace: Workspace, alpha: float):
    names = cached(experiments.experiment_names, workspace)
    if not names:
        st.info(t("ab.no_experiments"))
        return None
    name = st.selectbox(t("ab.experiment"), names, key="ab_experiment")
    experiment = cached(experiments.experiment, workspace, name, alpha)
    st.caption(t_user("ab.experiment_facts", page=experiment.page or "–", variable=experiment.variable or "–",
                 days=experiment.days, first=experiment.first_day or "–", last=experiment.last_day or "–"))
    if experiment.several:
        _holm_table(experiment)
    chosen = st.selectbox(t("ab.compare_variant"), experiment.variant_names, key="ab_variant") \
        if experiment.several else experiment.variant_names[0]
    comparison = experiment.comparison(chosen)
    _verdict(comparison.result, chosen, experiment.control)
    _numbers(comparison.result, chosen, experiment.control)
    if comparison.result.verdict == "b_wins":
        add_to_register.offer(workspace, [improvements.from_ab_winner(name, chosen)], key="register_ab")
    if comparison.revenue is not None:
        rv = comparison.revenue
        st.write(t_user("ab.rpv_line", a=experiment.control, b=chosen, rpv_a=f"{rv.rpv_a:,.2f}", rpv_b=f"{rv.rpv_b:,.2f}",
                   diff=f"{rv.diff:+,.2f}", low=f"{rv.ci_low:+,.2f}", high=f"{rv.ci_high:+,.2f}", p=f"{rv.p_value:.3g}"))
    elif experiment.has_revenue:
        st.caption(t("ab.rpv_needs_squares"))
    st.altair_chart(charts.variant_rates(experiment.rates, lang()))
    if experiment.has_daily:
        st.altair_chart(charts.cumulative_rates(experiment.daily, lang()))
        st.caption(t("ab.peeking_note"))
    if not workspace.is_demo and st.button(t("ab.add_to_log"), key="ab_add_log"):
        experiments.log_result(workspace, name, chosen, alpha, lang())
        st.toast(t("ab.logged"))
    return comparison.result


def _by_hand(alpha: float):
    columns = st.columns(5)
    users_a = columns[0].number_input(t("ab.users", group="A"), min_value=0, value=10_000, step=100, key="ab_users_a")
    conv_a = columns[1].number_input(t("ab.conversions", group="A"), min_value=0, value=300, step=10, key="ab_conv_a")
    users_b = columns[2].number_input(t("ab.users", group="B"), min_value=0, value=10_000, step=100, key="ab_users_b")
    conv_b = columns[3].number_input(t("ab.conversions", group="B"), min_value=0, value=360, step=10, key="ab_conv_b")
    days = columns[4].number_input(t("ab.days"), min_value=1, value=14, key="ab_days")
    typed = experiments.by_hand(users_a, conv_a, users_b, conv_b, days, alpha)  # pure and cheap: no cache needed
    _verdict(typed.result, "B", "A")
    _numbers(typed.result, "B", "A")
    st.altair_chart(charts.variant_rates(typed.rates, lang()))
    return typed.result


@st.fragment
def _planner_section(workspace: Workspace, baseline: float | None) -> None:
    """The planner's inputs drive it alone: a change reruns it, not the verdict above."""
    with guard():
        _planner(workspace, baseline)


def _planner(workspace: Workspace, baseline: float | None) -> None:
    st.subheader(t("ab.planner"))
    columns = st.columns(5)
    p1 = columns[0].number_input(t("ab.baseline"), min_value=0.0001, max_value=0.9999, value=round(baseline or 0.03, 4),
                                 step=0.001, format="%.4f", key="plan_baseline")
    relative = columns[1].toggle(t("ab.relative"), value=True, key="plan_relative")
    mde = columns[2].number_input(t("ab.mde_relative") if relative else t("ab.mde_absolute"), min_value=0.0001,
                                  value=0.10 if relative else 0.005, step=0.01 if relative else 0.001, format="%.4f",
                                  key=f"plan_mde_{relative}")
    alpha = columns[3].selectbox(t("ab.alpha"), [0.01, 0.05, 0.10], index=1, key="plan_alpha")
    power = columns[4].selectbox(t("ab.power"), [0.8, 0.9], key="plan_power")
    share = st.slider(t("ab.share_of_traffic"), 1, 100, 100, format="%d%%", key="plan_share") / 100
    plan = cached(experiments.plan_next_experiment, workspace, p1, mde, relative, alpha, power, share)
    left, right = st.columns(2)
    left.metric(t("ab.n_per_group"), f"{plan.n_per_group:,}")
    right.metric(t("ab.duration"), t("ab.days_value", days=plan.days) if plan.days else "–",
                 help=t("ab.duration_help", daily=f"{plan.daily_traffic:,.0f}", window=plan.traffic_window_days,
                        minimum=plan.minimum_days))
    if plan.below_minimum:
        st.caption(t("ab.min_users_note", minimum=f"{plan.minimum_users:,}"))
    with st.expander(t("ab.margin_title"), key="margin_section"):
        margin = st.number_input(t("ab.margin"), min_value=0.0001, value=0.005, step=0.001, format="%.4f", key="plan_margin")
        st.write(t("ab.margin_result", n=f"{plan.users_for_margin(margin):,}", rate=f"{p1:.2%}", margin=f"{margin:.2%}"))
        st.caption(t("ab.margin_help"))


@st.fragment
def _register_section(workspace: Workspace) -> None:
    """Editing the log reruns it alone; saving reruns the page."""
    with guard():
        _register(workspace)


def _register(workspace: Workspace) -> None:
    st.subheader(t("ab.log_title"))
    log = experiments.register(workspace)  # a small table read afresh, so a save shows at once
    labels = {c: t(f"ab.log.{c}") for c in log.columns}
    # rates and confidence as percentages (99.2%, not 0.992 or a rounded 1), sizes with thousands separators
    shown = {c: st.column_config.NumberColumn(labels[c], format="percent", min_value=0.0, max_value=1.0)
             for c in experiments.REGISTER_SHARES} | {"sample_size": st.column_config.NumberColumn(
                 labels["sample_size"], format="localized", min_value=0, step=1)}
    edited = st.data_editor(log.table, num_rows="dynamic" if not workspace.is_demo else "fixed", hide_index=True,
                            disabled=workspace.is_demo, key="ab_log_editor",
                            column_config={c: shown.get(c, st.column_config.Column(labels[c])) for c in log.columns})
    save, export = st.columns(2)
    if not workspace.is_demo and save.button(t("ab.log_save"), key="ab_log_save"):
        try:
            experiments.save_register(workspace, edited)
        except experiments.DuplicateTestId as refused:  # the edits stay in the table, to be put right
            st.error(message_text(refused))
        else:
            st.rerun()
    with export:
        export_buttons.show_export_csv(experiments.register_file(edited, lang()), "ab_test_log.csv", key="ab_log_csv")


def render(workspace: Workspace) -> None:
    st.title(t("ab.title"))
    result = None  # the planner starts from the result's baseline, when there is one
    with guard():
        alpha = st.selectbox(t("ab.alpha"), [0.01, 0.05, 0.10], index=1, key="ab_alpha")
        sources = ["workspace", "manual"]
        source = st.radio(t("ab.source"), sources, horizontal=True, key=translated("ab_source"),
                          format_func={s: t(f"ab.source.{s}") for s in sources}.get)
        result = _from_workspace(workspace, alpha) if source == "workspace" else _by_hand(alpha)
    _planner_section(workspace, result.rate_a if result is not None else None)
    _register_section(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
