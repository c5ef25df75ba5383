"""Sidebar: language, workspace picker and how fresh each dataset is."""

from __future__ import annotations

import streamlit as st

from core.platform.i18n import LANGUAGES
from core.platform.paths import data_dir
from core.platform.workspace import list_workspaces
from pages.components import data_status
from pages.components.state import current_workspace, select_workspace, t


def show():
    with st.sidebar:
        st.selectbox(
            "Language / 语言", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang",
        )
        workspace = current_workspace()
        names = list_workspaces()
        chosen = st.selectbox(
            t("sidebar.workspace"),
            options=names,
            index=names.index(workspace.name) if workspace.name in names else 0,
            format_func={**{n: n for n in names}, "demo": t("sidebar.demo_name")}.get,
        )
        if chosen != workspace.name:
            select_workspace(data_dir() / f"{chosen}.duckdb")
            workspace = current_workspace()
        if workspace.is_demo:
            st.caption(t("sidebar.demo_note"))
        loaded = data_status.last_loaded(workspace)
        st.caption(t("sidebar.freshness", when=max(loaded.values()).strftime("%Y-%m-%d %H:%M")) if loaded else t("sidebar.no_data"))
        for entry in data_status.summary(workspace):
            if entry["rows"]:
                span = f"{entry['min_date']} – {entry['max_date']}" if entry["min_date"] else ""
                st.caption(t("sidebar.dataset_line", dataset=t(f"dataset.{entry['name']}"), rows=f"{entry['rows']:,}", span=span))
        return workspace
