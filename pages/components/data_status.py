"""Rows and date range per dataset, cached on the workspace's data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.platform.workspace import Workspace
from pages.components.state import t


@st.cache_data(show_spinner=False)
def dataset_summary(path: str, data_version: int) -> list[dict]:
    return Workspace(path).dataset_summary()


@st.cache_data(show_spinner=False)
def _last_loaded(path: str, data_version: int) -> dict:
    return Workspace(path).last_loaded()


def last_loaded(workspace: Workspace) -> dict:
    return _last_loaded(str(workspace.path), workspace.data_version)


def summary(workspace: Workspace) -> list[dict]:
    return dataset_summary(str(workspace.path), workspace.data_version)


def summary_frame(workspace: Workspace) -> pd.DataFrame:
    rows = []
    for entry in summary(workspace):
        span = f"{entry['min_date']} – {entry['max_date']}" if entry["min_date"] else "–"
        rows.append({t("col.dataset"): t(f"dataset.{entry['name']}"), t("col.rows"): entry["rows"], t("col.dates"): span})
    return pd.DataFrame(rows)


def require(workspace: Workspace, *datasets: str) -> bool:
    """Explicit empty state: say which datasets are missing and where to add them."""
    counts = {entry["name"]: entry["rows"] for entry in summary(workspace)}
    missing = [name for name in datasets if not counts.get(name)]
    if missing:
        st.info(t("empty.needs_data", datasets=", ".join(t(f"dataset.{m}") for m in missing)))
        return False
    return True
