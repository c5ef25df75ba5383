"""Improvements: the register of what the shop is fixing (the playbook's PDCA table), each entry judged by
its metric before and after it started; the quarterly review; and customer campaigns measured against the
customers held out of them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.charts import improvements as charts
from core.improvements import service
from core.platform.i18n import Message
from core.platform.money import MISSING
from core.platform.workspace import Workspace
from pages.components import data_status, export_buttons, period_picker
from pages.components.state import cached, guard, in_background, lang, message_text, show_pending, t
from pages.components.tables import shop_text
from pages.components.translated_choices import translated


def _number(value, metric: str) -> str:
    """A rate as a percentage, a count as a whole number, anything else (money, ROI, AOV) to the cent."""
    if value is None or pd.isna(value):
        return MISSING
    if service.METRICS[metric].kind == "rate":
        return f"{value:.2%}"
    return f"{value:,.0f}" if metric in service.COUNT_METRICS else f"{value:,.2f}"


def _change(value) -> str:
    return MISSING if value is None or pd.isna(value) else f"{value:+.1%}"


def _verdict(row) -> str:
    if isinstance(row.missing, str):
        return t(row.missing)
    if row.p_value is None or pd.isna(row.p_value):
        return t("improvements.verdict.no_test")
    p = "< 0.001" if row.p_value < 0.001 else f"= {row.p_value:.3f}"
    if not row.significant:
        return t("improvements.verdict.not_significant", p=p)
    return t("improvements.verdict.better" if row.improved else "improvements.verdict.worse", p=p)


def _judged(workspace: Workspace, window: int) -> pd.DataFrame:
    table = service.entries(workspace)  # the owner's notes, read afresh: a save shows at once
    return service.judged(table, cached(service.compare_all, workspace, service.measured(table), window))


def _register(workspace: Workspace, judged: pd.DataFrame, window: int) -> None:
    st.subheader(t("improvements.register_title"))
    if judged.empty:
        st.info(t("improvements.empty"))
        return
    overdue = int(judged["overdue"].sum())
    if overdue:
        st.warning(t("improvements.overdue", count=overdue))
    shown = pd.DataFrame({
        "id": judged["id"], "title": judged["title"], "metric": [t(f"improvements.metric.{m}") for m in judged["metric"]],
        # blanks as empty cells, never "None"
        "detail": judged["metric_detail"].fillna(""), "priority": judged["priority"], "impact": judged["impact"],
        "urgency": judged["urgency"], "status": judged["status"], "owner": judged["owner"].fillna(""),
        "start_date": pd.to_datetime(judged["start_date"]).dt.date, "due_date": pd.to_datetime(judged["due_date"]).dt.date,
        "overdue": [t("improvements.yes") if v else "" for v in judged["overdue"]],
        "before": [_number(v, m) for v, m in zip(judged["before"], judged["metric"])],
        "after": [_number(v, m) for v, m in zip(judged["after"], judged["metric"])],
        "change": judged["change"].map(_change), "verdict": [_verdict(r) for r in judged.itertuples()],
        "key_result": judged["key_result"].fillna(""),
    })
    editable = {"status", "owner", "due_date", "impact", "urgency", "key_result"}
    config = {c: st.column_config.Column(t(f"improvements.col.{c}"), disabled=c not in editable) for c in shown.columns}
    config["status"] = st.column_config.SelectboxColumn(t("improvements.col.status"), options=list(service.STATUSES),
                                                        required=True, format_func=lambda s: t(f"improvements.status.{s}"))
    config["impact"] = st.column_config.NumberColumn(t("improvements.col.impact"), min_value=1, max_value=5, step=1)
    config["urgency"] = st.column_config.NumberColumn(t("improvements.col.urgency"), min_value=1, max_value=5, step=1)
    config["due_date"] = st.column_config.DateColumn(t("improvements.col.due_date"), format=period_picker.DATE_FORMAT)
    edited = st.data_editor(shown, hide_index=True, disabled=workspace.is_demo, key="improvements_editor",
                            column_config=config)
    st.caption(t("improvements.register_help", days=window))
    save, export = st.columns(2)
    if not workspace.is_demo and save.button(t("improvements.save"), key="improvements_save"):
        changes = edited.set_index("id")[sorted(editable)]
        table = judged.set_index("id")
        table[changes.columns] = changes  # not update(): it skips blanks, so a cleared cell was never saved
        try:
            service.save(workspace, table.reset_index())
        except Message as refused:  # a wrong value is named; the edits stay in the table to be put right
            st.error(message_text(refused))
        else:
            st.rerun()
    with export:
        export_buttons.show_export_csv(service.register_file(judged, lang()), "improvement_register.csv",
                                       key="improvements_csv")


ADDED = "improvements_added"  # session state: the entry just added, said once the register above shows it


def _new_entry(workspace: Workspace) -> None:
    added = st.session_state.pop(ADDED, None)
    if added is not None:
        st.success(t("improvements.added", id=added))
    with st.expander(t("improvements.new_title"), key="new_entry_section"):
        if workspace.is_demo:
            st.caption(t("improvements.demo_read_only"))
            return
        # every field keyed: a field's identity is then its key, not its (translated) label, so a switch of language
        # keeps what was typed (decision 0020)
        with st.form("improvements_new", clear_on_submit=True):
            title = st.text_input(t("improvements.col.title"), key="new_entry_title")
            left, right = st.columns(2)
            metric = left.selectbox(t("improvements.col.metric"), list(service.METRICS),
                                    format_func=lambda m: t(f"improvements.metric.{m}"), key=translated("new_entry_metric"))
            detail = right.text_input(t("improvements.col.detail"), help=t("improvements.detail_help"), key="new_entry_detail")
            scope = left.text_input(t("improvements.col.scope"), key="new_entry_scope")
            impact = left.slider(t("improvements.col.impact"), 1, 5, 3, key="new_entry_impact")
            urgency = right.slider(t("improvements.col.urgency"), 1, 5, 3, key="new_entry_urgency")
            owner = left.text_input(t("improvements.col.owner"), key="new_entry_owner")
            start = right.date_input(t("improvements.col.start_date"), value=date.today(), format=period_picker.DATE_FORMAT,
                                   key="new_entry_start")
            due = left.date_input(t("improvements.col.due_date"), value=None, format=period_picker.DATE_FORMAT, key="new_entry_due")
            key_result = right.text_input(t("improvements.col.key_result"), key="new_entry_key_result")
            if st.form_submit_button(t("improvements.add")):
                with guard():
                    entry = service.add(workspace, title=title, scope=scope or None, metric=metric, metric_detail=detail or None,
                                        impact=impact, urgency=urgency, owner=owner, start=start, due=due,
                                        key_result=key_result or None)
                    st.session_state[ADDED] = entry
                    st.rerun()  # the register above was drawn before the entry was added


def _review(judged: pd.DataFrame) -> None:
    st.subheader(t("improvements.review_title"))
    options = service.quarters(judged)
    if not options:
        st.caption(t("improvements.review_empty"))
        return
    quarter = st.selectbox(t("improvements.quarter"), options, key="improvements_quarter")
    found = service.review(judged, quarter)
    done, moved, not_moved, still = st.columns(4)
    done.metric(t("improvements.review.done"), f"{len(found.done):,}")
    moved.metric(t("improvements.review.moved"), f"{len(found.moved):,}")
    not_moved.metric(t("improvements.review.not_moved"), f"{len(found.not_moved):,}")
    still.metric(t("improvements.review.open"), f"{len(found.open):,}")
    for label, rows in ((t("improvements.review.moved"), found.moved), (t("improvements.review.not_moved"), found.not_moved)):
        if not rows.empty:
            st.markdown("**" + label + "**")
            st.dataframe(pd.DataFrame({
                t("improvements.col.title"): shop_text(rows["title"]),
                t("improvements.col.metric"): [t(f"improvements.metric.{m}") for m in rows["metric"]],
                t("improvements.col.change"): rows["change"].map(_change),
                t("improvements.col.status"): [t(f"improvements.status.{s}") for s in rows["status"]],
            }), hide_index=True)


def _rate(value) -> str:
    return MISSING if value is None or pd.isna(value) else f"{value:.1%}"


def _window(row) -> str:
    """30, or 10/30 (still running) while the window has not passed yet."""
    if row.window_complete:
        return f"{int(row.window_days):,}"
    seen = 0 if pd.isna(row.days_observed) else int(row.days_observed)
    return f"{seen:,}/{int(row.window_days):,} ({t('improvements.campaign.partial')})"


def _campaigns(workspace: Workspace) -> None:
    st.subheader(t("improvements.campaigns_title"))
    version = service.campaigns_version(workspace)  # a touch recorded on another page shows at once
    results = cached(service.campaign_results, workspace, version)
    if results.empty:
        st.info(t("improvements.no_campaigns"))
    else:
        st.altair_chart(charts.campaign_lift(results, lang()))
        st.dataframe(pd.DataFrame({
            t("improvements.campaign.col.campaign"): results["campaign_id"],
            t("improvements.campaign.col.tier"): [t(f"rfm.tier.{str(x).lower()}") for x in results["tier"]],
            t("improvements.campaign.col.channel"): [t(f"improvements.campaign.channel.{c}") for c in results["channel"]],
            t("improvements.campaign.col.sent_on"): [period_picker.day(pd.Timestamp(d).date()) for d in results["sent_on"]],
            t("improvements.campaign.col.window"): [_window(r) for r in results.itertuples()],
            t("improvements.campaign.col.contacted"): results["contacted"].map("{:,}".format),
            t("improvements.campaign.col.rate_contacted"): results["rate_contacted"].map(_rate),
            t("improvements.campaign.col.rate_holdout"): results["rate_holdout"].map(_rate),
            t("improvements.campaign.col.lift"): results["lift"].map(_change),
        }), hide_index=True, placeholder=MISSING)
        st.caption(t("improvements.campaigns_help"))
    kpis = cached(service.tier_kpis, workspace, version)
    if not kpis.empty:
        st.markdown("**" + t("improvements.tier_kpis_title") + "**")
        st.dataframe(pd.DataFrame({
            t("improvements.campaign.col.tier"): [t(f"rfm.tier.{str(x).lower()}") for x in kpis["tier"]],
            t("improvements.campaign.col.measured"): kpis["conversion"].map(_rate),
            t("improvements.campaign.col.target"): kpis["target"].map(_rate),
        }), hide_index=True, placeholder=MISSING)
    rates = in_background(service.tier_month_rates, workspace)  # every month's tiers: seconds on a big shop
    if rates is None:
        show_pending("improvements.tier_rates_pending")
    elif not rates.empty:
        st.altair_chart(charts.tier_month_rates(rates, lang()))
        with st.expander(t("improvements.tier_rates_table"), key="tier_rates_section"):
            st.dataframe(pd.DataFrame({
                t("improvements.campaign.col.month"): rates["month"].astype(str).str[:7],
                t("improvements.campaign.col.tier"): [t(f"rfm.tier.{str(x).lower()}") for x in rates["tier"]],
                t("improvements.campaign.col.repurchase_rate"): rates["repurchase_rate"].map(_rate),
                t("improvements.campaign.col.retention_rate"): rates["retention_rate"].map(_rate),
            }), hide_index=True, placeholder=MISSING)
            st.caption(t("improvements.tier_rates_help"))


def render(workspace: Workspace) -> None:
    st.title(t("improvements.title"))
    if not data_status.require(workspace, "orders"):
        return
    window = st.slider(t("improvements.window"), 7, 90, service.WINDOW_DAYS, 7, key="improvements_window",
                       help=t("improvements.window_help"))
    with guard():
        judged = _judged(workspace, window)
        _register(workspace, judged, window)
        _new_entry(workspace)
        _review(judged)
    with guard():
        _campaigns(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
