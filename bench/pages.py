"""Page times in Chromium on a big workspace, and the slowest queries behind them (issue 16).

    .venv/bin/python bench/pages.py [--rows 1000000] [--rounds 3] [--pages customer_tiers,data] [--top 15]
                                    [--keep-results] [--skip-browser] [--skip-queries] [--json out.json]

The workspace is built once and kept under `bench/out/pages/<rows>/` (gitignored): `python -m core sample
--rows N` and every file it writes ingested with `python -m core ingest --kind K` into one workspace, next to
the demo workspace the app builds on its first start.

Browser: for every page in the navigation, a fresh `streamlit run app.py` (SHOPLENS_DATA_DIR on that folder)
and Debian's Chromium. The session lands on a cheap page (Data; A/B testing before Data itself), picks the big
workspace in the sidebar, then clicks the page's nav link. From that click: **shown**, the first moment the
app is idle (script not running, no skeleton, no spinner), and **settled**, idle with no section saying its
slow work is still being worked out (catalog keys *_pending), for a quiet second. **Cold**: the first visit
after the server starts, the workspace's kept results emptied (as after a load; --keep-results keeps them, as
after a restart), median over `--rounds` fresh servers; **warm**: back to the landing page and the link again.
The **reference**, in the same run: the same click on a bare two-page Streamlit app, before and after.

Queries: the same pages run in-process through Streamlit's AppTest (pages waiting for their slow work), every
`Workspace.cursor()` statement timed (execute and fetch) with DuckDB's profiler on, each credited to the
service whose `cached(...)` call or background job ran it (or the core function a page called directly):
the slowest service calls, the slowest statements with their sql/ file and costliest operators. Then a warm
pass under cProfile: what each page still does on a second visit. It prints figures and checks nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "pages"
sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
QUIET_MS = 1000  # idle this long with no new run before a visit counts as done (a page may rerun itself)
PAGE_TIMEOUT_MS = 900_000

# (key, page file) in app.py's order; the nav title is the catalog's nav.<key>
PAGES = [
    ("sales", "pages/sales.py"),
    ("products", "pages/products.py"),
    ("diagnosis", "pages/diagnosis.py"),
    ("ab_testing", "pages/ab_testing.py"),
    ("customer_tiers", "pages/customer_tiers.py"),
    ("budget", "pages/budget.py"),
    ("improvements", "pages/improvements.py"),
    ("data", "pages/data.py"),
]
LANDING, LANDING_FOR_DATA = "data", "ab_testing"  # where the session picks the workspace before a cold visit

BARE_APP = '''import streamlit as st

def one():
    st.title("One")
    st.write("the first page")

def two():
    st.title("Two")
    st.write("the second page")

st.navigation([st.Page(one, title="One", url_path="one", default=True), st.Page(two, title="Two", url_path="two")]).run()
'''

# Installed once per document; `pending` are the openings of the texts a page shows where slow work is still
# being worked out (catalog keys *_pending). Records, after each click: `shown`, the first moment the app is idle
# (the page drawn, sections of slow work may still say they are being worked out), and `idleSince`, the start of
# the current idle stretch with nothing pending. A run can be so quick that the script state never shows
# "running" in the DOM (React batches it away); then the page's content changing counts as the run, and idle
# starts at its last change.
WATCH_JS = """(pending) => {
  if (window.__bench) return;
  const busy = () => !document.querySelector('READY')
      || document.querySelector('[data-testid="stSkeleton"]') || document.querySelector('[data-testid="stSpinner"]');
  const waiting = () => Array.from(document.querySelectorAll('[data-testid="stAlert"]'))
      .some((alert) => pending.some((text) => alert.textContent.includes(text)));
  const state = {click: null, sawBusy: false, sawChange: false, shown: null, idleSince: null};
  const check = (changed) => {
    if (state.click === null) return;
    const now = performance.now();
    if (busy()) { state.sawBusy = state.sawChange = true; state.idleSince = null; return; }
    if (changed) state.sawChange = true;
    if (!state.sawChange) return;
    if (state.sawBusy && state.shown === null) state.shown = now;
    if (waiting()) { state.idleSince = null; return; }
    if (state.idleSince === null || (changed && !state.sawBusy)) state.idleSince = now;
  };
  window.__bench = state;
  document.addEventListener('click', () => {
    Object.assign(state, {click: performance.now(), sawBusy: false, sawChange: false, shown: null, idleSince: null});
    check(false);
  }, true);
  new MutationObserver((records) => {
    const main = document.querySelector('[data-testid="stMain"]');
    check(!!main && records.some((r) => main.contains(r.target)));
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['data-test-script-state']});
  setInterval(() => check(false), 20);
}""".replace("READY", READY.replace("'", "\\'"))

DONE_JS = """(quiet) => {
  const s = window.__bench;
  return s && s.click !== null && s.sawChange && s.idleSince !== null && performance.now() - s.idleSince >= quiet;
}"""

RESULT_JS = """() => {
  const s = window.__bench;
  return [((s.shown === null ? s.idleSince : Math.min(s.shown, s.idleSince)) - s.click) / 1000,
          (s.idleSince - s.click) / 1000];
}"""


def pending_texts() -> list[str]:
    """The opening words of every "being worked out" text (catalog keys ending in _pending), in English."""
    catalog = json.loads((ROOT / "core/platform/locales/en.json").read_text(encoding="utf-8"))
    return [re.split(r"[…{.]", text)[0][:40] for key, text in catalog.items() if key.endswith("_pending")]


# ---------------------------------------------------------------------------------------------- workspace

def python() -> str:
    return sys.executable


def build_workspace(rows: int) -> Path:
    """The big workspace, built once: `core sample` and each file it writes ingested by the CLI."""
    base = OUT / str(rows)
    data = base / "data"
    workspace = data / f"shop_{rows}.duckdb"
    marker = base / "built.json"
    if marker.exists() and workspace.exists():
        return workspace
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    sample = base / "sample"
    env = {**os.environ, "SHOPLENS_DATA_DIR": str(data)}  # the workspace's key file goes beside it
    started = perf_counter()
    made = subprocess.run([python(), "-m", "core", "sample", "--rows", str(rows), "--out", str(sample)],
                          cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    files = [line.split(": ", 1) for line in made.splitlines() if ": " in line]
    timings = {"sample_s": round(perf_counter() - started, 2)}
    for kind, path in files:
        started = perf_counter()
        done = subprocess.run([python(), "-m", "core", "ingest", "--workspace", str(workspace), path, "--kind", kind],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"ingest {kind} failed: {done.stderr}")
        timings[f"ingest_{kind}_s"] = round(perf_counter() - started, 2)
        timings[f"rows_{kind}"] = int(done.stdout.split()[0])
        print(f"  {done.stdout.strip()} in {timings[f'ingest_{kind}_s']:.1f} s", flush=True)
    marker.write_text(json.dumps(timings, indent=2))
    return workspace


# ---------------------------------------------------------------------------------------------- browser

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(script: Path, data: Path, log_path: Path):
    """`streamlit run script` on a free port, its workspaces in `data`; stopped (by its own pid) on exit."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [python(), "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "SHOPLENS_DATA_DIR": str(data)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_idle(page, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    page.wait_for_selector(READY, timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)


@dataclass
class Visit:
    shown: float  # seconds from the click to the page drawn (the first idle moment)
    settled: float  # ... to idle with nothing pending (slow sections filled in), for a quiet second


def visit(page, title: str, pending: list[str]) -> Visit:
    """Click the nav link `title` and wait until the app is idle with nothing pending for a quiet second."""
    page.evaluate(WATCH_JS, pending)
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()  # titles are no part of one another
    page.wait_for_function(DONE_JS, arg=QUIET_MS, timeout=PAGE_TIMEOUT_MS, polling=50)
    shown, settled = page.evaluate(RESULT_JS)
    problems = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
    if problems:
        print(f"    ! {title}: {' | '.join(p[:160] for p in problems)}", flush=True)
    return Visit(shown, settled)


def choose_workspace(page, name: str, orders: int) -> None:
    """The sidebar select, as tests/browser/conftest.py picks a workspace (again if a rerun closed the list)."""
    select = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Workspace")
    option = page.get_by_role("option", name=name, exact=True)
    for _ in range(5):
        wait_idle(page)
        select.click()
        try:
            option.click(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list closed before the click: open it again
            page.keyboard.press("Escape")
    else:
        raise RuntimeError(f"could not choose {name!r}: {page.get_by_role('option').all_inner_texts()}")
    # the rerun on the chosen shop: wait until the sidebar lists its orders
    page.get_by_test_id("stSidebar").get_by_text(f"Orders: {orders:,} rows").first.wait_for(timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


@dataclass
class PageTimes:
    cold: list[Visit] = field(default_factory=list)
    warm: list[Visit] = field(default_factory=list)

    def median(self, which: str, measure: str) -> float | None:
        values = [getattr(v, measure) for v in getattr(self, which)]
        return statistics.median(values) if values else None

    def text(self, which: str) -> str:
        visits = getattr(self, which)
        if not visits:
            return "-"
        shown, settled = (sorted(getattr(v, m) for v in visits) for m in ("shown", "settled"))
        return (f"shown {statistics.median(shown):.2f} s, settled {statistics.median(settled):.2f} s "
                f"(n={len(visits)}, settled {settled[0]:.2f}-{settled[-1]:.2f})")


def titles() -> dict[str, str]:
    from core.platform.i18n import translate

    return {key: translate(f"nav.{key}", "en") for key, _ in PAGES}


def forget_kept_results(workspace: Path) -> int:
    """Empty the workspace's kept results (slow work kept across restarts), so a cold visit computes everything,
    as the first visit after a load does. The server must not be running."""
    import duckdb

    con = duckdb.connect(str(workspace))
    try:
        if not con.execute("select count(*) from duckdb_tables() where table_name = 'kept_results'").fetchone()[0]:
            return 0
        count = con.execute("select count(*) from kept_results").fetchone()[0]
        con.execute("delete from kept_results")
        return count
    finally:
        con.close()


def measure_app(browser, workspace: Path, orders: int, keys: list[str], rounds: int, logs: Path,
                keep_results: bool) -> dict[str, PageTimes]:
    """Per round and page: a fresh server, the landing page on the demo, the big workspace chosen there, then
    the page (cold) and, `rounds` times in the first round and once after, landing and page again (warm)."""
    names, pending = titles(), pending_texts()
    times = {key: PageTimes() for key in keys}
    for round_number in range(rounds):
        for key in keys:
            landing = LANDING_FOR_DATA if key == LANDING else LANDING
            if not keep_results:
                forget_kept_results(workspace)
            with server(ROOT / "app.py", workspace.parent, logs / f"server-{key}-{round_number}.log") as url:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                try:
                    page.goto(url)
                    wait_idle(page)
                    visit(page, names[landing], pending)  # on the demo shop
                    choose_workspace(page, workspace.stem, orders)
                    cold = visit(page, names[key], pending)
                    times[key].cold.append(cold)
                    warm = []
                    for _ in range(rounds if round_number == 0 else 1):
                        visit(page, names[landing], pending)
                        warm.append(visit(page, names[key], pending))
                    times[key].warm.extend(warm)
                    print(f"  round {round_number + 1} {names[key]:<16} cold shown {cold.shown:6.2f} settled "
                          f"{cold.settled:6.2f} s; warm settled " + " ".join(f"{w.settled:.2f}" for w in warm), flush=True)
                except Exception as error:  # noqa: BLE001 - one page's failure must not lose the others' figures
                    page.screenshot(path=str(logs / f"fail-{key}-{round_number}.png"))
                    print(f"  round {round_number + 1} {names[key]}: FAILED {type(error).__name__}: {str(error)[:300]}",
                          flush=True)
                finally:
                    context.close()
    return times


def measure_bare(browser, rounds: int, logs: Path) -> PageTimes:
    """The reference: the same click on a bare two-page Streamlit app, cold (fresh server) and warm."""
    script = OUT / "bare_app.py"
    script.write_text(BARE_APP)
    times = PageTimes()
    empty = logs / "bare-data"
    empty.mkdir(exist_ok=True)
    for round_number in range(rounds):
        with server(script, empty, logs / f"server-bare-{round_number}.log") as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            try:
                page.goto(url)
                wait_idle(page)
                times.cold.append(visit(page, "Two", []))
                for _ in range(rounds):
                    visit(page, "One", [])
                    times.warm.append(visit(page, "Two", []))
            finally:
                context.close()
    return times


def run_browser(workspace: Path, orders: int, keys: list[str], rounds: int, keep_results: bool) -> dict:
    from playwright.sync_api import sync_playwright

    logs = workspace.parent.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print("reference: bare two-page Streamlit app", flush=True)
            before = measure_bare(browser, rounds, logs)
            print(f"  cold {before.text('cold')}\n  warm {before.text('warm')}", flush=True)
            print(f"ShopLens on {workspace.name}" + (" (kept results kept)" if keep_results else " (kept results emptied before each server)"),
                  flush=True)
            pages = measure_app(browser, workspace, orders, keys, rounds, logs, keep_results)
            print("reference again", flush=True)
            after = measure_bare(browser, rounds, logs)
            print(f"  cold {after.text('cold')}\n  warm {after.text('warm')}", flush=True)
        finally:
            browser.close()
    return {"bare": PageTimes(cold=before.cold + after.cold, warm=before.warm + after.warm), "pages": pages}


# ---------------------------------------------------------------------------------------------- queries

@dataclass
class Statement:
    page: str
    service: str
    source: str
    sql: str
    seconds: float = 0.0
    operators: list[tuple[str, float]] = field(default_factory=list)


def sql_files() -> dict[str, str]:
    """Query text (as core reads it) -> its file under sql/, to name a statement by its file."""
    from core.platform.paths import SQL_DIR

    return {" ".join(p.read_text(encoding="utf-8").split()): str(p.relative_to(ROOT)) for p in SQL_DIR.rglob("*.sql")}


def _who(frame) -> tuple[str, str]:
    """(service, source) for the statement being run: the `cached(...)` target above it on the stack (or, for a
    call a page makes directly, the page file and the outermost core function), and the innermost core function
    that sent it (outside core/platform when there is one)."""
    source = inner = service = None
    while frame is not None:
        code = frame.f_code
        path = Path(code.co_filename)
        if code.co_name == "_cached_call" and path.name == "state.py":
            return frame.f_locals.get("target", "?"), source or inner or "?"
        if code.co_name == "_run" and path.name == "background.py":  # slow work a page asked for, on the worker
            return f"{frame.f_locals.get('service', '?')} (background)", source or inner or "?"
        if ROOT / "core" in path.parents:
            name = f"{path.relative_to(ROOT)}:{code.co_name}"
            inner = inner or name
            if "platform" not in path.parts and source is None:
                source = name
            service = f"{path.relative_to(ROOT).with_suffix('')}".replace("/", ".") + f":{code.co_name}"
        if ROOT / "pages" in path.parents or path == ROOT / "app.py":
            return f"({path.relative_to(ROOT)}) {service or '?'}", source or inner or "?"
        frame = frame.f_back
    return service or "?", source or inner or "?"


def _operators(info: str) -> list[tuple[str, float]]:
    """The costliest operators of the last statement's profile: (name with its detail, seconds)."""
    try:
        tree = json.loads(info)
    except (TypeError, ValueError):
        return []
    found = []

    def walk(node):
        extra = node.get("extra_info") or {}
        detail = extra.get("Join Type") or extra.get("Table") or extra.get("Function") or extra.get("Aggregates") or ""
        if isinstance(detail, list):
            detail = ",".join(detail)
        found.append((f"{node.get('type', '?')}{' ' + str(detail)[:60] if detail else ''}", float(node.get("timing") or 0)))
        for child in node.get("children", []):
            walk(child)

    for node in tree.get("operator", tree.get("children", [])):
        walk(node)
    return sorted(found, key=lambda item: -item[1])[:3]


class TimedCursor:
    """A DuckDB cursor whose statements are timed (execute and fetch together) and profiled."""

    FETCHES = ("fetchdf", "fetch_df", "df", "fetchall", "fetchone", "fetchmany", "fetchnumpy", "arrow", "fetch_arrow_table", "pl")

    def __init__(self, cursor, log: list[Statement], page: list[str], files: dict[str, str]):
        self._cursor, self._log, self._page, self._files = cursor, log, page, files
        self._last: Statement | None = None
        cursor.execute("pragma enable_profiling='no_output'")

    def execute(self, sql, *args, **kwargs):
        service, source = _who(sys._getframe(1))
        started = perf_counter()
        self._cursor.execute(sql, *args, **kwargs)
        seconds = perf_counter() - started
        text = " ".join(str(sql).split())
        file = self._files.get(text)
        self._last = Statement(self._page[0], service, f"{file} via {source}" if file else source, text, seconds)
        self._log.append(self._last)
        self._profile()
        return self

    def _profile(self):
        try:
            self._last.operators = _operators(self._cursor.get_profiling_information(format="json"))
        except Exception:  # noqa: BLE001 - a statement without a profile (pragma, transaction) keeps none
            pass

    def __getattr__(self, name):
        attribute = getattr(self._cursor, name)
        if name not in self.FETCHES or not callable(attribute):
            return attribute

        def timed(*args, **kwargs):
            started = perf_counter()
            result = attribute(*args, **kwargs)
            if self._last is not None:
                self._last.seconds += perf_counter() - started
            return result

        return timed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()
        return False


def run_queries(workspace: Path, keys: list[str]) -> dict:
    """Every page once through AppTest on the big workspace, in app.py's order, every statement timed. Caches are
    kept, as in the browser: a service two pages share counts on the first. Kept results are emptied first and
    the pages wait for their slow work (SHOPLENS_WAIT_FOR_MODELS), so that work is timed too."""
    forget_kept_results(workspace)
    os.environ["SHOPLENS_DATA_DIR"] = str(workspace.parent)
    os.environ["SHOPLENS_WAIT_FOR_MODELS"] = "1"
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" from worker threads
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core.platform import background
    from core.platform.workspace import Workspace
    from pages.components import state

    log: list[Statement] = []
    services: list[tuple[str, str, float]] = []  # (page, service, seconds): a whole service call, Python and SQL
    page_now = ["sales"]  # the first run lands on Sales
    files = sql_files()
    plain_cursor, plain_call, plain_run = Workspace.cursor, state._cached_call, background._run
    Workspace.cursor = lambda self: TimedCursor(plain_cursor(self), log, page_now, files)

    @st.cache_data(show_spinner=False, max_entries=256)
    def timed_call(target, path, versions, args, kwargs):
        started = perf_counter()
        try:
            return plain_call.__wrapped__(target, path, versions, args, kwargs)
        finally:
            services.append((page_now[0], target, perf_counter() - started))

    def timed_run(workspace_, service, inputs, data_version, compute):
        started = perf_counter()
        try:
            return plain_run(workspace_, service, inputs, data_version, compute)
        finally:
            services.append((page_now[0], f"{service} (background)", perf_counter() - started))

    state._cached_call, background._run = timed_call, timed_run
    page_seconds = {}
    try:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=PAGE_TIMEOUT_MS / 1000)
        app.session_state["workspace_path"] = str(workspace.resolve())
        started = perf_counter()
        app.run()  # lands on Sales, with the big workspace (opening it, and the sidebar, count here)
        for key, path in PAGES:
            if key not in keys:
                continue
            if key != "sales":
                page_now[0] = key
                started = perf_counter()
                app.switch_page(path).run()
            page_seconds[key] = perf_counter() - started
            errors = [e.value for e in app.exception] + [e.value for e in app.error]
            print(f"  {key:<16} {page_seconds[key]:7.2f} s in process, {sum(1 for s in log if s.page == key)} statements"
                  + (f"  ! {str(errors)[:300]}" if errors else ""), flush=True)
        print("\nWarm pass: every page again with its caches warm, profiled (cProfile)", flush=True)
        warm = warm_pass(app, keys, state, page_now)
    finally:
        Workspace.cursor, state._cached_call, background._run = plain_cursor, plain_call, plain_run
    return {"statements": log, "page_seconds": page_seconds, "services": services, "warm": warm}


def warm_pass(app, keys: list[str], state, page_now: list[str]) -> dict:
    """Every page again, its caches warm (visits 2 and 3, from the landing page, then a rerun in place), the
    third visit under cProfile: what a page still does on a later visit, as the time of each call a page file
    makes into core/ (cached services are cache hits by now, so what shows is uncached work: charts, optimisers,
    lists, or a cache miss). cProfile slows Python down; read the shares, not the seconds."""
    import cProfile
    import pstats

    plain_run_page = state.run_page
    profiles: dict[str, cProfile.Profile] = {}
    current = [""]

    def profiled_run_page(render):  # runs on AppTest's script thread, where the page's work happens
        profile = profiles.setdefault(current[0], cProfile.Profile())
        profile.enable()
        try:
            plain_run_page(render)
        finally:
            profile.disable()

    state.run_page = profiled_run_page
    found = {}
    try:
        for key, path in PAGES:
            if key not in keys:
                continue
            landing = dict(PAGES)[LANDING_FOR_DATA if key == LANDING else LANDING]
            for visit_number in (2, 3):  # back from another page, as a visitor comes back
                current[0], page_now[0] = "", f"{key}, visit {visit_number}"
                app.switch_page(landing).run()
                current[0] = key if visit_number == 3 else ""  # the third visit is profiled
                started = perf_counter()
                app.switch_page(path).run()
                seconds = perf_counter() - started
            current[0], page_now[0] = "", f"{key}, rerun"
            app.run()  # the same page again, as after a click on one of its widgets: the inputs may have settled
            edges: dict[str, float] = defaultdict(float)
            for callee, (_, _, _, _, callers) in pstats.Stats(profiles[key]).stats.items():
                if ROOT / "core" not in Path(callee[0]).parents:
                    continue
                for caller, edge in callers.items():
                    if ROOT / "pages" in Path(caller[0]).parents:
                        edges[f"{Path(callee[0]).relative_to(ROOT)}:{callee[2]}"] += edge[3]
            top = sorted(edges.items(), key=lambda item: -item[1])[:5]
            found[key] = {"seconds": seconds, "calls": top}
            print(f"  {key:<16} warm run {seconds:6.2f} s (profiled); from the page into core: "
                  + ", ".join(f"{name} {sec:.2f}" for name, sec in top), flush=True)
    finally:
        state.run_page = plain_run_page
    return found


def print_queries(found: dict, top: int) -> list[dict]:
    statements: list[Statement] = found["statements"]
    by_page = defaultdict(float)
    for s in statements:
        by_page[s.page] += s.seconds
    print("\nSQL time per page (in process, every statement timed):")
    for page, seconds in found["page_seconds"].items():
        print(f"  {page:<28} page run {seconds:7.2f} s   SQL {by_page.get(page, 0):7.2f} s")
    misses = [item for item in found["services"] if "," in item[0]]
    print("\nService calls on later visits and reruns (cache misses: the inputs differ from the first visit's):")
    for page, service, seconds in sorted(misses, key=lambda item: -item[2]) or [("-", "none", 0.0)]:
        print(f"  {seconds:7.2f} s  {page:<26} {service}")
    print(f"\nThe {top} slowest service calls on first visits (the whole call: Python and SQL):")
    calls = sorted((item for item in found["services"] if item not in misses), key=lambda item: -item[2])[:top]
    for page, service, seconds in calls:
        sql = sum(s.seconds for s in statements if s.page == page and s.service == service)
        print(f"  {seconds:7.2f} s  (SQL {sql:6.2f} s)  {page:<15} {service}")
    ranked = sorted(statements, key=lambda s: -s.seconds)[:top]
    print(f"\nThe {top} slowest statements (execute + fetch, seconds; DuckDB's costliest operators, CPU s summed over threads):")
    rows = []
    for rank, s in enumerate(ranked, 1):
        ops = "; ".join(f"{name} {sec:.2f}" for name, sec in s.operators)
        print(f"{rank:>3}. {s.seconds:6.2f} s  {s.page:<15} {s.service}\n       {s.source}\n       ops: {ops}\n"
              f"       sql: {s.sql[:150]}")
        rows.append({"rank": rank, "seconds": round(s.seconds, 3), "page": s.page, "service": s.service,
                     "source": s.source, "operators": s.operators, "sql": s.sql[:500]})
    grouped = defaultdict(lambda: [0.0, 0])
    for s in statements:
        entry = grouped[(s.service, s.source)]
        entry[0] += s.seconds
        entry[1] += 1
    print(f"\nSQL time per service and source, all pages (top {top}):")
    for (service, source), (seconds, count) in sorted(grouped.items(), key=lambda item: -item[1][0])[:top]:
        print(f"  {seconds:7.2f} s  {count:>4} stmt  {service}  <- {source}")
    return rows


# ---------------------------------------------------------------------------------------------- main

def code_state() -> dict:
    """Which code was measured: the commit and the files changed since (others work in the same tree)."""
    def git(*command):
        return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "changed": git("status", "--short").splitlines()}


def print_pages(rows: int, bare: PageTimes, pages: dict[str, PageTimes]) -> dict:
    names = titles()
    ref = {which: bare.median(which, "settled") for which in ("cold", "warm")}
    print(f"\nPages, {rows:,} order lines: seconds from the nav click to the page shown (first idle) and settled "
          "(idle, nothing pending, for a quiet second);\nmedians; x = settled / the bare app's")
    print(f"  {'page':<17} {'cold shown':>10} {'settled':>8} {'x':>6}   {'warm shown':>10} {'settled':>8} {'x':>6}")
    figures = {"reference": {"cold": [vars(v) for v in bare.cold], "warm": [vars(v) for v in bare.warm]}, "pages": {}}
    for key, label in [(None, "(bare app)"), *((k, names[k]) for k in pages)]:
        times = bare if key is None else pages[key]
        cells = []
        for which in ("cold", "warm"):
            shown, settled = times.median(which, "shown"), times.median(which, "settled")
            cells.append("      failed              " if settled is None else
                         f"{shown:10.2f} {settled:8.2f} {settled / ref[which]:6.1f}")
        print(f"  {label:<17} {cells[0]}   {cells[1]}")
        if key is not None:
            figures["pages"][key] = {"cold": [vars(v) for v in times.cold], "warm": [vars(v) for v in times.warm]}
    return figures


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--rounds", type=int, default=3, help="fresh servers per page (cold), and warm visits")
    options.add_argument("--pages", default=",".join(k for k, _ in PAGES), help="comma-separated page keys")
    options.add_argument("--top", type=int, default=15, help="slowest statements to list")
    options.add_argument("--keep-results", action="store_true",
                         help="keep the workspace's kept results between servers (a restart, not a first visit)")
    options.add_argument("--skip-browser", action="store_true")
    options.add_argument("--skip-queries", action="store_true")
    options.add_argument("--json", type=Path)
    args = options.parse_args()
    keys = [k for k in args.pages.split(",") if k]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still stops the server it started

    print(f"workspace: {args.rows:,} order lines", flush=True)
    workspace = build_workspace(args.rows)
    result: dict = {"rows": args.rows, "rounds": args.rounds, "code": code_state(),
                    "build": json.loads((OUT / str(args.rows) / "built.json").read_text())}
    print(f"  {workspace} ({workspace.stat().st_size / 1e6:,.0f} MB)", flush=True)

    if not args.skip_browser:
        found = run_browser(workspace, result["build"]["rows_orders"], keys, args.rounds, args.keep_results)
        result.update(print_pages(args.rows, found["bare"], found["pages"]))

    if not args.skip_queries:
        print("\nQueries: every page once in process (AppTest), in the navigation's order", flush=True)
        try:
            found = run_queries(workspace, keys)
            result["queries"] = {"page_seconds": found["page_seconds"], "slowest": print_queries(found, args.top),
                                 "services": found["services"], "warm": found["warm"]}
        except Exception:  # noqa: BLE001 - the browser figures above still count
            traceback.print_exc()

    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
