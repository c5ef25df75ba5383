"""Diagnosis: what is healthy, what is broken, how badly, and what to do first, for one period."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core.charts import diagnosis as charts
from core.diagnosis import service
from core.improvements import service as improvements
from core.platform.money import MISSING
from core.platform.workspace import Workspace
from core.report import service as report
from pages.components import add_to_register, data_status, health_editor, period_picker
from pages.components.state import ahead, cached, guard, lang, t
from pages.components.tables import shop_text
from pages.components.translated_choices import translated

SEGMENT_KEY = "funnel_segment"
COUNT = st.column_config.NumberColumn(format="%,d")  # 12,345 in a table, as on the tiles; numbers still sort as numbers


def _percent(value) -> str:
    return MISSING if pd.isna(value) else f"{value:.1%}"


def _count(value) -> str:
    return MISSING if pd.isna(value) else f"{value:,.0f}"


def _kpis(result: service.Diagnosis) -> None:
    st.subheader(t("diagnosis.kpis"))
    per_row = service.KPIS_PER_ROW  # the playbook's GMV = UV x conversion x revenue per buyer on the first row
    for first in range(0, len(result.changes), per_row):
        for column, change in zip(st.columns(per_row), result.changes[first:first + per_row]):
            column.metric(t(f"kpi.{change.kpi}"), service.shown_value(change, result.currency), service.shown_change(change, lang()),
                          help=t(change.missing) if change.missing else None)
    missing = [t("kpi.no_figure_item", kpi=t(f"kpi.{c.kpi}"), reason=t(c.missing)) for c in result.changes if c.missing]
    if missing:
        st.caption(t("kpi.no_figure", items=t("diagnosis.list_separator").join(missing)))
    st.caption(t("kpi.compared", start=period_picker.day(result.before.start), end=period_picker.day(result.before.end)))
    if result.gmv_bridge:
        st.altair_chart(charts.gmv_waterfall(result.before.gmv, result.gmv_bridge, result.current.gmv, lang(), result.currency))
        st.caption(t("kpi.bridge_help"))
    else:
        st.info(t(result.bridge_missing))


def _health(workspace: Workspace, result: service.Diagnosis) -> None:
    st.subheader(t("diagnosis.health"))
    card = result.card
    left, right = st.columns([1, 2])
    left.metric(t("diagnosis.total_label"), f"{card.total:.2f} / 5" if card.total is not None else MISSING)
    left.caption(t("health.coverage", scored=len(card.scored), metrics=len(card.weighed), share=f"{card.coverage:.0%}"))
    if card.total is None and card.scored:
        left.caption(t("health.no_total", floor=f"{result.coverage_floor:.0%}"))
    if card.scored:
        left.altair_chart(charts.radar(card.dimension_scores(), lang()))
        # with a total, a metric's weight is its share of it; without, its share of the whole scorecard
        right.dataframe(pd.DataFrame([{
            t("col.metric"): t(f"health.metric.{r.metric}"),
            t("col.dimension"): t(f"health.dimension.{r.dimension}"),
            t("col.value"): service.format_value(r.unit, r.value),
            t("col.score"): str(r.score),
            t("col.weight"): f"{r.effective_weight if card.total is not None else r.weight:.0%}",
            t("col.evidence"): t(r.evidence.detail, **r.evidence.params),
        } for r in card.scored]), hide_index=True, placeholder=MISSING)
    else:
        right.info(t("health.nothing_scored"))
    needed = card.to_complete()  # (dataset or typed-in inputs, the metrics it would score)
    if needed:
        separator = t("diagnosis.list_separator")
        lines = [t(f"health.complete.{data}", metrics=separator.join(t(f"health.metric.{m}") for m in metrics))
                 for data, metrics in needed]
        st.markdown("**" + t("health.complete") + "**\n\n" + "\n".join(f"- {line}" for line in lines))
    st.markdown("**" + t("diagnosis.problems") + "**")
    if result.problems:
        st.dataframe(pd.DataFrame([{
            t("col.priority"): p.priority, t("col.metric"): t(f"health.metric.{p.metric}"), t("col.score"): p.score,
            t("col.cause"): t(p.cause), t("col.action"): t(p.action)} for p in result.problems]), hide_index=True, placeholder=MISSING)
        add_to_register.offer(workspace, [improvements.from_problem(p.metric, p.priority, p.score, lang())
                                          for p in result.problems], key="register_problem")
    else:
        st.success(t("diagnosis.no_problems"))
    with st.expander(t("diagnosis.edit"), key="health_edit_section"):
        health_editor.show(workspace, result.health_settings)


@st.fragment
def _funnel(workspace: Workspace, result: service.Diagnosis) -> None:
    """The segment box drives this section alone: a change reruns it and reads that segment's funnel only."""
    with guard():
        _funnel_section(workspace, result)


