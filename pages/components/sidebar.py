"""Sidebar: language, workspace picker and how fresh each dataset is."""

from __future__ import annotations

import streamlit as st

from core.data import service
from core.platform.i18n import LANGUAGES
from core.platform.paths import data_dir
from core.platform.workspace import DEMO_NAME
from pages.components import data_status
from pages.components.state import current_workspace, select_workspace, t


def show():
    with st.sidebar:
        st.selectbox(
            "Language / 语言", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang",
        )
        workspace = current_workspace()
        # file stem -> the name the owner gave it (the demo's in the interface language)
        shown = {stem: t("sidebar.demo_name") if stem == DEMO_NAME else name for stem, name in service.workspaces()}
        stems = list(shown)
        chosen = st.selectbox(
            t("sidebar.workspace"),
            options=stems,
            index=stems.index(workspace.name) if workspace.name in stems else 0,
            format_func=shown.get,
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
