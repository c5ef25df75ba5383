"""Sidebar: language, workspace picker and how fresh each dataset is."""

from __future__ import annotations

import streamlit as st

from core.data import service
from core.platform import access
from core.platform.i18n import LANGUAGES
from core.platform.paths import data_dir
from core.platform.workspace import DEMO_NAME
from pages.components import data_status
from pages.components.state import current_workspace, guard, locked_workspace, mark_unlocked, select_workspace, t, t_user, visitor
from pages.components.translated_choices import relabel

WORKSPACE_KEY = "sidebar_workspace"


def _store_choice() -> None:
    """The sidebar select's callback: the chosen file becomes the session's workspace before the rerun."""
    select_workspace(data_dir() / f"{st.session_state[WORKSPACE_KEY]}.duckdb")


def _unlock_form(workspace) -> None:
    """The passphrase prompt of a private workspace; the form clears the field, so it stays in no state."""
    with st.form("unlock_form", clear_on_submit=True, border=False):
        passphrase = st.text_input(t_user("access.passphrase", name=workspace.display_name), type="password",
                                   key="unlock_passphrase")
        if not st.form_submit_button(t("access.unlock"), key="unlock_button"):
            return
    opened = False
    with guard():  # too many attempts (or a busy file) reads as its message
        opened = access.unlock(workspace, passphrase, who=visitor())
        if not opened:
            st.error(t_user("access.wrong_passphrase", name=workspace.display_name))
    if opened:
        mark_unlocked(workspace)
        st.rerun()


def show():
    with st.sidebar:
        st.selectbox(
            "Language / 语言", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang", on_change=relabel,
        )
        workspace = current_workspace()
        waiting = locked_workspace()  # a private workspace chosen but not unlocked: the demo stands in
        chosen = waiting or workspace
        # file stem -> the name the owner gave it (the demo's in the interface language)
        shown = {stem: t("sidebar.demo_name") if stem == DEMO_NAME else name for stem, name in service.workspaces()}
        # The select shows the workspace the session looks at (the Data page may have moved it), and the
        # choice is stored by its callback: with st.navigation and page files in `pages/`, Streamlit 1.67
        # dropped a keyless select's new value on a fresh server, so choosing another shop did nothing.
        st.session_state[WORKSPACE_KEY] = chosen.name if chosen.name in shown else next(iter(shown))
        st.selectbox(t("sidebar.workspace"), options=list(shown), format_func=shown.get, key=WORKSPACE_KEY,
                     on_change=_store_choice)
        if waiting is not None:
            _unlock_form(waiting)
            return workspace
        if workspace.is_demo:
            st.caption(t("sidebar.demo_note"))
        loaded = data_status.last_loaded(workspace)
        when = max(loaded.values()).strftime(t("date.time_format")) if loaded else None
        st.caption(t("sidebar.freshness", when=when) if loaded else t("sidebar.no_data"))
        for entry in data_status.summary(workspace):
            if entry["rows"]:
                span = data_status.span(entry) if entry["min_date"] else ""
                st.caption(t("sidebar.dataset_line", dataset=t(f"dataset.{entry['name']}"), rows=f"{entry['rows']:,}", span=span))
        return workspace