def _funnel_section(workspace: Workspace, result: service.Diagnosis) -> None:
    st.subheader(t("diagnosis.funnel"))
    if not data_status.require(workspace, "funnel_stages"):
        return
    chosen = service.FunnelView(result.funnel, result.funnel_before)  # the default segment's, in the diagnosis
    if len(result.segments) > 1:
        segment = st.selectbox(t("diagnosis.segment"), result.segments, key=translated(SEGMENT_KEY),
                               format_func=lambda s: t("diagnosis.all_segments") if s == "all" else s)
        if segment != result.segments[0]:
            chosen = cached(service.funnel_for, workspace, result.start, result.end, segment)
    table = chosen.funnel
    if table.empty:
        st.info(t("diagnosis.funnel_empty_period"))
        return
    st.altair_chart(charts.funnel(table, result.leak_threshold, lang()))
    st.dataframe(pd.DataFrame({
        t("col.stage"): shop_text(table["stage"]), t("col.entered"): table["entered"], t("col.lost"): table["lost"],
        t("col.loss_rate"): table["loss_rate"].map(_percent),
        t("col.conversion_from_top"): table["conversion_from_top"].map(_percent),
        t("col.cause"): [t(c) if isinstance(c, str) else "" for c in table["cause"]],
    }), hide_index=True, placeholder=MISSING, column_config={t("col.entered"): COUNT, t("col.lost"): COUNT})
    leaks = table[table["flagged"]]
    add_to_register.offer(workspace, [improvements.from_funnel_stage(r.stage, r.loss_rate) for r in leaks.itertuples()],
                          key="register_funnel")
    if not result.funnel_split.empty:
        st.altair_chart(charts.funnel_split(result.funnel_split, lang()))
    if not chosen.funnel_before.empty:
        st.markdown("**" + t("diagnosis.funnel_compare") + "**")
        st.dataframe(pd.DataFrame({
            t("col.stage"): shop_text(chosen.funnel_before["stage"]),
            t("col.loss_rate"): chosen.funnel_before["loss_rate"].map(_percent),
            t("col.loss_rate_before"): chosen.funnel_before["loss_rate_before"].map(_percent),
        }), hide_index=True, placeholder=MISSING)


def _traffic(workspace: Workspace, result: service.Diagnosis) -> None:
    st.subheader(t("diagnosis.traffic"))
    if not data_status.require(workspace, "traffic_daily"):
        return
    st.altair_chart(charts.traffic(result.daily_by_channel, result.anomalies, result.uv_drop_threshold, lang()))
    st.dataframe(pd.DataFrame({
        t("col.channel"): shop_text(result.channels["channel"]), t("col.uv"): result.channels["uv"],
        t("col.share"): result.channels["share_of_uv"].map(_percent),
        t("col.bounce_rate"): result.channels["bounce_rate"].map(_percent),
        t("col.add_to_cart_rate"): result.channels["add_to_cart_rate"].map(_percent),
    }), hide_index=True, placeholder=MISSING, column_config={t("col.uv"): COUNT})
    st.altair_chart(charts.bounce(result.daily_totals, result.bounce_threshold, lang()))
    found = result.anomalies
    st.markdown("**" + t("diagnosis.anomalies", count=len(found)) + "**")
    if found.empty:
        st.success(t("diagnosis.no_anomalies"))
        return
    st.warning(t("diagnosis.act_within"))
    high_bounce = f"{result.bounce_threshold:.0%}"
    pairs = list(zip(found["metric"], found["value"], found["baseline"]))
    rate = service.RATE_ANOMALIES
    st.dataframe(pd.DataFrame({
        t("col.date"): [period_picker.day(d) for d in found["date"]],
        t("col.channel"): shop_text(t("anomaly.all_channels") if c == service.WHOLE_DAY else c for c in found["channel"]),
        t("col.metric"): [t(f"anomaly.{m}", threshold=high_bounce) for m in found["metric"]],
        t("col.value"): [_percent(v) if m in rate else _count(v) for m, v, _ in pairs],
        t("col.baseline"): [MISSING if pd.isna(b) else f"{b:.0%}" if m in rate else _count(b) for m, _, b in pairs],
        t("col.action"): [t(f"anomaly.action.{m}") for m in found["metric"]],
    }), hide_index=True, placeholder=MISSING)
    add_to_register.offer(workspace, [
        improvements.from_anomaly(m, None if c == service.WHOLE_DAY else c, period_picker.day(d))
        for m, c, d in zip(found["metric"], found["channel"], found["date"])], key="register_anomaly")


def render(workspace: Workspace) -> None:
    st.title(t("diagnosis.title"))
    if not data_status.require(workspace, "orders"):
        return
    with guard():
        span = cached(service.date_range, workspace)
        start, end = period_picker.show(span, key="diagnosis")
        # always the default segment's funnel: the segment box reads its own funnel (the page is not worked out again)
        result = cached(service.diagnose, workspace, start, end, segment="all")
        # built only when clicked, on Streamlit's download thread: everything it needs is bound here, not read there
        st.download_button(
            t("diagnosis.download_report"), data=partial(report.shop_report, Workspace(workspace.path), start, end, lang()),
            file_name=f"shoplens-report-{workspace.name}-{end}.html", mime="text/html", key="report_download",
        )
        _kpis(result)
        _health(workspace, result)
        _funnel(workspace, result)
        _traffic(workspace, result)
        for other in period_picker.other_presets(span, start, end):  # the next click on a preset: ready
            ahead(service.diagnose, workspace, *other, segment="all")


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
