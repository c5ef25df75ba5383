"""Kept results (issue 16): slow work stored per data version, signed, and only read back when signed here."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from core.platform import background, kept_results
from tests.conftest import table, wait_for_background


def test_a_kept_result_comes_back_only_for_the_same_inputs(workspace):
    workspace.open()
    inputs = kept_results.inputs_of(("id", 1, 0), ("2024-05-01",))
    kept_results.keep(workspace, "svc", inputs, 1, {"answer": 42}, 0.1)
    assert kept_results.recall(workspace, "svc", inputs) == (True, {"answer": 42})
    # edge: another argument or settings version is another result
    assert kept_results.recall(workspace, "svc", kept_results.inputs_of(("id", 1, 0), ("2024-05-02",))) == (False, None)
    assert kept_results.recall(workspace, "svc", kept_results.inputs_of(("id", 1, 1), ("2024-05-01",))) == (False, None)


def test_a_new_data_version_drops_the_older_results(workspace):
    workspace.open()
    for version, arg in [(1, "a"), (1, "b"), (2, "a")]:
        kept_results.keep(workspace, "svc", kept_results.inputs_of(("id", version, 0), (arg,)), version, arg, 0.1)
    kept_results.keep(workspace, "other", kept_results.inputs_of(("id", 1, 0), ()), 1, "x", 0.1)
    # both version-1 results of svc went when its version-2 result came; another service's stay
    assert table(workspace, "select service, data_version from kept_results order by service") == [
        ("other", 1), ("svc", 2)]


def test_a_result_signed_elsewhere_is_not_unpickled(workspace):
    workspace.open()
    inputs = kept_results.inputs_of(("id", 1, 0), ("x",))
    kept_results.keep(workspace, "svc", inputs, 1, {"answer": 42}, 0.1)
    with workspace.cursor() as cur:  # someone's file carrying another payload under the old signature
        cur.execute("update kept_results set payload = ? where service = 'svc'", [b"\x80\x04K\x07."])  # pickle of 7
    # edge: a payload that does not match its signature is ignored, never loaded
    assert kept_results.recall(workspace, "svc", inputs) == (False, None)


def shout(workspace, word: str) -> str:
    shout.calls += 1
    return word.upper()


shout.calls = 0


def test_a_job_runs_once_and_its_result_is_read_back_after_a_restart(workspace):
    workspace.open()
    background.forget_all()
    assert background.job_of(shout, workspace, "hi").result(timeout=30) == "HI"
    assert background.job_of(shout, workspace, "hi").result(timeout=30) == "HI"
    assert shout.calls == 1  # the second ask found it in memory
    background.forget_all()  # edge: a restart: memory empty, the workspace still holds it
    assert background.job_of(shout, workspace, "hi").done()
    assert background.job_of(shout, workspace, "hi").result() == "HI" and shout.calls == 1


def nap(workspace, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_how_long_a_job_took_is_known_after_a_restart_too(workspace):
    workspace.open()
    background.forget_all()
    assert background.took(nap, workspace) is None  # never ran
    background.forget_all()
    background.job_of(nap, workspace, 0.2).result(timeout=30)
    assert 0.2 <= background.took(nap, workspace) < 2
    background.forget_all()  # edge: a restart: the time comes back with the kept result
    assert 0.2 <= background.took(nap, workspace) < 2


def test_a_kept_result_is_compressed_once_and_stored_as_it_is(workspace):
    workspace.open()
    inputs = kept_results.inputs_of(("id", 1, 0), ())
    ids = [f"customer-{n:06d}@example.com" for n in range(50_000)]  # ids repeat their shape: they compress well
    kept_results.keep(workspace, "svc", inputs, 1, ids, 0.1)
    assert kept_results.recall(workspace, "svc", inputs) == (True, ids)
    with workspace.cursor() as cur:
        cur.execute("checkpoint")
        stored = cur.execute("select octet_length(payload) from kept_results").fetchone()[0]
        compression = cur.execute("select distinct compression from pragma_storage_info('kept_results') "
                                  "where column_name = 'payload' and segment_type = 'BLOB'").fetchall()
    # edge: DuckDB leaves the column alone (reading its own compression back was 8x slower); zlib shrank it
    assert compression == [("Uncompressed",)] and stored < len("".join(ids)) / 3


def stamp(workspace, tag: str) -> float:
    return time.monotonic()


def test_work_no_page_waits_for_starts_once_no_page_is_drawn(workspace, monkeypatch):
    workspace.open()
    background.forget_all()
    with background.page_drawn():
        drawn = time.monotonic()
        job = background.job_of(stamp, workspace, "after", after_pages=True)
        time.sleep(0.4)
        assert not job.done()  # the page's queries have the cores to themselves
        ended = time.monotonic()
    # ... and the browser a moment to draw what the page sent
    assert job.result(timeout=30) >= ended + background.BROWSER_SECONDS > drawn + 0.35
    # edge: work a page waits a moment for (quick on a small shop) starts at once, or the wait would be in vain
    with background.page_drawn():
        asked = time.monotonic()
        assert background.job_of(stamp, workspace, "now").result(timeout=1) - asked < 0.3


def test_pages_drawn_without_pause_hold_the_work_up_only_so_long(workspace, monkeypatch):
    workspace.open()
    background.forget_all()
    monkeypatch.setattr(background, "PAGES_FIRST_SECONDS", 0.3)
    with background.page_drawn():  # edge: sessions drawing one page after another, never all idle at once
        asked = time.monotonic()
        started = background.job_of(stamp, workspace, "starved", after_pages=True).result(timeout=5)
    assert 0.25 <= started - asked < 2


def test_work_started_for_a_section_not_shown_looks_for_its_result_after_the_page(workspace, monkeypatch):
    workspace.open()
    background.forget_all()
    first = background.job_of(stamp, workspace, "kept").result(timeout=30)
    background.forget_all()  # a restarted server: the result is kept in the workspace only
    looked = []
    recall = kept_results.recall
    monkeypatch.setattr(kept_results, "recall", lambda *args: looked.append(time.monotonic()) or recall(*args))
    with background.page_drawn():
        background.start(stamp, workspace, "kept")
        time.sleep(0.3)
        assert not looked  # reading and unpickling a kept model is no work for the page being drawn
        ended = time.monotonic()
    background._starter.submit(lambda: None).result(timeout=30)
    # ... nor for an owner clicking on: it waits for a pause in the page runs
    assert looked and looked[0] - ended >= background.UNSEEN_QUIET_SECONDS
    # the section that wants it finds the kept result, not a new run of the work
    job = background.job_of(stamp, workspace, "kept")
    assert job.done() and job.result() == first


RAN: list[str] = []


def recorded(workspace, tag: str) -> str:
    RAN.append(tag)
    return tag


def test_only_the_latest_work_for_parts_not_shown_waits_its_turn(workspace):
    """An owner clicking through days queued each day's models; only the day they stop at matters."""
    workspace.open()
    background.forget_all()
    RAN.clear()
    gate = threading.Event()
    background._pool.submit(gate.wait)  # the worker busy, as with the model of the day clicked before
    try:
        asked = background.job_of(recorded, workspace, "shown")  # a page waits for this one
        for day in ("day 1", "day 2", "day 3"):
            background.start(recorded, workspace, day)
        background.job_of(recorded, workspace, "day 2")  # edge: a section opened on day 2 asks for it again
        background._starter.submit(lambda: None).result(timeout=30)
    finally:
        gate.set()
    latest = background.job_of(recorded, workspace, "day 3")
    assert latest.result(timeout=30) == "day 3" and asked.result(timeout=30) == "shown"
    wait_for_background(30)
    # day 1 was dropped before it started; day 2, dropped too, was queued again when a page asked for it
    assert sorted(RAN) == ["day 2", "day 3", "shown"]
    assert RAN.count("day 2") == 1


def niceness(workspace) -> tuple[int, int]:
    """The niceness of the thread running the job, and of a thread it starts (as OpenMP starts its team)."""
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    started = []
    thread = threading.Thread(target=lambda: started.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    thread.start()
    thread.join()
    return own, started[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="niceness per thread is Linux's")
def test_background_work_steps_back_for_the_pages(workspace):
    workspace.open()
    background.forget_all()
    page = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    # a model's training and the threads it starts yield the cores to page runs: 10 steps nicer
    assert background.job_of(niceness, workspace).result(timeout=30) == (min(19, page + 10),) * 2
    # edge: the page's own thread is left as it was
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == page
