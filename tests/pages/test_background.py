"""Slow work (customer groups, the churn model) never blocks the Customer tiers page (issue 16): the page
draws at once, says what is being worked out, and shows it once ready; the result is kept in the workspace
for its data version, so a restarted app shows it at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from streamlit.testing.v1 import AppTest

from core.platform import background
from core.platform.workspace import Workspace
from pages.components import state
from tests.conftest import ROOT, table, wait_for_background

APP = str(ROOT / "app.py")
PENDING = {"Finding the customer groups… This section fills in by itself when they are ready; the rest of the "
           "page can be used meanwhile.",
           "Training the churn model… This section fills in by itself when it is ready; the rest of the page can be "
           "used meanwhile.",
           "Finding the products bought together… This fills in by itself when it is ready."}


def tiers_page(at: AppTest | None = None, section: str = "tiers") -> AppTest:
    """Customer tiers with one section shown (set before the page's first run, as a click would)."""
    at = at or AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["tiers_section"] = section
    return at.switch_page("pages/customer_tiers.py").run()


def wait_for_jobs(at: AppTest, seconds: float = 120) -> None:
    """What the page's polling fragment does in the browser: wait until the jobs it waits for are done."""
    deadline = time.monotonic() + seconds
    for job in at.session_state["pending_jobs"]:
        job.result(timeout=max(0.0, deadline - time.monotonic()))


def no_grace(monkeypatch) -> None:
    """Pages in the browser wait up to half a second for quick work; these tests look at the waiting itself."""
    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")
    monkeypatch.setattr(state, "GRACE_SECONDS", 0.0)


@contextmanager
def worker_held():
    """The one background worker kept busy until the block ends, so no slow work can end while a page is drawn:
    the first draw then shows everything it asked for as being worked out (work done during the draw would rerun
    the page at once, and AppTest shows the last run)."""
    gate = threading.Event()
    background._pool.submit(gate.wait)
    try:
        yield
    finally:
        gate.set()


@pytest.mark.parametrize(("section", "pending"), [
    ("churn", "Training the churn model"), ("groups", "Finding the customer groups"),
    ("plan", "Finding the products bought together")])
def test_the_section_draws_before_its_model_and_fills_it_in(monkeypatch, demo, section, pending):
    no_grace(monkeypatch)
    with worker_held():
        at = tiers_page(section=section)
    assert not at.exception and not at.error
    assert [i.value for i in at.info if i.value.startswith(pending)]
    assert not [m for m in at.metric if m.label == "Holdout ROC AUC"]

    wait_for_jobs(at)
    tiers_page(at, section)
    assert not {i.value for i in at.info} & PENDING
    if section == "churn":
        metrics = {m.label: float(m.value) for m in at.metric}
        assert metrics["Holdout ROC AUC"] > metrics["Recency-only AUC"] > 0.5
    if section == "groups":
        assert sum(table_with(at, "Description")["Customers"]) == 19_574  # every customer in one group


def test_the_list_says_its_columns_follow_until_the_models_are_done(monkeypatch, demo):
    no_grace(monkeypatch)
    with worker_held():
        at = tiers_page(section="lists")
    assert "The group and churn-risk columns are added to the list once they are worked out." in [
        c.value for c in at.caption]
    assert "Customers: 19,574" in [c.value for c in at.caption]  # the list itself is there already
    wait_for_jobs(at)
    assert "The group and churn-risk columns are added to the list once they are worked out." not in [
        c.value for c in tiers_page(at, "lists").caption]


def test_the_models_start_while_the_first_section_is_shown(monkeypatch, demo):
    """Opening the churn or groups section after a look at the tiers finds them worked out."""
    no_grace(monkeypatch)
    at = tiers_page()
    assert not {i.value for i in at.info} & PENDING  # the tiers section waits for no model
    wait_for_background()
    churn = tiers_page(at, "churn")
    assert not {i.value for i in churn.info} & PENDING and "Holdout ROC AUC" in {m.label for m in churn.metric}
    assert not {i.value for i in tiers_page(at, "groups").info} & PENDING
    assert not {i.value for i in tiers_page(at, "plan").info} & PENDING


def table_with(at: AppTest, column: str):
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_a_kept_result_survives_a_restart(monkeypatch, demo):
    no_grace(monkeypatch)
    tiers_page()
    wait_for_background()  # the models started for the sections not shown
    kept = table(Workspace(demo), "select service from kept_results order by service")
    assert kept == [("core.customers.service:churn",), ("core.customers.service:clusters",),
                    ("core.customers.service:cross_sell",),
                    ("core.sales.service:cohorts",)]  # the app opens on the Sales page

    background.forget_all()  # a restarted server: nothing in memory
    again = tiers_page(section="churn")
    assert not {i.value for i in again.info} & PENDING  # shown at once, from the workspace
    assert {m.label for m in again.metric} >= {"Holdout ROC AUC", "Recency-only AUC"}


def test_the_demo_command_keeps_what_the_first_visit_shows(monkeypatch, demo):
    from core.customers import service

    service.keep_models(Workspace(demo))  # what `python -m core demo` does after building the demo
    background.forget_all()
    no_grace(monkeypatch)
    # edge: the page asks with exactly the arguments kept (the latest day, all history, k chosen by silhouette)
    for section in ("churn", "groups", "plan"):
        at = tiers_page(section=section)
        assert not {i.value for i in at.info} & PENDING
    assert "Holdout ROC AUC" in {m.label for m in tiers_page(section="churn").metric}


def test_the_sales_cohorts_follow_the_rest_of_the_page(monkeypatch, demo):
    no_grace(monkeypatch)
    with worker_held():
        at = AppTest.from_file(APP, default_timeout=120).run()  # the Sales page is the first page
    pending = "Working out the cohorts… This section fills in by itself when it is ready."
    assert pending in [i.value for i in at.info]
    assert at.metric  # the period's figures are there already
    wait_for_jobs(at)
    at = at.switch_page("pages/sales.py").run()
    assert pending not in [i.value for i in at.info]
    assert "Customers with 2+ orders" in [m.label for m in at.metric]


def _page_whose_work_ends_while_it_is_drawn() -> None:
    """A page asking for slow work that finishes after the page stopped waiting for it but before the page
    ends (AppTest runs this function's source on its own; the test hands it the work)."""
    import time as clock

    import streamlit as st

    from core.platform.workspace import Workspace
    from pages.components import state

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.session_state[state.GRACE] = 0.0
    st.session_state[state.PENDING] = []
    groups = state.in_background(print, Workspace("unused.duckdb"))
    if groups is None:
        state.show_pending("tiers.clusters_pending")
    else:
        st.write(groups)
    clock.sleep(0.6)  # the rest of the page takes longer than the work
    state.watch_pending()


def test_work_done_while_the_page_was_drawn_fills_its_section_in(monkeypatch):
    # edge: the work was shown as being worked out and ended before the page did; it was dropped from the
    # watch, and its section said "being worked out" until the owner clicked something
    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")
    jobs = []

    def groups_later() -> str:
        time.sleep(0.3)
        return "the customer groups"

    def job_of(service, workspace, *args, after_pages=False):  # one piece of work, started when the page first asks for it
        if not jobs:
            jobs.append(ThreadPoolExecutor(1).submit(groups_later))
        return jobs[0]

    monkeypatch.setattr(background, "job_of", job_of)
    at = AppTest.from_function(_page_whose_work_ends_while_it_is_drawn, default_timeout=30).run()
    assert not at.exception
    assert not at.info
    assert [m.value for m in at.markdown] == ["the customer groups"]
    assert at.session_state["runs"] == 2  # the page ran again by itself, at once


def _page_asking_for_work() -> None:
    """A page whose work never ends while it is drawn: how long the page waited for it."""
    import time as clock

    import streamlit as st

    from core.platform.workspace import Workspace
    from pages.components import state

    st.session_state[state.GRACE] = 0.5
    started = clock.monotonic()
    state.in_background(print, Workspace("unused.duckdb"))
    st.session_state["waited"] = clock.monotonic() - started


@pytest.mark.parametrize(("took", "waits"), [(None, True), (0.2, True), (3.0, False)])
def test_the_page_waits_a_moment_only_for_work_that_may_be_quick(monkeypatch, took, waits):
    # a new day on a big shop retrains for seconds: the half second of grace would only hold the page up;
    # work never timed, or timed quicker than twice the grace, still gets it (no flash of "being worked out")
    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")
    monkeypatch.setattr(background, "job_of", lambda service, workspace, *args, after_pages=False: Future())
    monkeypatch.setattr(background, "took", lambda service, workspace: took)
    at = AppTest.from_function(_page_asking_for_work, default_timeout=30).run()
    assert not at.exception
    assert (at.session_state["waited"] >= 0.45) is waits and at.session_state["waited"] < 2


def nap_until(workspace, seconds: float) -> float:
    time.sleep(seconds)
    return time.monotonic()


def test_work_ahead_waits_for_the_page_s_slow_work(workspace, monkeypatch):
    # edge: the other windows of Customer tiers, worked out beside its models' training, held the models up
    workspace.open()
    background.forget_all()
    worked_ahead = []
    monkeypatch.setattr(state, "_cached_call", lambda *key: worked_ahead.append(time.monotonic()))
    training = background.job_of(nap_until, workspace, 0.5)
    state._ahead.submit(state._work_ahead, ("key",), time.monotonic(), state._ahead_round[0]).result(timeout=30)
    assert worked_ahead and worked_ahead[0] >= training.result(timeout=30)


def _page_asking_ahead() -> None:
    import time

    import streamlit as st

    from pages.components import state

    def render(workspace) -> None:
        st.session_state["runs"] = runs = st.session_state.get("runs", 0) + 1
        key = (f"asked by run {runs}",)  # a new day's other windows: other keys at each run
        state._asked_ahead[key] = None  # as `ahead` marks what it hands over
        state._ahead.submit(state._work_ahead, key, time.monotonic() + 0.5, state._ahead_round[0])

    state.run_page(render)


def test_work_ahead_asked_by_a_run_is_dropped_when_the_page_runs_again(monkeypatch):
    # edge: a new day on Customer tiers: the last day's other windows are no use, and were taking the new day's cores
    worked_ahead = []
    monkeypatch.setattr(state, "_cached_call", lambda *key: worked_ahead.append(key))
    AppTest.from_function(_page_asking_ahead, default_timeout=60).run().run()
    state._ahead.submit(lambda: None).result(timeout=30)  # the one thread has been through both
    assert worked_ahead == [("asked by run 2",)]
    assert ("asked by run 1",) not in state._asked_ahead  # dropped, so a later run may ask for it again


def _page_filled_in_at_once() -> None:
    from concurrent.futures import Future

    import streamlit as st

    from pages.components import state

    def render(workspace) -> None:
        st.session_state["runs"] = st.session_state.get("runs", 0) + 1
        state.ahead(print, workspace)  # the other windows, asked for at every run of the page
        done = Future()
        done.set_result(None)
        if st.session_state["runs"] == 1:
            st.session_state[state.PENDING] = [done]  # a model that finished while the page was drawn

    state.run_page(render)


def test_a_rerun_that_fills_in_finished_work_keeps_the_work_asked_ahead(monkeypatch):
    # edge: a model finished while Customer tiers was drawn, so the page ran again at once to show it; that rerun
    # counted as a new click, dropped the other windows asked ahead, and found them marked as asked: never worked
    # out (a test of the other windows failed now and then on CI)
    from collections import OrderedDict

    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")
    monkeypatch.setattr(state, "_asked_ahead", OrderedDict())
    monkeypatch.setattr(state, "_key", lambda service, workspace, args, kwargs: ("the other windows",))
    worked_ahead = []
    monkeypatch.setattr(state, "_cached_call", lambda *key: worked_ahead.append(key))
    at = AppTest.from_function(_page_filled_in_at_once, default_timeout=60).run()
    assert at.session_state["runs"] == 2  # drawn, then again to show the finished model
    state._ahead.submit(lambda: None).result(timeout=30)  # the one thread has been through the work asked
    assert worked_ahead == [("the other windows",)]
