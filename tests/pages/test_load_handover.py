"""A load left for another page (pages/components/load_handover.py): the page clicked says it is under way,
and once it ends, runs on the new data or says why nothing came in."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page_clicked_during_a_load() -> None:
    """A page the owner opened while a load they left runs; the test sets how far that load got."""
    import streamlit as st

    from pages.components import load_handover

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    load_handover.show()
    st.write("the page")


class Shop:
    display_name = "Corner Shop"
    path = "corner_shop.duckdb"


def _left(**ended):
    from pages.components.load_handover import LoadUnderWay

    return LoadUnderWay("orders.csv", Shop(), upload_copy=None, unlock=False, **ended)


def test_the_page_says_the_load_is_under_way():
    at = AppTest.from_function(_page_clicked_during_a_load, default_timeout=30)
    at.session_state["load_under_way"] = _left()
    at.run()
    assert [i.value for i in at.info] == [
        "Still loading orders.csv into workspace 'Corner Shop': this page follows the new data as soon as it is in."]
    assert [m.value for m in at.markdown] == ["the page"]


def test_a_load_that_failed_meanwhile_is_reported_on_the_page_clicked():
    from core.data.ingest import IngestError

    at = AppTest.from_function(_page_clicked_during_a_load, default_timeout=30)
    at.session_state["load_under_way"] = _left(error=IngestError("error.no_rows", file="orders.csv"))
    at.run()
    # edge: the run that saw the end ran the page again, which says why nothing came in, once
    assert [e.value for e in at.error] == ["orders.csv: there are no rows to load."]
    assert not at.info and at.session_state["runs"] == 2 and "load_under_way" not in at.session_state
    at.run()
    assert not at.error
