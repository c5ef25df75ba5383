"""Page times in Chromium on a big workspace, and the slowest queries behind them (issue 16).

    .venv/bin/python bench/pages.py [--rows 1000000] [--rounds 3] [--pages customer_tiers,data] [--top 15]
                                    [--keep-results] [--skip-browser] [--skip-queries] [--json out.json]
    .venv/bin/python bench/pages.py --reactions [--before /path/to/other/checkout] [--pages budget] [--json out.json]
    .venv/bin/python bench/pages.py --growth 10000,100000,1000000,10000000 [--repeat 2] [--top 30] [--json out.json]

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

Reactions (`--reactions`, instead of the above): per page, a fresh server, the big workspace chosen, the page
visited twice, then the widgets a marketer touches there (REACTIONS), each changed three times, from the click or
key press that commits the change to idle with nothing pending for a quiet second, as for a visit; the same kinds
of widget on a bare one-page Streamlit app before and after (the reference). Kept results are kept (the page's
slow work is done, as on a later visit). `--before DIR` measures another checkout of the app (its own app.py,
pages/ and core/, same workspace) in turn with this one, page by page, so a change is compared in one run.

Growth (`--growth SIZES`, instead of the above): for each round and size in turn, a fresh process runs the query
pass (no browser, no warm pass) on a private copy of that size's workspace (`<rows>/growth/`: no one else's kept
results emptied, no other process's lock met); then, per page, per service call and per statement, the seconds
at each size (medians of `--repeat` rounds), seconds per million lines, and the ratio of the largest size to the
one before, flagged (!) from 1.2x linear up; the load average before and after each run.
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
# being worked out (catalog keys *_pending). Records, after each click or key press (a slider or a date moved from
# the keyboard): `shown`, the first moment the app is idle (the page drawn, sections of slow work may still say
# they are being worked out), and `idleSince`, the start of the current idle stretch with nothing pending. A run
# can be so quick that the script state never shows "running" in the DOM (React batches it away); then the page's
# content changing counts as the run, and idle starts at its last change.
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
  const start = () => {
    Object.assign(state, {click: performance.now(), sawBusy: false, sawChange: false, shown: null, idleSince: null});
    check(false);
  };
  document.addEventListener('click', start, true);
  document.addEventListener('keydown', start, true);  // a widget moved from the keyboard (slider, date, Enter)
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
        _register(workspace)
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
    _register(workspace)
    return workspace


REGISTER = [("Lift the order value", "aov", "2026-02-02"), ("More orders from the app", "orders", "2026-05-04"),
            ("Bring back lapsed buyers", "gmv", "2026-08-03")]  # three quarters, so the review has one to pick


def _register(workspace: Path) -> None:
    """Improvement entries in three quarters (once): the Improvements page's quarter to choose is then shown."""
    env = {**os.environ, "SHOPLENS_DATA_DIR": str(workspace.parent)}
    listed = subprocess.run([python(), "-m", "core", "improvements", "list", "--workspace", str(workspace), "--json"],
                            cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    if json.loads(listed)["improvements"]:
        return
    for title, metric, start in REGISTER:
        subprocess.run([python(), "-m", "core", "improvements", "add", "--workspace", str(workspace), "--title", title,
                        "--metric", metric, "--impact", "3", "--urgency", "3", "--owner", "bench", "--start", start],
                       cwd=ROOT, env=env, check=True, capture_output=True)


# ---------------------------------------------------------------------------------------------- browser

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(script: Path, data: Path, log_path: Path, cwd: Path = ROOT):
    """`streamlit run script` on a free port, its workspaces in `data`, from `cwd` (another checkout of the app:
    its own code); stopped (by its own pid) on exit."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [python(), "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env={**os.environ, "SHOPLENS_DATA_DIR": str(data)}, stdout=log, stderr=subprocess.STDOUT)
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


def visit(page, title: str, pending: list[str], timeout_ms: int = PAGE_TIMEOUT_MS) -> Visit:
    """Click the nav link `title` and wait until the app is idle with nothing pending for a quiet second."""
    page.evaluate(WATCH_JS, pending)
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()  # titles are no part of one another
    page.wait_for_function(DONE_JS, arg=QUIET_MS, timeout=timeout_ms, polling=50)
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


# ---------------------------------------------------------------------------------------------- reactions

# The widgets a marketer touches on each page, found by their Streamlit key (the element's class st-key-<key>;
# a key ending in "*" is a prefix: keys that carry a channel's name or a saved choice). Each is changed three
# times: a slider or number one step on, a select box, radio or segmented control to the next option (or to
# `targets`, in turn), a toggle flipped, a date to the day before in its calendar. Settings a change saves (the tier money lines) are put
# back afterwards, unmeasured. Budget's horizon comes last: its amounts are kept per horizon.
REACTIONS: dict[str, list[tuple[str, str, str, tuple[str, ...] | None]]] = {
    "sales": [
        ("period", "sales_preset", "segmented", ("Last 7 days", "Last 90 days", "Last 30 days")),
        ("show by", "sales_grain", "segmented", None),
    ],
    "products": [
        ("period", "products_preset", "segmented", ("Last 7 days", "Last 90 days", "Last 30 days")),
        ("slow-mover days", "slow_days", "number", None),
        ("min support", "basket_support", "slider", None),
        ("min confidence", "basket_confidence", "slider", None),
        ("bought with", "basket_product", "selectbox", None),
        ("weeks ahead", "forecast_horizon", "slider", None),
        ("forecast product", "forecast_sku", "selectbox", None),
        ("lead time", "restock_lead", "number", None),
        ("service level", "restock_level", "slider", None),
    ],
    "diagnosis": [
        ("period", "diagnosis_preset", "segmented", ("Last 7 days", "Last 90 days", "Last 30 days")),
        ("funnel segment", "funnel_segment", "selectbox", None),
    ],
    "ab_testing": [
        ("alpha", "ab_alpha", "selectbox", None),
        ("experiment", "ab_experiment", "selectbox", None),
        ("planner baseline", "plan_baseline", "number", None),
        ("relative effect", "plan_relative", "toggle", None),
        ("share of traffic", "plan_share", "slider", None),
        ("results from", "ab_source", "radio", None),
    ],
    "customer_tiers": [  # one section at a time: the section picks measured as reactions too, ending on the next one
        ("as of", "tiers_as_of", "date", None),
        ("orders counted", "tiers_window", "selectbox", None),
        ("money lines", "tier_lines_*", "radio", None),
        ("section > clusters", "tiers_section", "segmented", ("Tier movement", "Churn risk", "Clusters")),
        ("clusters", "cluster_k", "selectbox", None),
        ("section > lists", "tiers_section", "segmented", ("Touch plan", "Tiers and segments", "Customer lists")),
        ("tier to export", "export_tier", "selectbox", ("VIP", "Potential", "Normal")),
        ("hold out", "touch_holdout", "slider", None),
    ],
    "budget": [
        ("campaign budget", "budget_total_1m", "number", None),
        ("channel slider", "slider_*", "slider", None),
        ("hold total", "budget_hold", "toggle", None),
        ("total to split", "opt_total_1m", "number", None),
        ("keep in history", "opt_keep_history", "toggle", None),
        ("matrix by tier", "matrix_by_tier", "toggle", None),
        ("plan for", "budget_horizon", "radio", None),
    ],
    "improvements": [
        ("window", "improvements_window", "slider", None),
        ("quarter", "improvements_quarter", "selectbox", None),
    ],
}
# Pages that show one section at a time (decision 0021): the query pass opens each after the first, in turn
SECTIONS = {"customer_tiers": ("tiers_section", ("movement", "groups", "churn", "plan", "lists"))}
RESTORE = {"tier_lines_*"}  # saved in the workspace by the change: put back as found
CHANGES = 3
REACTION_TIMEOUT_MS = 300_000  # a change that never settles (nothing moved) fails after this

# The reference: the same kinds of widget on a bare one-page app, each rerun drawing its value.
BARE_WIDGETS_APP = '''import datetime

import streamlit as st

st.title("Widgets")
values = [
    st.segmented_control("A segmented control", ["one", "two", "three", "four"], default="one", key="segmented"),
    st.number_input("A number", 0, 1000, 10, key="number"),
    st.slider("A slider", 0, 100, 50, key="slider"),
    st.selectbox("A select box", ["one", "two", "three", "four"], key="selectbox"),
    st.toggle("A toggle", key="toggle"),
    st.radio("A radio", ["one", "two", "three"], horizontal=True, key="radio"),
    st.date_input("A date", datetime.date(2025, 6, 30), key="date"),
]
st.write(" ".join(str(value) for value in values))
'''
BARE_WIDGETS = [(kind, kind, kind, None) for kind in ("segmented", "number", "slider", "selectbox", "toggle", "radio", "date")]


def _widget(page, key: str):
    selector = f'[class*="st-key-{key[:-1]}"]' if key.endswith("*") else f".st-key-{key}"
    return page.locator(selector).first


def _now(box, kind: str) -> str:
    """The option a radio or select box shows (what a change is put back to)."""
    if kind == "radio":
        return box.locator('[data-testid="stRadioOption"][data-selected="true"]').first.inner_text().strip()
    if kind == "selectbox":
        return box.get_by_role("combobox").first.input_value().strip()
    return ""


def _change(page, box, kind: str, target: str | None, memory: dict) -> str:
    """Make one change a visitor would make; the click or key press that commits it starts the watcher's clock."""
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # a list opened while the page still scrolls closes again (react-aria)
    if kind == "slider":
        thumb = box.locator('input[type="range"]').first
        now, top = float(thumb.input_value()), float(thumb.get_attribute("max"))
        thumb.focus()
        key = memory.setdefault("key", "ArrowRight" if now < top else "ArrowLeft")  # onwards: new values each time
        thumb.press(key)
        return f"{key} from {now:g}"
    if kind == "number":
        box.get_by_test_id("stNumberInputStepUp").click()
        return "step up"
    if kind == "toggle":
        box.locator("label").first.click()
        return "flipped"
    if kind == "date":  # the day before, in the calendar (a typed day is committed only when the field is left)
        box.get_by_role("button", name="Choose date").click()
        page.locator('[role="gridcell"] [data-selected="true"]').first.wait_for(timeout=10_000)
        page.keyboard.press("ArrowLeft")  # the calendar opens on the chosen day; the day before, across months too
        target = page.locator('[role="gridcell"] [data-focused="true"]').first.get_attribute("aria-label")
        page.keyboard.press("Enter")
        return target
    if kind in ("segmented", "radio"):
        options = box.get_by_role("radio") if kind == "segmented" else box.get_by_test_id("stRadioOption")
        texts = [text.strip() for text in options.all_inner_texts()]
        if target is None:
            chosen = [i for i in range(options.count()) if options.nth(i).get_attribute("data-selected") == "true"]
            target = texts[(chosen[0] + 1) % len(texts) if chosen else 0]
        options.nth(texts.index(target)).click()
        return target
    if kind == "selectbox":
        options = page.get_by_role("option")
        for attempt in range(5):  # a list opened while the page below still moves (a chart drawn) closes again
            box.locator('button[aria-haspopup="listbox"]').first.click()  # the box's own "Open" button
            try:
                options.first.wait_for(timeout=2_000)
                break
            except Exception:  # noqa: BLE001 - open it again, a little later
                page.keyboard.press("Escape")
                page.wait_for_timeout(500 * (attempt + 1))
        else:
            raise RuntimeError("the select box's list did not open")
        texts = [text.strip() for text in options.all_inner_texts()]
        if target is None:
            chosen = [i for i in range(options.count()) if options.nth(i).get_attribute("aria-selected") == "true"]
            target = texts[(chosen[0] + 1) % len(texts) if chosen else 0]
        options.nth(texts.index(target)).click()
        return target
    raise ValueError(kind)


@dataclass
class Reaction:
    page: str
    widget: str
    kind: str
    visits: list[Visit] = field(default_factory=list)
    note: str = ""

    def median(self, measure: str) -> float | None:
        values = [getattr(v, measure) for v in self.visits]
        return statistics.median(values) if values else None


def react(page, widgets, page_key: str, pending: list[str]) -> list[Reaction]:
    """Each widget changed CHANGES times; per change, from its click or key press to idle with nothing pending for a
    quiet second (the watcher of the page visits)."""
    found = []
    for label, key, kind, targets in widgets:
        reaction = Reaction(page_key, label, kind)
        found.append(reaction)
        box = _widget(page, key)
        try:
            box.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - not on this page for this shop (say, no second funnel segment)
            reaction.note = "not shown"
            print(f"    {label:<18} not shown", flush=True)
            continue
        first = _now(box, kind) if key in RESTORE else None
        done: list[str] = []
        memory: dict = {}
        try:
            for change in range(CHANGES):
                box = _widget(page, key)  # a key with a saved choice in it is another element after the change
                page.evaluate(WATCH_JS, pending)
                did = _change(page, box, kind, None if targets is None else targets[change % len(targets)], memory)
                page.wait_for_function(DONE_JS, arg=QUIET_MS, timeout=REACTION_TIMEOUT_MS, polling=50)
                reaction.visits.append(Visit(*page.evaluate(RESULT_JS)))
                problems = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
                if problems:
                    reaction.note = "error: " + " | ".join(p[:160] for p in problems)
                    print(f"    ! {label}: {reaction.note}", flush=True)
                done.append(did)
            if first is not None and _now(_widget(page, key), kind) != first:
                page.evaluate(WATCH_JS, pending)
                _change(page, _widget(page, key), kind, first, {})
                page.wait_for_function(DONE_JS, arg=QUIET_MS, timeout=REACTION_TIMEOUT_MS, polling=50)
        except Exception as error:  # noqa: BLE001 - one widget's failure must not lose the others' figures
            reaction.note = f"FAILED {type(error).__name__}: {str(error).splitlines()[0][:200]}"
        reaction.note = reaction.note or "; ".join(done)
        print(f"    {label:<18} " + " ".join(f"{v.shown:.2f}/{v.settled:.2f}" for v in reaction.visits)
              + f"  ({reaction.note})", flush=True)
    return found


def measure_reactions(browser, workspace: Path, orders: int, keys: list[str], logs: Path,
                      trees: dict[str, Path]) -> dict[str, dict[str, list[Reaction]]]:
    """Per page, and per tree in turn (this checkout, and `--before` when given): a fresh server, the landing page
    on the demo, the big workspace chosen, the page visited twice (the second a warm visit), then its widgets."""
    names, pending = titles(), pending_texts()
    found: dict[str, dict[str, list[Reaction]]] = {tree: {} for tree in trees}
    for key in keys:
        if key not in REACTIONS:
            continue
        landing = LANDING_FOR_DATA if key == LANDING else LANDING
        for tree, root in trees.items():
            print(f"  {names[key]} ({tree})", flush=True)
            log = logs / f"server-reactions-{key}-{tree}.log"
            with server(root / "app.py", workspace.parent, log, cwd=root) as url:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                try:
                    page.goto(url)
                    wait_idle(page)
                    visit(page, names[landing], pending, REACTION_TIMEOUT_MS)
                    choose_workspace(page, workspace.stem, orders)
                    first = visit(page, names[key], pending, REACTION_TIMEOUT_MS)
                    visit(page, names[landing], pending, REACTION_TIMEOUT_MS)
                    warm = visit(page, names[key], pending, REACTION_TIMEOUT_MS)
                    print(f"    first visit {first.shown:.2f}/{first.settled:.2f}, warm visit {warm.shown:.2f}/{warm.settled:.2f}",
                          flush=True)
                    found[tree][key] = react(page, REACTIONS[key], key, pending)
                except Exception as error:  # noqa: BLE001 - one page's failure must not lose the others' figures
                    page.screenshot(path=str(logs / f"fail-reactions-{key}-{tree}.png"))
                    print(f"    FAILED {type(error).__name__}: {str(error)[:300]}", flush=True)
                finally:
                    context.close()
    return found


def measure_bare_widgets(browser, logs: Path) -> list[Reaction]:
    script = OUT / "bare_widgets.py"
    script.write_text(BARE_WIDGETS_APP)
    empty = logs / "bare-data"
    empty.mkdir(exist_ok=True)
    with server(script, empty, logs / "server-bare-widgets.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(url)
            wait_idle(page)
            return react(page, BARE_WIDGETS, "(bare app)", [])
        finally:
            context.close()


def run_reactions(workspace: Path, orders: int, keys: list[str], before: Path | None) -> dict:
    from playwright.sync_api import sync_playwright

    logs = workspace.parent.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    trees = {"after": ROOT, **({"before": before.resolve()} if before else {})}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print("reference: the same widgets on a bare Streamlit app", flush=True)
            bare = measure_bare_widgets(browser, logs)
            print(f"ShopLens on {workspace.name}, kept results kept" + (f"; before = {before}" if before else ""), flush=True)
            pages = measure_reactions(browser, workspace, orders, keys, logs, trees)
            print("reference again", flush=True)
            again = measure_bare_widgets(browser, logs)
        finally:
            browser.close()
    for first, second in zip(bare, again):
        first.visits += second.visits
    return {"bare": bare, "pages": pages}


def print_reactions(found: dict) -> dict:
    """page / widget / seconds: medians of the changes, settled (idle, nothing pending, a quiet second) with shown
    (first idle) where they differ; x = settled / the bare app's settled for the same kind of widget."""
    bare = {reaction.kind: reaction.median("settled") for reaction in found["bare"]}
    trees = list(found["pages"])
    print(f"\nReactions, seconds from the change (click or key press) to idle, median of {CHANGES} changes per widget"
          f" ({', '.join(trees)}); x = settled / the bare app's for that kind of widget")
    header = "".join(f" {tree + ' s':>10} {'x':>5}" for tree in trees)
    print(f"  {'page':<15} {'widget':<18} {'kind':<10}{header}")

    def cell(reaction: Reaction | None) -> str:
        if reaction is None or not reaction.visits:
            return f" {'-':>10} {'':>5}"
        settled, shown = reaction.median("settled"), reaction.median("shown")
        text = f"{settled:.2f}" if settled - shown < 0.05 else f"{shown:.2f}/{settled:.2f}"
        ref = bare.get(reaction.kind)
        return f" {text:>10} {settled / ref if ref else float('nan'):5.1f}"

    for reaction in found["bare"]:
        print(f"  {'(bare app)':<15} {reaction.widget:<18} {reaction.kind:<10}{cell(reaction)}")
    figures = {"bare": [_reaction_json(r) for r in found["bare"]], "pages": {}}
    first = found["pages"][trees[0]]
    for key, reactions in first.items():
        for index, reaction in enumerate(reactions):
            others = [found["pages"][tree].get(key, [])[index:index + 1] for tree in trees]
            cells = "".join(cell(other[0] if other else None) for other in others)
            print(f"  {key:<15} {reaction.widget:<18} {reaction.kind:<10}{cells}")
    for tree in trees:
        figures["pages"][tree] = {key: [_reaction_json(r) for r in reactions] for key, reactions in found["pages"][tree].items()}
    return figures


def _reaction_json(reaction: Reaction) -> dict:
    return {"widget": reaction.widget, "kind": reaction.kind, "note": reaction.note, "visits": [vars(v) for v in reaction.visits]}


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


def run_queries(workspace: Path, keys: list[str], warm: bool = True) -> dict:
    """Every page once through AppTest on the big workspace, in app.py's order, every statement timed. Caches are
    kept, as in the browser: a service two pages share counts on the first. Kept results are emptied first and
    the pages wait for their slow work (SHOPLENS_WAIT_FOR_MODELS), so that work is timed too. The demo workspace
    the sidebar names is built before the clock starts (a data folder that never served the app has none)."""
    forget_kept_results(workspace)
    os.environ["SHOPLENS_DATA_DIR"] = str(workspace.parent)
    os.environ["SHOPLENS_WAIT_FOR_MODELS"] = "1"
    from core.data.demo import ensure_demo

    ensure_demo()
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

    @st.cache_resource(show_spinner=False, max_entries=256)
    def timed_call(target, path, versions, args, kwargs):
        started = perf_counter()
        try:
            return plain_call.__wrapped__(target, path, versions, args, kwargs)
        finally:
            services.append((page_now[0], target, perf_counter() - started))

    def timed_run(workspace_, service, inputs, data_version, compute, *rest):  # rest: after_pages
        started = perf_counter()
        try:
            return plain_run(workspace_, service, inputs, data_version, compute, *rest)
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
            widget, sections = SECTIONS.get(key, (None, ()))
            for section in sections:  # a page of sections: each in turn, so the page's whole work is timed
                app.segmented_control(key=widget).set_value(section).run()
            page_seconds[key] = perf_counter() - started
            errors = [e.value for e in app.exception] + [e.value for e in app.error]
            print(f"  {key:<16} {page_seconds[key]:7.2f} s in process, {sum(1 for s in log if s.page == key)} statements"
                  + (f"  ! {str(errors)[:300]}" if errors else ""), flush=True)
        if warm:
            print("\nWarm pass: every page again with its caches warm, profiled (cProfile)", flush=True)
            warm = warm_pass(app, keys, state, page_now)
        else:
            warm = {}
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


# ---------------------------------------------------------------------------------------------- growth

def sql_summary(found: dict) -> dict:
    """The query pass in sums a growth table can line up across sizes: SQL seconds per page; per service call
    (page | service) its whole seconds and its SQL seconds; per statement (page | service | file or function)
    its seconds, count and the costliest operators of its slowest run."""
    pages: dict[str, float] = defaultdict(float)
    services: dict[str, dict] = {}
    statements: dict[str, dict] = {}
    for s in found["statements"]:
        pages[s.page] += s.seconds
        entry = services.setdefault(f"{s.page} | {s.service}", {"seconds": 0.0, "sql": 0.0, "calls": 0})
        entry["sql"] += s.seconds
        entry = statements.setdefault(f"{s.page} | {s.service} | {s.source}",
                                      {"seconds": 0.0, "count": 0, "slowest": 0.0, "operators": [], "sql": ""})
        entry["seconds"] += s.seconds
        entry["count"] += 1
        if s.seconds >= entry["slowest"]:
            entry.update(slowest=s.seconds, operators=s.operators, sql=s.sql[:200])
    for page, service, seconds in found["services"]:
        entry = services.setdefault(f"{page} | {service}", {"seconds": 0.0, "sql": 0.0, "calls": 0})
        entry["seconds"] += seconds
        entry["calls"] += 1
    return {"pages": dict(pages), "services": services, "statements": statements}


def private_copy(workspace: Path) -> Path:
    """The workspace and its key folder copied to `<rows>/growth/data` (the demo beside it when the folder has
    one), so the pass empties no one else's kept results and meets no other process's lock on the file."""
    target = workspace.parent.parent / "growth" / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for item in workspace.parent.iterdir():
        if item.name == ".spill" or item.suffix in (".wal", ".building"):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        else:
            shutil.copy2(item, target / item.name)
    return target / workspace.name


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run_growth(sizes: list[int], repeat: int, pages: str, top: int) -> dict:
    """For each round and size in turn, a fresh process runs the query pass (no browser, no warm pass) on a private
    copy of that size's workspace; the figures of every run, with the load average before and after."""
    logs = OUT / "growth-logs"
    logs.mkdir(parents=True, exist_ok=True)
    runs: dict[int, list[dict]] = {size: [] for size in sizes}
    for round_number in range(repeat):
        for size in sizes:
            out = logs / f"{size}-{round_number}.json"
            before = os.getloadavg()
            started = perf_counter()
            done = subprocess.run([python(), str(Path(__file__).resolve()), "--rows", str(size), "--skip-browser",
                                   "--skip-warm", "--private-copy", "--pages", pages, "--top", str(top),
                                   "--json", str(out)], cwd=ROOT, capture_output=True, text=True)
            (logs / f"{size}-{round_number}.log").write_text(done.stdout + done.stderr)
            after = os.getloadavg()
            if done.returncode or not out.exists():
                print(f"  round {round_number + 1} {size:>11,} lines: FAILED\n{done.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(out.read_text())
            result["load"] = [round(before[0], 2), round(after[0], 2)]
            result["process_s"] = round(perf_counter() - started, 1)
            runs[size].append(result)
            page_seconds = result["queries"]["page_seconds"]
            print(f"  round {round_number + 1} {size:>11,} lines: {sum(page_seconds.values()):7.1f} s of pages, "
                  f"{sum(result['queries']['sql']['pages'].values()):7.1f} s SQL (load {before[0]:.1f} -> {after[0]:.1f})",
                  flush=True)
    return {"sizes": sizes, "runs": {str(size): found for size, found in runs.items()}}


def print_growth(growth: dict, top: int) -> dict:
    """Per page, per service call and per statement: seconds at each size (medians of the rounds), seconds per
    million lines at the largest two sizes, and the ratio of the largest to the one before (linear = the ratio
    of the sizes). A statement or call is flagged (!) when it grows 1.2x linear or more and takes 50 ms or more
    at the largest size."""
    sizes = [s for s in growth["sizes"] if growth["runs"][str(s)]]
    if len(sizes) < 2:
        print("growth: fewer than two sizes measured")
        return {}
    runs = {s: growth["runs"][str(s)] for s in sizes}
    big, prev = sizes[-1], sizes[-2]
    linear = big / prev

    def median_of(size: int, pick, *args) -> float | None:
        return _median([v for v in (pick(run, *args) for run in runs[size]) if v is not None])

    def page_run(run, key):
        return run["queries"]["page_seconds"].get(key)

    def page_sql(run, key):
        return run["queries"]["sql"]["pages"].get(key, 0.0)

    def all_pages(run, pick):
        return sum(v for v in (pick(run, k) for k in page_keys) if v is not None)

    def service(run, key, field_):
        return run["queries"]["sql"]["services"].get(key, {}).get(field_)

    def statement(run, key):
        return run["queries"]["sql"]["statements"].get(key, {}).get("seconds")

    def label(size: int) -> str:
        return f"{size / 1e6:g}M" if size >= 1_000_000 else f"{size // 1000}k"

    heads = "".join(f" {label(s):>8}" for s in sizes)
    per_m = f" {'s/M ' + label(prev):>9} {'s/M ' + label(big):>9} {label(big) + '/' + label(prev):>8}"
    loads = {s: [x for run in runs[s] for x in run["load"]] for s in sizes}
    print(f"\nGrowth, in process (AppTest, first visits, slow work waited for); medians of {len(runs[big])} round(s); "
          "load average per size: " + ", ".join(f"{label(s)} {min(loads[s]):.1f}-{max(loads[s]):.1f}" for s in sizes))
    print(f"linear from {label(prev)} to {label(big)} = {linear:g}x; ! = {1.2 * linear:g}x or more and 50 ms or more")

    def row(name: str, values: dict[int, float | None], width: int = 44) -> tuple[str, float | None]:
        name = re.sub(r"core\.(\w+)\.service:", r"\1:", name)  # page | customers:churn (background)
        cells = "".join(f" {'-':>8}" if values[s] is None else f" {values[s]:8.2f}" for s in sizes)
        a, b = values[prev], values[big]
        ratio = b / a if a and b is not None and a > 0 else None
        flag = "!" if ratio is not None and ratio >= 1.2 * linear and b >= 0.05 else " "
        tail = (f" {a / prev * 1e6 if a is not None else float('nan'):9.2f} {b / big * 1e6 if b is not None else float('nan'):9.2f}"
                f" {ratio if ratio is not None else float('nan'):7.1f}x{flag}")
        print(f"  {name[:width]:<{width}}{cells}{tail}")
        return flag, ratio

    figures: dict = {"pages": {}, "services": {}, "statements": {}}
    page_keys = list(runs[big][0]["queries"]["page_seconds"])
    for title, pick in (("page run, seconds (Python and SQL)", page_run), ("SQL seconds per page", page_sql)):
        print(f"\n  {title:<44}{heads}{per_m}")
        for key in page_keys:
            values = {s: median_of(s, pick, key) for s in sizes}
            row(key, values)
            figures["pages"].setdefault(key, {})[title] = values
        row("(all pages)", {s: median_of(s, all_pages, pick) for s in sizes})

    for title, field_ in (("service calls, whole seconds", "seconds"), ("service calls, SQL seconds", "sql")):
        names = sorted({k for run in runs[big] for k in run["queries"]["sql"]["services"]},
                       key=lambda k, f=field_: -(median_of(big, service, k, f) or 0))
        print(f"\n  {title + f' (top {top} at {label(big)})':<44}{heads}{per_m}")
        for key in names[:top]:
            values = {s: median_of(s, service, key, field_) for s in sizes}
            flag, ratio = row(key, values, 44)
            figures["services"].setdefault(key, {})[field_] = {"values": values, "ratio": ratio, "flag": flag == "!"}

    names = sorted({k for run in runs[big] for k in run["queries"]["sql"]["statements"]},
                   key=lambda k: -(median_of(big, statement, k) or 0))
    print(f"\n  {f'statements, SQL seconds (top {top} at {label(big)})':<44}{heads}{per_m}")
    for key in names[:top]:
        values = {s: median_of(s, statement, key) for s in sizes}
        flag, ratio = row(key, values, 44)
        slowest = max((run["queries"]["sql"]["statements"].get(key, {}) for run in runs[big]),
                      key=lambda entry: entry.get("slowest", 0))
        ops = "; ".join(f"{name} {sec:.2f}" for name, sec in slowest.get("operators", []))
        count = slowest.get("count", 0)
        print(f"      {key.split(' | ')[-1]}  ({count} stmt at {label(big)}; ops of its slowest: {ops})")
        figures["statements"][key] = {"values": values, "ratio": ratio, "flag": flag == "!", "operators": ops}
    return figures

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
    options.add_argument("--reactions", action="store_true",
                         help="instead of the page visits and queries: each page's widgets changed after a warm visit")
    options.add_argument("--before", type=Path,
                         help="with --reactions: another checkout of the app (say, before a change), measured in turn")
    options.add_argument("--growth", help="sizes (say 10000,100000,1000000,10000000): the query pass per size, in turn,"
                         " each in a fresh process on a copy of its workspace, and how its seconds grow")
    options.add_argument("--repeat", type=int, default=1, help="with --growth: rounds over the sizes (medians)")
    options.add_argument("--skip-warm", action="store_true", help="no warm pass after the query pass")
    options.add_argument("--private-copy", action="store_true",
                         help="run the query pass on a copy of the workspace (under <rows>/growth/)")
    options.add_argument("--json", type=Path)
    args = options.parse_args()
    keys = [k for k in args.pages.split(",") if k]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still stops the server it started

    if args.growth:
        sizes = [int(size) for size in args.growth.split(",") if size]
        for size in sizes:
            build_workspace(size)
        growth = run_growth(sizes, args.repeat, ",".join(keys), args.top)
        growth["table"] = print_growth(growth, args.top)
        if args.json:
            args.json.write_text(json.dumps({"code": code_state(), "growth": growth}, indent=2, default=str))
        return

    print(f"workspace: {args.rows:,} order lines", flush=True)
    workspace = build_workspace(args.rows)
    result: dict = {"rows": args.rows, "rounds": args.rounds, "code": code_state(),
                    "build": json.loads((OUT / str(args.rows) / "built.json").read_text())}
    print(f"  {workspace} ({workspace.stat().st_size / 1e6:,.0f} MB)", flush=True)

    if args.reactions:
        found = run_reactions(workspace, result["build"]["rows_orders"], keys, args.before)
        result["reactions"] = print_reactions(found)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str))
        return

    if not args.skip_browser:
        found = run_browser(workspace, result["build"]["rows_orders"], keys, args.rounds, args.keep_results)
        result.update(print_pages(args.rows, found["bare"], found["pages"]))

    if not args.skip_queries:
        print("\nQueries: every page once in process (AppTest), in the navigation's order", flush=True)
        try:
            found = run_queries(private_copy(workspace) if args.private_copy else workspace, keys,
                                warm=not args.skip_warm)
            result["queries"] = {"page_seconds": found["page_seconds"], "slowest": print_queries(found, args.top),
                                 "services": found["services"], "warm": found["warm"], "sql": sql_summary(found)}
        except Exception:  # noqa: BLE001 - the browser figures above still count
            traceback.print_exc()

    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
