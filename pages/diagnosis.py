"""Diagnosis: what is healthy, what is broken, how badly, and what to do first, for one period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts import diagnosis as charts

from core.diagnosis import funnel

from core.diagnosis import health

from core.diagnosis import kpi

from core.diagnosis import report

from core.diagnosis import traffic
from core.diagnosis.service import Diagnosis, diagnose
from core.platform.workspace import Workspace
from pages.components import data_status, health_editor, period_picker
from pages.components.state import guard, lang, t


@st.cache_data(show_spinner=False)
def _diagnose(path: str, data_version: int, start, end) -> Diagnosis:
    return diagnose(Workspace(path), start, end)


def _kpis(result: Diagnosis) -> None:
    st.subheader(t("diagnosis.kpis"))
    now, before = result.current, result.before

    def delta(a, b, percent=False):
        if not b:
            return None
        return f"{(a - b) * 100:+.2f} pt" if percent else f"{(a / b - 1):+.1%}"

    columns = st.columns(5)
    columns[0].metric(t("kpi.gmv"), f"{now.gmv:,.0f}", delta(now.gmv, before.gmv))
    columns[1].metric(t("kpi.orders"), f"{now.orders:,.0f}", delta(now.orders, before.orders))
    columns[2].metric(t("kpi.uv"), f"{now.uv:,.0f}", delta(now.uv, before.uv))
    columns[3].metric(t("kpi.conversion_rate"), f"{now.conversion_rate:.2%}", delta(now.conversion_rate, before.conversion_rate, True))
    columns[4].metric(t("kpi.aov"), f"{now.aov:,.2f}", delta(now.aov, before.aov))
    st.caption(t("kpi.compared", start=before.start, end=before.end))
    if now.uv and before.uv and now.orders and before.orders:
        st.altair_chart(charts.gmv_waterfall(before.gmv, kpi.gmv_bridge(before, now), now.gmv, lang()))
        st.caption(t("kpi.bridge_help"))


def _health(workspace: Workspace, result: Diagnosis) -> None:
    st.subheader(t("diagnosis.health"))
    card = result.card
    left, right = st.columns([1, 2])
    left.metric(t("diagnosis.total_label"), f"{card.total:.2f} / 5" if card.total is not None else "–")
    left.altair_chart(charts.radar(card.dimension_scores(), lang()))
    rows = pd.DataFrame([{
        t("col.metric"): t(f"health.metric.{r.metric}"),
        t("col.dimension"): t(f"health.dimension.{r.dimension}"),
        t("col.value"): report.format_value(health.BY_KEY[r.metric].unit, r.value),
        t("col.score"): r.score,
        t("col.weight"): f"{r.effective_weight:.0%}" if r.score is not None else t("health.left_out"),
        t("col.evidence"): t(r.evidence.detail, **r.evidence.params),
    } for r in card.rows])
    right.dataframe(rows, hide_index=True)
    st.markdown("**" + t("diagnosis.problems") + "**")
    if result.problems:
        st.dataframe(pd.DataFrame([{
            t("col.priority"): p.priority, t("col.metric"): t(f"health.metric.{p.metric}"), t("col.score"): p.score,
            t("col.cause"): t(p.cause), t("col.action"): t(p.action)} for p in result.problems]), hide_index=True)
    else:
        st.success(t("diagnosis.no_problems"))
    with st.expander(t("diagnosis.edit")):
        health_editor.show(workspace, result.end.strftime("%Y-%m"))


def _funnel(workspace: Workspace, result: Diagnosis) -> None:
    st.subheader(t("diagnosis.funnel"))
    if not data_status.require(workspace, "funnel_stages"):
        return
    segments = funnel.segments(workspace)
    segment = st.selectbox(t("diagnosis.segment"), segments, key="funnel_segment") if len(segments) > 1 else None
    dated = funnel.has_dates(workspace)
    table = funnel.funnel(workspace, segment, *((result.start, result.end) if dated else (None, None)))
    st.altair_chart(charts.funnel(table, lang()))
    st.dataframe(pd.DataFrame({
        t("col.stage"): table["stage"], t("col.entered"): table["entered"], t("col.lost"): table["lost"],
        t("col.loss_rate"): table["loss_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
        t("col.conversion_from_top"): table["conversion_from_top"].map(lambda v: f"{v:.1%}"),
        t("col.cause"): [t(c) if isinstance(c, str) else "" for c in table["cause"]],
    }), hide_index=True)
    split = funnel.by_segment(workspace, *((result.start, result.end) if dated else (None, None)))
    if split["segment"].nunique() > 1:
        st.altair_chart(charts.funnel_split(split, lang()))
    if dated:
        earlier = funnel.funnel(workspace, segment, *kpi.previous(result.start, result.end))
        if not earlier.empty:
            st.markdown("**" + t("diagnosis.funnel_compare") + "**")
            st.dataframe(pd.DataFrame({
                t("col.stage"): table["stage"],
                t("col.loss_rate"): table["loss_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
                t("col.loss_rate_before"): earlier["loss_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
            }), hide_index=True)


def _traffic(workspace: Workspace, result: Diagnosis) -> None:
    st.subheader(t("diagnosis.traffic"))
    if not data_status.require(workspace, "traffic_daily"):
        return
    st.altair_chart(charts.traffic(result.daily_by_channel, result.anomalies, lang()))
    st.dataframe(pd.DataFrame({
        t("col.channel"): result.channels["channel"], t("col.uv"): result.channels["uv"],
        t("col.share"): result.channels["share_of_uv"].map(lambda v: f"{v:.1%}"),
        t("col.bounce_rate"): result.channels["bounce_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
        t("col.add_to_cart_rate"): result.channels["add_to_cart_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"),
    }), hide_index=True)
    st.altair_chart(charts.bounce(result.daily_totals, traffic.HIGH_BOUNCE, lang()))
    st.markdown("**" + t("diagnosis.anomalies", count=len(result.anomalies)) + "**")
    if result.anomalies.empty:
        st.success(t("diagnosis.no_anomalies"))
        return
    st.warning(t("diagnosis.act_within"))
    st.dataframe(pd.DataFrame({
        t("col.date"): result.anomalies["date"].astype(str).str[:10],
        t("col.channel"): result.anomalies["channel"],
        t("col.metric"): [t(f"anomaly.{m}") for m in result.anomalies["metric"]],
        t("col.value"): [f"{v:.1%}" if m == "high_bounce" else f"{v:,.0f}" for m, v in zip(result.anomalies["metric"], result.anomalies["value"])],
        t("col.baseline"): [f"{v:.0%}" if m == "high_bounce" else f"{v:,.0f}" for m, v in zip(result.anomalies["metric"], result.anomalies["baseline"])],
        t("col.action"): [t(f"anomaly.action.{m}") for m in result.anomalies["metric"]],
    }), hide_index=True)


def render(workspace: Workspace) -> None:
    st.title(t("diagnosis.title"))
    if not data_status.require(workspace, "orders"):
        return
    with guard():
        first, last = kpi.data_range(workspace)
        start, end = period_picker.show(first, last, key="diagnosis")
        result = _diagnose(str(workspace.path), workspace.data_version, start, end)
        st.download_button(
            t("diagnosis.download_report"), data=lambda: report.build_html(workspace.name, result, lang()),
            file_name=f"shoplens-diagnosis-{workspace.name}-{end}.html", mime="text/html", key="report_download",
        )
        _kpis(result)
        _health(workspace, result)
        _funnel(workspace, result)
        _traffic(workspace, result)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
