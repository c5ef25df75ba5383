"""Faults a shop's machine will see: a load killed half way (power cut, kill -9), readers while a load runs, and
two commands writing one workspace at once. Nothing is lost or mixed, and the second writer is told why."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.data import service
from core.data.sample import generate
from core.platform.i18n import translate
from core.platform.workspace import Workspace, close_connection
from tests.conftest import ROOT

BIG_LINES = 300_000  # about 37 MB of orders: a load long enough to be killed at many different moments
KILL_ROUNDS = 5


def ingest(workspace: Path, file: Path, *extra: str) -> subprocess.Popen:
    """`python -m core ingest` as the owner runs it, in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "core", "ingest", "--workspace", str(workspace), str(file),
                             "--kind", "orders", *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def digest(path: Path) -> dict[str, tuple]:
    """Every table's row count and per-column hash sums, read by opening the workspace as the app does (which
    replays what a killed process left in the write-ahead log): equal digests, equal content, in any row order.
    When something happened (`loaded_at`, `applied_at`, ...) is left out: the same load run twice is the same."""
    workspace = Workspace(path).open()
    try:
        with workspace.cursor() as cur:
            tables = [row[0] for row in cur.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
                "and table_schema = 'main' order by table_name").fetchall()]
            kept = "columns(lambda c: not suffix(c, '_at'))"
            return {table: cur.execute(f'select count(*), sum(hash({kept})::hugeint) from "{table}"').fetchone()
                    for table in tables}
    finally:
        close_connection(path)


