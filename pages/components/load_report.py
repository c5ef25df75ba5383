"""What a load will do: counts, cleaning notes, problems, rejected rows and a parsed preview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data import service
from core.data.service import Report
from core.platform.money import MISSING
from pages.components import export_buttons, tables
from pages.components.state import lang, message_text, t, t_user


def numbers(frame: pd.DataFrame) -> dict:
    """Every number column with thousands separators in the reader's locale (12,345.5), as on the tiles."""
    return {column: st.column_config.NumberColumn(format="localized")
            for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])}


def _labels(frame: pd.DataFrame) -> dict:
    """The parsed preview's columns under the names the mapping form shows (订单号, not order_id)."""
    return {column: t(f"field.{column}") for column in frame.columns if t(f"field.{column}") != f"field.{column}"}


def _personal(report: Report, workspace) -> None:
    """Which columns hold personal data and what the load does with each: the owner sees it before loading."""
    found = service.personal_columns(report, workspace)
    if not found:
        return
    st.markdown("**" + t("data.personal_title") + "**")
    st.dataframe(pd.DataFrame({
        t("data.col.column"): tables.shop_text([c.header for c in found]),
        t("data.col.personal_kind"): [t(f"personal.kind.{c.kind}") for c in found],
        t("data.col.personal_action"): [t(f"personal.action.{c.action}") for c in found],
    }), hide_index=True)
    st.caption(t("data.personal_help"))


def show(report: Report, workspace=None) -> None:
    st.caption(t_user("data.file_facts", file=report.file_name, type=report.file_type, encoding=report.encoding,
                 delimiter=repr(report.delimiter), order=t("data.date_order.day_first" if report.day_first else "data.date_order.month_first")))
    if report.implied_currency:
        st.caption(t_user("data.implied_currency", currency=report.implied_currency))
    total, accepted, rejected = st.columns(3)
    total.metric(t("data.rows_in_file"), f"{report.total_rows:,}")
    accepted.metric(t("data.rows_ok"), f"{report.accepted_rows:,}")
    rejected.metric(t("data.rows_rejected"), f"{report.rejected_count:,}")
    if report.cleaning:
        st.markdown("**" + t("data.cleaning") + "**")
        for note in report.cleaning:
            st.write("• " + message_text(note))
    if report.problems:
        st.markdown("**" + t("data.problems", count=report.problem_count) + "**")
        st.dataframe(pd.DataFrame({t("data.problem"): tables.shop_text([p.text(lang()) for p in report.problems])}),
                     hide_index=True, placeholder=MISSING)
        st.markdown("**" + t("data.rejected_rows") + "**")
        rejected = service.rejected_rows(report, lang()).rename(  # reasons as sentences in the user's language
            columns={"row": t("data.col.row"), "reason": t("data.col.reason")})
        shown = tables.from_file(rejected)  # the toolbar's own "Download as CSV" writes what is shown
        st.dataframe(shown, hide_index=True, placeholder=MISSING, column_config=numbers(shown))
        export_buttons.show_export_csv(rejected, f"{report.file_name}.rejected.csv", key="rejected_csv")
    if workspace is not None:
        _personal(report, workspace)
    st.markdown("**" + t("data.preview") + "**")
    sample = tables.from_file(report.sample.rename(columns=_labels(report.sample)))
    st.dataframe(sample, hide_index=True, placeholder=MISSING, column_config=numbers(sample))
