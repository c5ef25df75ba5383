"""Cached answers are shared by every run and session (pages/components/state.py `cached`): pages only read them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page_that_changes_its_answer(path: str) -> None:
    import streamlit as st

    from core.customers import service
    from core.platform.workspace import Workspace
    from pages.components.state import cached

    workspace = Workspace(path)
    view = cached(service.tiers, workspace, cached(service.as_of_choice, workspace).default)
    st.write(int(view.shares["customers"].sum()))
    view.shares.loc[0, "customers"] += 1  # the bug the check is for: every other session would see it


def _page_that_reads_its_answer(path: str) -> None:
    import streamlit as st

    from core.customers import service
    from core.platform.workspace import Workspace
    from pages.components.state import cached

    workspace = Workspace(path)
    day = cached(service.as_of_choice, workspace).default
    first, again = cached(service.tiers, workspace, day), cached(service.tiers, workspace, day)
    st.write(first is again, int(first.shares["customers"].sum()))


def test_a_page_that_changes_a_shared_answer_fails_at_the_answer_s_next_use(demo):
    from streamlit import config

    shown = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")  # the message itself, which the app keeps from users
    try:
        _fails_at_next_use(demo)
    finally:
        config.set_option("client.showErrorDetails", shown)


def _fails_at_next_use(demo) -> None:
    at = AppTest.from_function(_page_that_changes_its_answer, args=(str(demo),), default_timeout=60).run()
    assert not at.exception
    at.run()  # edge case: the first run changed the answer after reading it; the next use finds out
    assert "a page changed the shared answer of core.customers.service:tiers" in at.exception[0].message


def test_an_answer_is_one_object_read_as_it_was_computed(demo):
    at = AppTest.from_function(_page_that_reads_its_answer, args=(str(demo),), default_timeout=60).run().run()
    from core.customers import service
    from core.platform.workspace import Workspace

    workspace = Workspace(demo)
    customers = len(service.tiers(workspace, service.as_of_choice(workspace).default).customers)
    assert not at.exception
    assert [m.value for m in at.markdown] == [f"`True` `{customers}`"]
