"""Edit what the scorecard cannot measure (load time, error rate, first response), the weights and
the score cut-offs; everything is saved in the workspace through the diagnosis service."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.diagnosis import service
from core.platform.money import MISSING
from core.platform.workspace import Workspace
from pages.components.state import t
from pages.components.translated_choices import translated

SCORES = (5, 4, 3, 2)  # the editor's cut-off columns, one per score


@st.fragment
def show(workspace: Workspace, shown: service.HealthSettings) -> None:
    """A fragment: editing reruns the editor alone; saving reruns the page (st.rerun), whose scores follow."""
    read_only = workspace.is_demo
    if read_only:
        st.caption(t("diagnosis.demo_edit_note"))
    _inputs(workspace, shown, read_only)
    _weights(workspace, shown, read_only)


def _inputs(workspace: Workspace, shown: service.HealthSettings, read_only: bool) -> None:
    typed = pd.DataFrame({
        "metric": [metric for metric, _ in shown.inputs],
        "label": [t(f"health.metric.{metric}") for metric, _ in shown.inputs],
        "value": [value for _, value in shown.inputs],
    })
    st.markdown("**" + t("diagnosis.inputs", period=shown.input_period) + "**")
    if shown.inputs_from:
        carried = t("diagnosis.list_separator").join(
            t("diagnosis.input_from_item", metric=t(f"health.metric.{metric}"), period=period or t("diagnosis.no_period"))
            for metric, period in shown.inputs_from)
        st.caption(t("diagnosis.inputs_from", items=carried, period=shown.input_period))
    edited = st.data_editor(
        typed, disabled=["metric", "label"] if not read_only else True, hide_index=True, placeholder=MISSING, key="health_inputs_editor",
        column_config={"metric": None, "label": t("col.metric"),
                       "value": st.column_config.NumberColumn(t("col.value"), min_value=0.0, format="%.4g")},
    )
    if not read_only and st.button(t("diagnosis.save_inputs"), key="save_inputs"):
        service.save_health_inputs(workspace, dict(zip(edited["metric"], edited["value"])), shown.input_period)
        st.rerun()


def _weights(workspace: Workspace, shown: service.HealthSettings, read_only: bool) -> None:
    st.markdown("**" + t("diagnosis.weights") + "**")
    labels = {name: t(f"health.preset.{name}", share="" if share is None else f"{share:.0%}") for name, share in shown.presets}
    preset = st.radio(t("diagnosis.preset"), list(labels), horizontal=True, key=translated("health_preset"),
                      format_func=labels.get, disabled=read_only)
    table = pd.DataFrame({
        "metric": [m.metric for m in shown.metrics],
        "label": [t(f"health.metric.{m.metric}") for m in shown.metrics],
        "weight": [m.weight_percent for m in shown.metrics],
        **{f"band_{points}": [m.bands[i] for m in shown.metrics] for i, points in enumerate(SCORES)},
        "direction": [t("health.lower_better" if m.lower_is_better else "health.higher_better") for m in shown.metrics],
    })
    edited = st.data_editor(
        table, hide_index=True, placeholder=MISSING, key="health_weights_editor", disabled=True if read_only else ["metric", "label", "direction"],
        column_config={
            "metric": None, "label": t("col.metric"), "direction": t("col.direction"),
            "weight": st.column_config.NumberColumn(t("col.weight_percent"), min_value=0.0, max_value=100.0),
            **{f"band_{p}": st.column_config.NumberColumn(t("col.band", score=p), format="%.4g") for p in SCORES},
        },
    )
    st.caption(t("diagnosis.bands_help"))
    if read_only:
        return
    save, apply_preset = st.columns(2)
    if save.button(t("diagnosis.save_weights"), key="save_weights"):
        rows = edited.to_dict("records")
        service.save_health_weights(workspace, {row["metric"]: row["weight"] for row in rows},
                                    {row["metric"]: [row[f"band_{p}"] for p in SCORES] for row in rows})
        st.rerun()
    if apply_preset.button(t("diagnosis.apply_preset"), key="apply_preset"):
        service.apply_health_preset(workspace, preset)
        st.rerun()