def orders_count(path: Path) -> int:
    return digest(path)["orders"][0]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A small orders file (the shop as it was) and a large one (the load that gets killed), made here."""
    folder = tmp_path_factory.mktemp("fault_files")
    small = generate(folder / "small", order_lines=2_000)["orders"]
    big = generate(folder / "big", order_lines=BIG_LINES)["orders"]
    return {"small": small, "big": big}


@pytest.fixture
def shop(tmp_path, files) -> Path:
    """A workspace holding the small file, loaded by the CLI, its connection closed."""
    path = tmp_path / "shop.duckdb"
    run = ingest(path, files["small"])
    assert run.wait(timeout=120) == 0, run.stderr.read()
    return path


def wait_until_open(process: subprocess.Popen, path: Path, timeout: float = 60) -> None:
    """Until the process holds the workspace file (read from /proc, so waiting takes no lock of its own)."""
    deadline = time.monotonic() + timeout
    fds = Path(f"/proc/{process.pid}/fd")
    while time.monotonic() < deadline:
        try:
            if any(os.path.realpath(fd) == str(path.resolve()) for fd in fds.iterdir()):
                return
        except (FileNotFoundError, PermissionError):  # a descriptor closed while we looked
            pass
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.01)
    raise AssertionError("the first writer never opened the workspace")


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc to see when a process holds the file")
def test_a_load_killed_at_random_moments_loses_nothing_and_a_retry_succeeds(shop, files, tmp_path):
    before = digest(shop)
    assert before["orders"][0] == 2_000  # the small file's lines, one row each
    # how long a whole load takes here, on a copy, so the kills fall inside a load and not after it
    scratch = tmp_path / "scratch.duckdb"
    scratch.write_bytes(shop.read_bytes())
    started = time.monotonic()
    run = ingest(scratch, files["big"], "--mode", "replace")
    assert run.wait(timeout=300) == 0, run.stderr.read()
    duration = time.monotonic() - started
    loaded = digest(scratch)
    assert loaded["orders"][0] == BIG_LINES
    rng = random.Random(15)
    moments = sorted(rng.uniform(0.25, 0.95) * duration for _ in range(KILL_ROUNDS))
    killed, committed = 0, False
    for moment in moments:
        run = ingest(shop, files["big"], "--mode", "replace")
        time.sleep(moment)
        if run.poll() is None:
            run.kill()  # SIGKILL: no handler, no cleanup, as a power cut
            killed += 1
        run.wait(timeout=60)
        # edge case: a kill that lands after the commit (while the command prints) leaves the new content,
        # never a mix of old and new
        now = digest(shop)
        assert now in (before, loaded)
        if now == loaded:
            committed = True
            break
    assert killed >= 1
    retry = ingest(shop, files["big"], "--mode", "replace")
    out, err = retry.communicate(timeout=300)
    assert retry.returncode == 0, err
    assert out.strip() == f"{BIG_LINES} orders row(s) loaded (replace) from orders.csv"
    after = digest(shop)
    if committed:  # one more load in the log and one more data version; the data itself the same
        bookkeeping = ("load_log", "workspace_meta")
        after, loaded = ({k: v for k, v in d.items() if k not in bookkeeping} for d in (after, loaded))
    assert after == loaded  # the same file into the same content: the killed attempts left no trace


def test_readers_during_a_load_see_the_old_or_the_new_rows_never_a_mix(shop, files):
    """20 reader threads through one Workspace (as 20 browser sessions share the server's connection)."""
    workspace = Workspace(shop).open()
    # count(nullif(order_id, '')) scans the rows: DuckDB answers count(*), and count of a NOT NULL column like
    # order_id, from its row-group counts, which can include another connection's uncommitted rows (see below)
    query = ("select (select count(nullif(order_id, '')) from orders), (select sum(quantity) from orders), "
             "(select value from workspace_meta where key = 'data_version'), (select count(*) from orders)")
    with workspace.cursor() as cur:
        old = cur.execute(query).fetchone()
    seen: set[tuple] = set()
    errors: list[BaseException] = []
    during = [0]
    done = threading.Event()
    lock = threading.Lock()

    def read() -> None:
        while not done.is_set():
            try:
                with workspace.cursor() as cur:  # a cursor per thread, as the pages take one per run
                    row = cur.execute(query).fetchone()
            except BaseException as error:  # noqa: BLE001 - every error is a failure of this test
                errors.append(error)
                return
            with lock:
                seen.add(row)
                during[0] += 1

    readers = [threading.Thread(target=read) for _ in range(20)]
    for reader in readers:
        reader.start()
    try:
        report = service.load(workspace, files["big"], kind="orders", mode="replace")
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)
    with workspace.cursor() as cur:
        new = cur.execute(query).fetchone()
    close_connection(shop)
    assert not errors
    assert report.loaded_rows == BIG_LINES
    # edge case: the count, the sum and the data version are read in one query, so a half-seen load would pair
    # the new count with the old version (or the old sum); only the two committed states may appear
    assert old[0] == 2_000 and new[0] == BIG_LINES  # replace: a mix would show neither (say 0, or both files)
    scanned = {row[:3] for row in seen}
    assert scanned <= {old[:3], new[:3]}
    assert old[:3] in scanned and during[0] > 20  # the readers really ran while the load did
    counted = {row for row in seen if row[3] != row[0]}
    if counted:  # measured here with DuckDB 2.0: e.g. count(*) 26,576 beside 2,000 scanned rows and version 1
        pytest.xfail(f"DuckDB's count(*) counted rows of the uncommitted load: {sorted(counted)[:3]}")


def test_a_second_writer_is_told_the_workspace_is_busy_and_changes_nothing(shop, files):
    first = ingest(shop, files["big"], "--mode", "replace")
    try:
        wait_until_open(first, shop)
        second = ingest(shop, files["small"], "--mode", "append")
        out, err = second.communicate(timeout=120)
    finally:
        first_out, first_err = first.communicate(timeout=300)
    assert second.returncode == 2
    assert out == ""
    # one line, the workspace named by its file stem, as core/platform/errors.py words a held lock
    assert err == "error: " + translate("error.workspace_busy", "en", name="shop") + "\n"
    assert first.returncode == 0, first_err
    assert orders_count(shop) == BIG_LINES  # the first writer's file, and nothing of the second's


def test_a_reader_command_on_a_workspace_being_loaded_is_told_it_is_busy(shop, files):
    first = ingest(shop, files["big"], "--mode", "replace")
    try:
        wait_until_open(first, shop)
        reader = subprocess.run([sys.executable, "-m", "core", "datasets", "--workspace", str(shop)], cwd=ROOT,
                                capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        first.communicate(timeout=300)
    # edge case: even reading takes the file's lock in DuckDB, so a reader is refused in words, not a traceback
    assert reader.returncode == 2
    assert reader.stderr == "error: " + translate("error.workspace_busy", "en", name="shop") + "\n"
