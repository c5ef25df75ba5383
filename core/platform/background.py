"""Slow work off the page: started once per key on one worker thread, its result kept (kept_results.py).

A page asks `job_of(...)` for a future: finished at once when the result is in memory or kept in the workspace,
else running, so the page shows what it has and marks the rest as being worked out. One worker: two
trainings at once would only share two cores, and the page's own queries need one. Work the page will not wait
for starts once no page is being drawn (`page_drawn`): the page's own queries get the cores first. Errors are
kept with the job and raised to the page that asks, like any error of a service.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from core.platform import kept_results
from core.platform.services import settings_keys

log = logging.getLogger(__name__)
MAX_JOBS = 64  # finished results held in memory, the oldest dropped first (they stay kept in the workspace)

BACKGROUND_NICE = 10  # how far the worker steps back (Linux niceness, per thread: 0 by default, 19 the lowest)


def step_back() -> None:
    """Lower the calling thread's priority, so page runs and the browser get the cores first while it works.

    Linux gives each thread its own niceness, and a thread inherits it from the thread that starts it: the OpenMP
    threads scikit-learn starts for this worker step back too. An unprivileged process can never raise it again,
    so only threads that do nothing else call this."""
    if not sys.platform.startswith("linux"):  # elsewhere a thread's id is no process id: the work runs as before
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + BACKGROUND_NICE))
    except OSError:  # a container that forbids it: the work runs as before
        log.info("background work keeps its priority", exc_info=True)


_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shoplens-background", initializer=step_back)
_jobs: OrderedDict[tuple, Future] = OrderedDict()
_took: dict[tuple[str, str], float | None] = {}  # (workspace path, service) -> seconds its latest work took
_lock = threading.Lock()
_drawing = [0, 0.0]  # page runs under way in every session, and when the last one ended (monotonic)
_quiet = threading.Condition()
PAGES_FIRST_SECONDS = 3.0  # the longest a job waits for pages being drawn (many sessions must not starve it)
BROWSER_SECONDS = 0.3  # after a run, the browser draws what it sent (on one machine they share the cores)


@contextmanager
def page_drawn():
    """Around a page run: work the page does not wait for starts after it (`job_of(..., after_pages=True)`).
    Started beside the run, a model's training (scikit-learn takes every core it can) competes with the page's
    queries and, on one machine, with the browser drawing them."""
    with _quiet:
        _drawing[0] += 1
    try:
        yield
    finally:
        with _quiet:
            _drawing[0] -= 1
            _drawing[1] = time.monotonic()
            _quiet.notify_all()


def wait_for_pages(quiet: float = BROWSER_SECONDS) -> None:
    """Until no page is being drawn and none was for `quiet` seconds (by default the moment the browser takes to
    draw the last one); at most PAGES_FIRST_SECONDS."""
    deadline = time.monotonic() + PAGES_FIRST_SECONDS
    with _quiet:
        while (left := deadline - time.monotonic()) > 0:
            if _drawing[0]:
                _quiet.wait(left)
            elif (since := time.monotonic() - _drawing[1]) < quiet:
                _quiet.wait(min(left, quiet - since))
            else:
                return


def _done(value: object) -> Future:
    job: Future = Future()
    job.set_result(value)
    return job


def _run(workspace, service: str, inputs: str, data_version: int, compute: Callable[[], object],
         after_pages: bool) -> object:
    if after_pages:
        wait_for_pages()
    started = time.perf_counter()
    value = compute()
    seconds = time.perf_counter() - started
    _took[(str(workspace.path), service)] = seconds
    kept_results.keep(workspace, service, inputs, data_version, value, seconds)
    log.info("%s for %s worked out in %.1f s", service, workspace.path.name, seconds)
    return value


def _remember(key: tuple, job: Future) -> Future:
    _jobs[key] = job
    _jobs.move_to_end(key)
    while len(_jobs) > MAX_JOBS:
        oldest = next(iter(_jobs))
        if not _jobs[oldest].done():
            break
        del _jobs[oldest]
    return job


def job_of(service: Callable, workspace, *args, after_pages: bool = False, unseen: bool = False) -> Future:
    """The job of `service(workspace, *args)` for the workspace's data and settings versions (those the service
    reads): from memory, from the workspace's kept results (finished), or started now (`after_pages`: once no
    page is being drawn, for work the asking page will not wait for). `unseen`: work for a part of a page not
    shown (`start`), dropped while it waits if newer such work of the same service is started."""
    from core.platform.workspace import Workspace

    name = f"{service.__module__}:{service.__qualname__}"
    versions = workspace.cache_key(settings_keys(service))
    inputs = kept_results.inputs_of(versions, args)
    key = (str(workspace.path), name, inputs)
    with _lock:
        job = _jobs.get(key)
        if job is None:
            found, value = kept_results.recall(workspace, name, inputs)
            if found:
                return _remember(key, _done(value))
            if unseen:
                _drop_unseen(key)
            log.info("%s for %s queued", name, workspace.path.name)
            path = workspace.path
            job = _remember(key, _pool.submit(_run, workspace, name, inputs, versions[1],
                                              lambda: service(Workspace(path), *args), after_pages))
        if not unseen:
            job.seen = True  # a page waits for it: never dropped
        return job


_unseen: dict[tuple[str, str], tuple] = {}  # (workspace path, service) -> the latest work started for no page shown


def _drop_unseen(key: tuple) -> None:
    """Before `key` is queued: the same service's earlier work for no page shown goes if it has not started
    and no page has asked for it since. Clicking through five days on Customer tiers queued five days' models,
    3 s each at 1M lines, ahead of the day the owner stopped at; now only the one running and the latest
    wait. Under `_lock`."""
    earlier = _unseen.get(key[:2])
    _unseen[key[:2]] = key
    job = _jobs.get(earlier) if earlier != key else None
    if job is not None and not getattr(job, "seen", False) and job.cancel():  # a page asking later queues it again
        del _jobs[earlier]


_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shoplens-start")


def start(service: Callable, workspace, *args) -> None:
    """`job_of(..., after_pages=True, unseen=True)` off the caller's thread, once no page has run for
    UNSEEN_QUIET_SECONDS: for work a part of the page not shown will want. Even looking for a kept result (reading
    and unpickling it: 0.01-0.02 s of a model at 1M lines) waits; a later `job_of` of the same work finds it kept,
    running, or done."""
    _starter.submit(_start, service, workspace, *args)


UNSEEN_QUIET_SECONDS = 1.5  # work for no page shown waits for the owner to pause: clicks in a row start none of it


def _start(service: Callable, workspace, *args) -> None:
    wait_for_pages(UNSEEN_QUIET_SECONDS)
    try:
        job_of(service, workspace, *args, after_pages=True, unseen=True)
    except Exception:  # noqa: BLE001 - the section that wants it asks again, and says what went wrong
        log.info("starting %s failed", service.__qualname__, exc_info=True)


def busy() -> bool:
    """Whether slow work is running or waiting to run: work done ahead for the next click yields to it (a page's
    models fill in first)."""
    with _lock:
        return any(not job.done() for job in _jobs.values())


def took(service: Callable, workspace) -> float | None:
    """How long the service's latest work for this workspace took (this run of the server, else as kept with
    its results); None when it never ran. A page need not wait a moment for work it knows takes seconds."""
    key = (str(workspace.path), f"{service.__module__}:{service.__qualname__}")
    if key not in _took:
        _took[key] = kept_results.seconds_of(workspace, key[1])
    return _took[key]


def forget_all() -> None:
    """Drop what memory holds (tests; the kept results stay)."""
    with _lock:
        _jobs.clear()
        _took.clear()
        _unseen.clear()

