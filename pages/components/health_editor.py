"""Edit what the scorecard cannot measure (load time, error rate, first response), the weights and
the score cut-offs; everything is saved in the workspace."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.diagnosis import health

from core.platform import settings
from core.platform.workspace import Workspace
from pages.components.state import t


def show(workspace: Workspace, period: str) -> None:
    read_only = workspace.is_demo
    if read_only:
        st.caption(t("diagnosis.demo_edit_note"))
    inputs = health.input_evidence(workspace)
    typed = pd.DataFrame(
        {"metric": [m.key for m in health.METRICS if m.source == "input"]}
    ).assign(
        label=lambda f: [t(f"health.metric.{k}") for k in f["metric"]],
        value=lambda f: [inputs[k].value if k in inputs else None for k in f["metric"]],
    )
    st.markdown("**" + t("diagnosis.inputs") + "**")
    edited = st.data_editor(
        typed, disabled=["metric", "label"] if not read_only else True, hide_index=True, key="health_inputs_editor",
        column_config={"metric": None, "label": t("col.metric"), "value": st.column_config.NumberColumn(t("col.value"), min_value=0.0, format="%.4g")},
    )
    if not read_only and st.button(t("diagnosis.save_inputs"), key="save_inputs"):
        health.save_inputs(workspace, dict(zip(edited["metric"], edited["value"])), period)
        st.rerun()

    st.markdown("**" + t("diagnosis.weights") + "**")
    presets = list(health.PRESETS)
    preset = st.radio(t("diagnosis.preset"), presets, horizontal=True, key="health_preset",
                      format_func={p: t(f"health.preset.{p}") for p in presets}.get, disabled=read_only)
    weights = health.saved_weights(workspace)
    thresholds = health.saved_thresholds(workspace)
    table = pd.DataFrame({
        "metric": [m.key for m in health.METRICS],
        "label": [t(f"health.metric.{m.key}") for m in health.METRICS],
        "weight": [round(weights[m.key] * 100, 1) for m in health.METRICS],
        **{f"band_{points}": [thresholds[m.key][i] for m in health.METRICS] for i, points in enumerate((5, 4, 3, 2))},
        "direction": [t("health.lower_better" if m.lower_is_better else "health.higher_better") for m in health.METRICS],
    })
    edited = st.data_editor(
        table, hide_index=True, key="health_weights_editor", disabled=True if read_only else ["metric", "label", "direction"],
        column_config={
            "metric": None, "label": t("col.metric"), "direction": t("col.direction"),
            "weight": st.column_config.NumberColumn(t("col.weight_percent"), min_value=0.0, max_value=100.0),
            **{f"band_{p}": st.column_config.NumberColumn(t("col.band", score=p), format="%.4g") for p in (5, 4, 3, 2)},
        },
    )
    st.caption(t("diagnosis.bands_help"))
    if read_only:
        return
    save, apply_preset = st.columns(2)
    if save.button(t("diagnosis.save_weights"), key="save_weights"):
        settings.put(workspace, "health.weights", {k: w / 100 for k, w in zip(edited["metric"], edited["weight"])})
        settings.put(workspace, "health.thresholds", {
            k: [float(edited.loc[i, f"band_{p}"]) for p in (5, 4, 3, 2)] for i, k in enumerate(edited["metric"])})
        st.rerun()
    if apply_preset.button(t("diagnosis.apply_preset"), key="apply_preset"):
        settings.put(workspace, "health.weights", health.preset_weights(preset))
        st.rerun()
