"""Per-session state shared by the pages: language, current workspace, cached connections."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import logging
import os
import re
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core.data.service import demo_workspace
from core.platform import access, background
from core.platform.errors import is_unexpected, user_message
from core.platform.i18n import LANGUAGES, translate
from core.platform.services import settings_keys
from core.platform.workspace import Workspace, versions_read_once

log = logging.getLogger("shoplens")


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(key: str, **params) -> str:
    """Every user-visible string goes through here."""
    return translate(key, lang(), **params)


# What Markdown, Streamlit's directives (:red[...]) and its math ($...$) read as markup, escaped with a backslash
# (which shows the character as it is); the rest of the punctuation is left alone, so "shop.csv: row 5" reads
# as it did. Images and links need "[", HTML "<" or "&", math "$", emphasis "*", "~" or an "_" at a word's edge
# (GFM reads "corner_shop" as a word), code "`"; a bare address becomes a link through "http:", "www." or "@";
# headings, quotes and lists only at the start of a line (and a shown text has one line).
_INLINE = re.compile(r"([\\`*\[\]<&~$@])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto)(:)|\b(www)(\.)")
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=|]|\d+[.)])")  # a heading, quote, list or table at the start
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _inline(text) -> str:
    """Markup that acts anywhere in a line made inert; line breaks become spaces (they would start blocks)."""
    text = _INLINE.sub(lambda m: "\\" + m.group(0), _LINE_BREAKS.sub(" ", str(text)))
    return _AUTOLINK.sub(lambda m: f"{m.group(1)}\\:" if m.group(1) else f"{m.group(3)}\\.", text)


def _line_start(text: str) -> str:
    """A heading, quote or list mark that opens the text shown as itself ("# 1", "- x", "1. x")."""
    return _BLOCK_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def plain(text) -> str:
    """`text` as it reads, never as markup: a shop's, a file's or a user's text (names, headers, file names)
    holding `![x](http://host/p.png)` would make every browser that shows it fetch that address."""
    return _line_start(_inline(text))


def t_user(key: str, **params) -> str:
    """`t` for text shown as Markdown (st.markdown, write, caption, info..., labels): the catalog's own text
    as written, every text parameter (names, file names, headers: anyone's text) shown plain."""
    text = translate(key, lang(), **{name: _inline(v) if isinstance(v, str) else v for name, v in params.items()})
    return _line_start(text)  # a parameter that opens the text ("# 1 shop", "- x") opens no heading or list


def message_text(message) -> str:
    """An error or note in the user's language, for Markdown: its parameters (file, column, value as found in
    the file) are the user's text, and a message's own text has no markup, so all of it is shown plain."""
    return plain(message.text(lang()))


@st.cache_resource(show_spinner=False)
def _open_workspace(path: str) -> Workspace:
    """One connection per workspace file for the whole server; each run takes its own cursor."""
    workspace = Workspace(path)
    workspace.open()
    return workspace


@st.cache_resource(show_spinner=False)
def _demo() -> Workspace:
    return demo_workspace()


UNLOCKED = "unlocked_workspaces"  # session state: paths this browser session has unlocked


def is_shared() -> bool:
    """Whether the app is served to a team (issue 15): then private workspaces ask for their passphrase."""
    return access.shared_mode(st.get_option("server.address"))


def visitor() -> str:
    """Who is at the keyboard, as far as the server can tell: the rate limit counts failures per visitor.
    Behind a proxy every visitor has the proxy's address and the limit counts them together."""
    return f"app {st.context.ip_address or 'local'}"


def _waits_for_passphrase(workspace: Workspace) -> bool:
    """Served to a team, a protected workspace opens only once this session has unlocked it (issue 15);
    locally (127.0.0.1) nothing asks."""
    return is_shared() and str(workspace.path) not in st.session_state.get(UNLOCKED, ()) and access.is_protected(workspace)


def locked_workspace() -> Workspace | None:
    """The workspace the session chose when it still waits for its passphrase (then the demo stands in)."""
    path = st.session_state.get("workspace_path")
    if path is None or not Path(path).exists() or path == str(_demo().path):
        return None
    try:
        workspace = _open_workspace(path)
    except Exception:  # noqa: BLE001 - current_workspace reports it
        return None
    return workspace if _waits_for_passphrase(workspace) else None


def mark_unlocked(workspace: Workspace) -> None:
    st.session_state[UNLOCKED] = [*st.session_state.get(UNLOCKED, ()), str(workspace.path)]


def current_workspace() -> Workspace:
    """The workspace this session looks at; one that cannot be opened (locked by another process,
    damaged) is reported and the demo shown instead, so the page never breaks. One still waiting
    for its passphrase is not handed out: the demo stands in and the pages show the prompt."""
    path = st.session_state.get("workspace_path")
    if path is None or not Path(path).exists():
        path = str(_demo().path)
        st.session_state["workspace_path"] = path
    try:
        workspace = _open_workspace(path)
        return _open_workspace(str(_demo().path)) if _waits_for_passphrase(workspace) else workspace
    except Exception as error:  # noqa: BLE001 - every cause gets its message from core/platform/errors.py
        message = user_message(error, Path(path).stem)
        if is_unexpected(message):
            log.exception("cannot open workspace %s", path)
        st.session_state["workspace_problem"] = message
        st.session_state["workspace_path"] = str(_demo().path)
        return _open_workspace(st.session_state["workspace_path"])


def select_workspace(path: Path | str) -> None:
    st.session_state["workspace_path"] = str(Path(path).resolve())


def run_page(render) -> None:
    """Run a page script inside the app shell.

    On a fresh server whose first request is a deep link (say /data), Streamlit still believes in the
    legacy `pages/` folder and runs the page file alone, without app.py's sidebar and navigation,
    until some run calls st.navigation. Clear that belief and rerun once, so app.py takes over.
    (Once per session: AppTest sets the belief again before every run and runs pages alone on purpose.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not st.session_state.get("_shell_takeover"):
        st.session_state["_shell_takeover"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
    workspace = current_workspace()
    problem = st.session_state.pop("workspace_problem", None)
    if problem is not None:
        st.error(message_text(problem) + " " + t("error.showing_demo"))
    waiting = locked_workspace()
    if waiting is not None:  # a private workspace: nothing of it, nor the demo in its place, until unlocked
        st.info(t_user("access.locked_page", name=waiting.display_name))
        return
    from pages.components import load_handover  # it builds on this module

    load_handover.show()  # a load left on the Data page for this one: under way, or just ended
    # a page's first run may wait for quick slow work; a rerun of the same page (a widget moved) waits less, so
    # the reaction stays within half a second and a longer job shows as being worked out (issue 16)
    page = getattr(getattr(render, "__code__", None), "co_filename", None)  # pages run as __main__: their file
    again = st.session_state.get(LAST_PAGE) == page
    if not st.session_state.pop(FILLING_IN, False):  # a click, not the page showing work it just finished
        _ahead_round[0] += 1
    st.session_state[LAST_PAGE] = page
    st.session_state[GRACE] = RERUN_GRACE_SECONDS if again else GRACE_SECONDS
    st.session_state[PENDING] = []  # the slow work this run shows as being worked out (in_background adds it)
    with background.page_drawn(), versions_read_once():
        render(workspace)
    watch_pending()


# One object per answer, for every run and session (st.cache_resource): not copied, so pages only read what they
# are given, as they read the models' results. cache_data pickled each new answer and unpickled it at every run:
# 0.05 s of a new day on Customer tiers at 1M lines (a 20 MB tier view), 0.02-0.03 s of each rerun.
@st.cache_resource(show_spinner=False, max_entries=256)
def _cached_call(target: str, path: str, versions: tuple[str, int, int], args: tuple, kwargs: tuple):
    module, name = target.rsplit(":", 1)
    return getattr(importlib.import_module(module), name)(Workspace(path), *args, **dict(kwargs))


def cached(service, workspace: Workspace, *args, **kwargs):
    """`service(workspace, *args, **kwargs)`, cached on the workspace (its path and id), its data version,
    the version of the settings the service reads, and the inputs: the one way a page asks core for data.
    The answer is shared: read it, never change it."""
    key = _key(service, workspace, args, kwargs)
    return _unchanged(key, _cached_call(*key))


def _key(service, workspace: Workspace, args: tuple, kwargs: dict) -> tuple:
    """What `_cached_call` keeps an answer under: the service, the workspace, its versions, the inputs."""
    return (f"{service.__module__}:{service.__qualname__}", str(workspace.path),
            workspace.cache_key(settings_keys(service)), args, tuple(sorted(kwargs.items())))


UNCHANGED_ENV = "SHOPLENS_CHECK_UNCHANGED"  # "1": every shared answer is checked unchanged at each use (tests)
_fingerprints: dict[str, str] = {}


def _unchanged(key: tuple, answer):
    """`answer`, which every run and session shares. Under test, an answer a page changed is caught at its
    next use, so a page that would change what others are shown fails its test."""
    if os.environ.get(UNCHANGED_ENV) == "1":
        digest = _fingerprint(answer)
        if _fingerprints.setdefault(repr(key), digest) != digest:
            raise AssertionError(f"a page changed the shared answer of {key[0]}")
    return answer


def _fingerprint(value) -> str:
    """What a value holds, by content (a pickle's bytes also follow how pandas happens to hold equal frames)."""
    digest = hashlib.sha256()

    def add(part) -> None:
        if isinstance(part, pd.DataFrame | pd.Series):
            digest.update(repr((type(part).__name__, part.shape, [str(d) for d in np.atleast_1d(part.dtypes)],
                                list(part.columns) if isinstance(part, pd.DataFrame) else part.name)).encode())
            try:
                digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            except TypeError:  # cells that are lists or dicts
                digest.update(part.to_json(date_format="iso", default_handler=repr).encode())
        elif isinstance(part, np.ndarray):
            digest.update(repr((part.dtype, part.shape)).encode())
            digest.update(part.tobytes() if part.dtype != object else repr(part.tolist()).encode())
        elif dataclasses.is_dataclass(part) and not isinstance(part, type):
            for item in dataclasses.fields(part):
                digest.update(item.name.encode())
                add(getattr(part, item.name))
        elif isinstance(part, dict):
            for name, item in part.items():
                add(name)
                add(item)
        elif isinstance(part, list | tuple):
            digest.update(f"{type(part).__name__}{len(part)}".encode())
            for item in part:
                add(item)
        else:
            digest.update(repr(part).encode())

    add(value)
    return digest.hexdigest()


_ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shoplens-ahead", initializer=background.step_back)
_asked_ahead: OrderedDict[tuple, None] = OrderedDict()  # what was handed to it lately, not to ask twice


def ahead(service, workspace: Workspace, *args, **kwargs) -> None:
    """`cached(service, workspace, *args, **kwargs)` worked out off the page, for the next click: a preset period
    the owner is likely to pick finds its answer in the cache. One thread, after the page is drawn; a failure
    only means the click works it out as before."""
    if os.environ.get(WAIT_ENV) == "1":  # page tests read the page at once: nothing runs beside them
        return
    key = _key(service, workspace, args, kwargs)
    if key in _asked_ahead:
        return
    _asked_ahead[key] = None
    while len(_asked_ahead) > 256:
        _asked_ahead.popitem(last=False)
    _ahead.submit(_work_ahead, key, time.monotonic() + AHEAD_AFTER_SECONDS, _ahead_round[0])


AHEAD_AFTER_SECONDS = 1.0  # the browser draws the page first (on one machine they share the cores: +0.15 s)
AHEAD_YIELDS_SECONDS = 60.0  # the longest work ahead waits for slow work (models) to finish
# Moves on at every page run: work ahead that an earlier run asked for and that has not started is dropped (its
# inputs may be gone: a new day on Customer tiers makes the last day's other windows useless, and working them out
# took the cores from the new day's run); the run asks again for what it still wants. A run that only shows slow
# work just finished (`_watch`) is the same page for the same inputs: the round holds, and so does its work ahead.
_ahead_round = [0]


def _work_ahead(key: tuple, not_before: float, round_asked: int) -> None:
    time.sleep(max(0.0, not_before - time.monotonic()))
    # the page's own slow work first: working out Customer tiers' other windows beside its models' training
    # filled the page in 1-2 s later (7.8-9.9 s against 6.6-7.2 s on a first visit at 1M lines)
    given_up = time.monotonic() + AHEAD_YIELDS_SECONDS
    while background.busy() and round_asked == _ahead_round[0] and time.monotonic() < given_up:
        time.sleep(0.2)
    background.wait_for_pages()  # a page being drawn (the next click) goes first
    if round_asked != _ahead_round[0]:  # the page ran again, or another page did: their next click is elsewhere
        _asked_ahead.pop(key, None)
        return
    try:
        _cached_call(*key)
    except Exception:  # noqa: BLE001 - the click will work it out itself, and say what went wrong
        log.info("working %s out ahead failed", key[0], exc_info=True)


def derived(function, workspace: Workspace, made_from: tuple, *parts, services: tuple = ()):
    """`function(*parts)` where the parts are results of cached services or slow work (a tier view, a model):
    cached on the workspace, its data version, the version of the settings those `services` read, and
    `made_from`, the inputs the parts were made from (with whether each was ready), so a rerun that changes none
    of them reuses the answer. The parts are not hashed (they hold a row per customer)."""
    keys = tuple(sorted({key for service in services for key in settings_keys(service)}))
    key = (f"{function.__module__}:{function.__qualname__}", str(workspace.path), workspace.cache_key(keys), made_from)
    return _unchanged(key, _derived_call(*key, parts))


@st.cache_resource(show_spinner=False, max_entries=64)
def _derived_call(target: str, path: str, versions: tuple[str, int, int], made_from: tuple, _parts: tuple):
    module, name = target.rsplit(":", 1)
    return getattr(importlib.import_module(module), name)(*_parts)


WAIT_ENV = "SHOPLENS_WAIT_FOR_MODELS"  # "1": a page waits for its slow work (page tests reading its values at once)
POLL_SECONDS = 1.0


def in_background(service, workspace: Workspace, *args):
    """`service(workspace, *args)` for slow work (model training): the result when it is ready (in memory or
    kept in the workspace for these data and settings versions), else None while a worker computes it, so
    the page draws everything else at once. Call `show_pending` where the result would go."""
    if os.environ.get(WAIT_ENV) == "1":
        return background.job_of(service, workspace, *args).result()
    grace = st.session_state.get(GRACE, 0.0)  # quick work (a small shop) shows at once, without a flash of "working"
    if grace and (background.took(service, workspace) or 0.0) > 2 * grace:
        grace = 0.0  # known to take seconds here: waiting for it would only hold the page up
    job = background.job_of(service, workspace, *args, after_pages=not grace)  # not waited for: after the page
    started = time.monotonic()
    try:
        return job.result(timeout=grace)
    except FutureTimeout:
        st.session_state[GRACE] = max(0.0, st.session_state.get(GRACE, 0.0) - (time.monotonic() - started))
    st.session_state.setdefault(PENDING, []).append(job)
    return None


def start(service, workspace: Workspace, *args) -> None:
    """Start slow work that a part of the page not shown will want (`in_background` there finds it running or
    done); it runs once the page is drawn. Page tests (which wait for their slow work) start nothing ahead."""
    if os.environ.get(WAIT_ENV) != "1":
        background.start(service, workspace, *args)


PENDING = "pending_jobs"  # session state: the slow work this session's page waits for
GRACE = "background_grace"  # session state: how long this page run may still wait for slow work
GRACE_SECONDS = 0.5  # per page run, shared by its sections: the page is never held up longer
RERUN_GRACE_SECONDS = 0.2  # the same, for a rerun of the page or of a section (a widget moved)
LAST_PAGE = "last_page_run"  # session state: the page the last full run drew
FILLING_IN = "filling_in"  # session state: the next run only shows slow work that finished (`_watch`)


def show_pending(key: str) -> None:
    """Say what is still being worked out; the page runs again when it is done (`watch_pending`)."""
    st.info(t(key))


def _section_rerun() -> bool:
    """Whether this run reruns fragments only (a widget inside one moved), not the whole page."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    return bool(context is not None and context.fragment_ids_this_run)


def fragment(section):
    """`st.fragment` for a section of a page: a widget inside it reruns the section alone, not the page (issue 16:
    reactions within half a second). A section that asks for slow work (`in_background`) gets, on a rerun of its
    own, what a page run gets: a short wait for it, and a watcher that reruns the page when it is done."""

    @functools.wraps(section)
    def run(*args, **kwargs):
        alone = _section_rerun()
        if alone:
            st.session_state[GRACE] = RERUN_GRACE_SECONDS
        with background.page_drawn(), versions_read_once():
            result = section(*args, **kwargs)
        if alone:
            watch_pending()
        return result

    return st.fragment(run)


def watch_pending() -> None:
    """At the end of a page: while slow work it showed as being worked out runs, check every second and run
    the page again whenever a piece of it is done, so the sections fill in by themselves. A piece done while
    the page was still being drawn counts too: its section says "being worked out" until the next run."""
    if st.session_state.get(PENDING):
        _watch()


@st.fragment(run_every=POLL_SECONDS)
def _watch() -> None:
    """Each finished piece shows as soon as it is done: the groups need not wait for the churn model."""
    if any(job.done() for job in st.session_state.get(PENDING, ())):
        st.session_state[PENDING] = [job for job in st.session_state[PENDING] if not job.done()]
        st.session_state[FILLING_IN] = True  # the same page for the same inputs: its work ahead still holds
        st.rerun()


@contextmanager
def guard():
    """Every error becomes a message in the user's language (core/platform/errors.py decides which);
    what we cannot explain is logged with its traceback, never shown raw."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the last line of defence before the browser
        message = user_message(error)
        if is_unexpected(message):
            log.exception("unexpected error")
        st.error(message_text(message))


__all__ = ["LANGUAGES", "ahead", "cached", "current_workspace", "derived", "fragment", "guard", "in_background", "is_shared", "lang",
           "locked_workspace", "mark_unlocked", "message_text", "plain", "run_page", "select_workspace",
           "show_pending", "start", "t", "t_user", "visitor"]
