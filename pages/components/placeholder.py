"""Pages not built yet say so plainly and show the data they will use."""

from __future__ import annotations

import streamlit as st

from core.workspace import Workspace
from pages.components import data_status
from pages.components.state import t


def show(workspace: Workspace, title_key: str, datasets: tuple[str, ...]) -> None:
    st.title(t(title_key))
    st.info(t("page.not_built"))
    available = {e["name"]: e["rows"] for e in data_status.summary(workspace)}
    for name in datasets:
        st.write(t("page.uses_dataset", dataset=t(f"dataset.{name}"), rows=f"{available.get(name, 0):,}"))
