"""A load the owner leaves for another page goes on; the page clicked says so and follows the new data.

Streamlit stops a run whose owner clicked another page at its next Streamlit call, session state included.
Stopped there, the load's transaction rolled back and the file was lost without a word. So the load's own run
only records how the load ended (`LoadUnderWay`), and whichever run sees the end first, the load's own or the
page clicked (its watcher checks every second), does the session's bookkeeping once (`finish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.platform.errors import is_unexpected, user_message
from pages.components import uploader
from pages.components.state import POLL_SECONDS, log, mark_unlocked, message_text, select_workspace, t, t_user

KEY = "load_under_way"  # session state: the Data page's load while it runs, and until its end is handled
ENDED = "load_ended"  # session state: (catalog key, params) saying what the last load brought in
FAILED = "load_failed"  # session state: why a load left for another page brought nothing in


@dataclass
class LoadUnderWay:
    file_name: str
    workspace: object  # the Workspace loaded into
    upload_copy: Path  # the uploader's copy of the file, deleted once the rows are in
    unlock: bool  # a new private workspace: who made it has it open
    report: object | None = None  # the load's Report, once the rows are in
    error: Exception | None = None  # what stopped the load
    handled: bool = False

    @property
    def over(self) -> bool:
        return self.report is not None or self.error is not None


def start(file_name: str, workspace, upload_copy: Path, unlock: bool) -> LoadUnderWay:
    under_way = LoadUnderWay(file_name, workspace, upload_copy, unlock)
    st.session_state[KEY] = under_way
    return under_way


def finish(under_way: LoadUnderWay) -> None:
    """The session follows a load that is over (once): on success the uploader is emptied and the workspace
    loaded into becomes the session's; either way the next run says how it ended."""
    if under_way.handled:
        return
    if under_way.report is not None:
        uploader.forget(under_way.upload_copy)
        st.session_state.pop("upload_preview", None)
        if under_way.unlock:
            mark_unlocked(under_way.workspace)
        select_workspace(under_way.workspace.path)
        report = under_way.report
        st.session_state[ENDED] = ("data.loaded", {"rows": f"{report.loaded_rows:,}", "dataset": t(f"dataset.{report.kind}"),
                                                   "workspace": under_way.workspace.display_name})
    st.session_state.pop(KEY, None)  # last: a run stopped half way through leaves it for the next one to finish
    under_way.handled = True


def show() -> None:
    """On every page, above it: how the last load ended, once; a load left running says so, and when it ends
    the page runs again on the new data."""
    under_way = st.session_state.get(KEY)
    if under_way is not None and under_way.over:
        if under_way.error is not None:  # only a load left for another page gets here with an error
            message = user_message(under_way.error, under_way.workspace.display_name)
            if is_unexpected(message):
                log.error("unexpected error in a load left for another page", exc_info=under_way.error)
            st.session_state[FAILED] = message
        finish(under_way)
        st.rerun()  # the sidebar and the page on the workspace loaded into
    if under_way is not None:
        st.info(t_user("data.load_under_way", file=under_way.file_name, name=under_way.workspace.display_name))
        _watch()
    if ENDED in st.session_state:
        key, params = st.session_state.pop(ENDED)
        st.success(t_user(key, **params))
    if FAILED in st.session_state:
        st.error(message_text(st.session_state.pop(FAILED)))


@st.fragment(run_every=POLL_SECONDS)
def _watch() -> None:
    under_way = st.session_state.get(KEY)
    if under_way is None or under_way.over:
        st.rerun()
