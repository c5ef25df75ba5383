"""Customer tiers: who the customers are, how many sit in each tier, who is slipping away, and the
lists to download for each campaign."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core.charts import customers as charts

from core.customers import churn

from core.customers import clusters

from core.customers import touch_plan as playbook

from core.customers import rfm
from core.platform.i18n import translate
from core.platform.workspace import Workspace
from pages.components import data_status, export_buttons
from pages.components.state import guard, lang, t

WINDOWS = (None, 90, 180, 365)


@st.cache_data(show_spinner=False)
def _customers(path: str, data_version: int, as_of: date, window: int | None) -> pd.DataFrame:
    return rfm.customers(Workspace(path), as_of, window)


@st.cache_data(show_spinner=False)
def _movement(path: str, data_version: int, before: date, after: date, window: int | None):
    return rfm.movement(Workspace(path), before, after, window)


@st.cache_data(show_spinner=False)
def _clusters(path: str, data_version: int, as_of: date, window: int | None, k: int | None) -> clusters.ClusterResult:
    return clusters.cluster(_customers(path, data_version, as_of, window), k)


@st.cache_data(show_spinner=False)
def _churn(path: str, data_version: int, as_of: date) -> churn.ChurnModel:
    return churn.train(Workspace(path), as_of=as_of)


def _tier_label(tier: str) -> str:
    return t(f"rfm.tier.{tier.lower()}")


def _tiers(workspace: Workspace, customers: pd.DataFrame) -> None:
    shares = rfm.tier_shares(customers)
    st.subheader(t("tiers.shares"))
    left, right = st.columns([3, 2])
    left.dataframe(pd.DataFrame({
        t("col.tier"): [_tier_label(x) for x in shares["tier"]], t("col.customers"): shares["customers"],
        t("col.share"): shares["share"].map("{:.1%}".format), t("col.reference_share"): shares["reference_share"].map("{:.0%}".format),
        t("col.goal"): [t(g) for g in shares["goal"]],
    }), hide_index=True)
    right.altair_chart(charts.tier_shares(shares, lang()))
    thresholds = rfm.load_thresholds(workspace)
    with st.expander(t("tiers.rule")):
        for _, key, params in rfm.tier_rules(thresholds):
            st.write("• " + t(key, **params))
    with st.expander(t("tiers.thresholds", currency=_currency(workspace))):
        if workspace.is_demo:
            st.caption(t("tiers.demo_note"))
        edited = {}
        columns = st.columns(4)
        for index, f in enumerate(fields(rfm.Thresholds)):
            value = getattr(thresholds, f.name)
            edited[f.name] = columns[index % 4].number_input(
                t(f"field.threshold.{f.name}"), min_value=0.0 if isinstance(value, float) else 0, value=value, key=f"threshold_{f.name}")
        if not workspace.is_demo and st.button(t("tiers.save_thresholds"), key="save_thresholds"):
            rfm.save_thresholds(workspace, rfm.Thresholds(**edited))
            st.rerun()


def _currency(workspace: Workspace) -> str:
    with workspace.cursor() as cur:
        row = cur.execute("select mode(currency) from orders where currency is not null").fetchone()
    return row[0] if row and row[0] else "–"


def _segments(customers: pd.DataFrame) -> None:
    st.subheader(t("tiers.segments"))
    counts = customers.groupby("segment").agg(customers=("customer_id", "size"), monetary=("monetary", "median"),
                                              recency=("recency_days", "median")).reset_index()
    st.dataframe(pd.DataFrame({
        t("col.segment"): [t(f"rfm.segment.{s}") for s in counts["segment"]], t("col.customers"): counts["customers"],
        t("col.recency_days"): counts["recency"], t("col.monetary"): counts["monetary"].round(0),
    }).sort_values(t("col.customers"), ascending=False), hide_index=True)


def _movement_section(workspace: Workspace, as_of: date, window: int | None, first: date) -> None:
    st.subheader(t("tiers.movement"))
    before = st.date_input(t("tiers.movement_from"), value=max(first + timedelta(days=1), as_of - timedelta(days=90)),
                           min_value=first + timedelta(days=1), max_value=as_of - timedelta(days=1), key="movement_before")
    moved = _movement(str(workspace.path), workspace.data_version, before, as_of, window)
    left, right = st.columns([3, 2])
    summary = moved.summary.copy()
    summary.index = [_tier_label(i) if i in rfm.TIERS else t(f"rfm.change.{i}") for i in summary.index]
    summary.columns = [_tier_label(c) if c in rfm.TIERS else t(f"rfm.change.{c}") for c in summary.columns]
    left.dataframe(summary)
    left.caption(t("tiers.movement_help"))
    right.altair_chart(charts.tier_movement(moved.customers["change"], lang()))


def _clusters_section(workspace: Workspace, as_of: date, window: int | None) -> pd.Series | None:
    st.subheader(t("tiers.clusters"))
    options = [None, 2, 3, 4, 5, 6]
    k = st.selectbox(t("tiers.k"), options, format_func={o: (t("tiers.k_auto") if o is None else str(o)) for o in options}.get, key="cluster_k")
    result = _clusters(str(workspace.path), workspace.data_version, as_of, window, k)
    st.caption(t("tiers.k_chosen", k=result.k, score=f"{result.silhouette_score:.3f}"))
    st.dataframe(pd.DataFrame({
        t("col.cluster"): result.clusters["cluster"], t("col.customers"): result.clusters["customers"],
        t("col.share"): result.clusters["share"].map("{:.1%}".format), t("col.recency_days"): result.clusters["recency_days"],
        t("col.frequency"): result.clusters["frequency"], t("col.monetary"): result.clusters["monetary"].round(0),
        t("col.description"): [clusters.describe(row, lang()) for _, row in result.clusters.iterrows()],
    }), hide_index=True)
    if k is None:
        st.dataframe(pd.DataFrame({"k": list(result.silhouette), t("col.silhouette"): [round(v, 3) for v in result.silhouette.values()]}).T)
    return result.labels


def _churn_section(workspace: Workspace, as_of: date, customers: pd.DataFrame) -> pd.DataFrame | None:
    st.subheader(t("tiers.churn", days=90))
    try:
        model = _churn(str(workspace.path), workspace.data_version, as_of)
    except churn.ChurnError as error:
        st.info(error.text(lang()))
        return None
    left, right = st.columns(2)
    left.metric(t("tiers.churn_auc"), f"{model.auc:.3f}")
    right.metric(t("tiers.churn_baseline"), f"{model.baseline_auc:.3f}")
    st.caption(t("tiers.churn_help", cutoff=model.cutoff, days=model.horizon_days, holdout=f"{model.count_holdout:,}"))
    st.altair_chart(charts.churn_lift(model.lift, lang()))
    st.markdown("**" + t("tiers.at_risk") + "**")
    # currently active customers only: the churned tier has already gone
    risky = churn.at_risk(model, customers[customers["tier"] != "Churned"], top=50)
    st.dataframe(pd.DataFrame({
        t("col.customer"): risky["customer_id"], t("col.tier"): [_tier_label(x) for x in risky["tier"]],
        t("col.monetary"): risky["monetary"].round(0), t("col.recency_days"): risky["recency_days"],
        t("col.churn_risk"): risky["churn_risk"].map("{:.0%}".format),
    }), hide_index=True)
    return model.scores[["customer_id", "churn_risk"]]


def _plan(workspace: Workspace, customers: pd.DataFrame, years_of_data: float) -> None:
    st.subheader(t("tiers.plan"))
    plan = playbook.load_plan(workspace)
    text_columns = ["channel", "content", "schedule", "owner", "kpi"]
    frame = pd.DataFrame([asdict(touch) for touch in plan])
    for column in text_columns:
        frame[column] = [translate(v, lang()) for v in frame[column]]  # default texts are catalog keys
    labels = {"tier": t("col.tier"), "channel": t("col.channel_plan"), **{c: t(f"col.{c}") for c in text_columns[1:]},
              **{c: t(f"col.{c}") for c in ("sms_per_month", "calls_per_quarter", "offers_per_year", "discount_percent")}}
    edited = st.data_editor(frame, hide_index=True, disabled=["tier"], key="plan_editor",
                            column_config={c: st.column_config.Column(label) for c, label in labels.items()})
    edited_plan = [playbook.Touch(**row) for row in edited.to_dict("records")]
    vips = customers[customers["tier"] == "VIP"]
    orders_per_year = float(vips["frequency"].mean() / years_of_data) if not vips.empty else None
    warnings = playbook.cap_warnings(edited_plan, orders_per_year)
    for key, params in warnings:
        st.warning(t(key, **params))
    if not warnings:
        st.success(t("tiers.plan_ok"))
    if workspace.is_demo:
        st.caption(t("tiers.demo_note"))
    elif st.button(t("tiers.save_plan"), key="save_plan"):
        playbook.save_plan(workspace, edited_plan)
        st.rerun()


def _export(customers: pd.DataFrame, labels: pd.Series | None, risk: pd.DataFrame | None) -> None:
    st.subheader(t("tiers.export"))
    listing = customers.assign(cluster=labels.values if labels is not None else None)
    if risk is not None:
        listing = listing.merge(risk, on="customer_id", how="left")
    options = [None, *rfm.TIERS]
    tier = st.selectbox(t("tiers.export_tier"), options, key="export_tier",
                        format_func={o: (t("tiers.export_all") if o is None else _tier_label(o)) for o in options}.get)
    chosen = listing if tier is None else listing[listing["tier"] == tier]
    st.caption(t("tiers.customers") + f": {len(chosen):,}")
    columns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "tier", "cluster"]
    columns += ["churn_risk"] if "churn_risk" in chosen else []
    export_buttons.show_export_csv(chosen[columns], f"customers-{(tier or 'all').lower()}.csv", key="tiers_csv")


def render(workspace: Workspace) -> None:
    st.title(t("tiers.title"))
    if not data_status.require(workspace, "orders"):
        return
    with guard():
        default = rfm.default_as_of(workspace)
        first, _ = churn.order_span(workspace)
        left, right = st.columns(2)
        as_of = left.date_input(t("tiers.as_of"), value=default, min_value=first + timedelta(days=1), max_value=default, key="tiers_as_of")
        window = right.selectbox(t("tiers.window"), WINDOWS, key="tiers_window", format_func={
            w: (t("tiers.window.all") if w is None else t("tiers.window.days", days=w)) for w in WINDOWS}.get)
        customers = _customers(str(workspace.path), workspace.data_version, as_of, window)
        _tiers(workspace, customers)
        _segments(customers)
        _movement_section(workspace, as_of, window, first)
        labels = _clusters_section(workspace, as_of, window)
        risk = _churn_section(workspace, as_of, customers)
        _plan(workspace, customers, max(1.0, (as_of - first).days / 365) if window is None else window / 365)
        _export(customers, labels, risk)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
