"""Every hostile file (tests/core/data/hostile.py) through `python -m core ingest`: exit 0 or 2 and never
a traceback, a refusal is one line naming the file and leaves the workspace's content as it was, no
`shoplens-*` temp folder stays behind, and each case takes seconds. The resource cases (and a few
representative others) also run as a real subprocess whose peak memory is bounded.

Value cases (NaN, year 10000, ...) are judged by the value rules in ingest: here only the universal
properties are asserted for them (`expect="either"`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from core.__main__ import main
from core.platform import workspace as workspace_module
from core.platform.i18n import translate
from tests.conftest import ROOT
from tests.core.data import hostile

CASE_SECONDS = 5  # in process, per case: the slowest refusal (a 50 MB line) takes about 0.3 s
SUBPROCESS_SECONDS = 30  # with Python's and DuckDB's start-up (about 1 s)
PEAK_BYTES = 1536 << 20  # 1.5 GB: before the limits, the worst cases took 4.3 and 4.9 GB
UNEXPECTED = translate("error.unexpected", "en")
CASES = {case.name: case for case in hostile.cases()}
# Run also as a subprocess: every resource case, and one of each other kind of ending.
SUBPROCESS = sorted({name for name, case in CASES.items() if case.heavy}
                    | {"bom_then_gbk", "xlsx_as_csv", "nan_amount", "year_10000", "name_255_chars", "utf8_plain"})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    return {case.name: path for case, path in hostile.build(folder)}


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    """A workspace holding a few orders, made by the CLI in its own process (so no connection stays here)."""
    folder = tmp_path_factory.mktemp("seed")
    orders = folder / "orders.csv"
    lines = (ROOT / "sample_data" / "orders.csv").read_text(encoding="utf-8").splitlines()[:40]
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "seed.duckdb"
    env = dict(os.environ, SHOPLENS_DATA_DIR=str(folder / "data"))
    subprocess.run([sys.executable, "-m", "core", "ingest", "--workspace", str(path), str(orders)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    return path


def digest(path: Path) -> dict[str, tuple[int, int]]:
    """Each non-empty table's row count and an order-free hash of its rows: equal digests, equal content.
    The schema version is no content: opening a workspace migrates it, whether the load works or not."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() order by 1").fetchall()]
        counts = {t: con.execute(f'select count(*), coalesce(sum(hash(x)::hugeint), 0) from "{t}" x').fetchone() for t in tables}
    return {t: c for t, c in counts.items() if c[0] and t != "schema_version"}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("shoplens-*"))


def check_ending(case: hostile.Case, path: Path, status: int, stderr: str, before: dict, after: dict) -> None:
    assert status in (0, 2), stderr
    assert "Traceback" not in stderr and UNEXPECTED not in stderr, stderr
    if case.expect == "refused":
        assert status == 2, f"{case.name} was loaded: {stderr}"
    if case.expect == "loaded":
        assert status == 0, f"{case.name} was refused: {stderr}"
    if status == 2:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert path.name in lines[0], stderr  # the message names the file as the user knows it
        assert after == before  # a refused load changes nothing


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_file_ends_in_a_clear_message_or_a_load(name, corpus, seed, tmp_path, monkeypatch, capsys):
    # edge case: the 255-character name, whose rejected-rows file name would exceed the file system's limit
    case, path = CASES[name], corpus[name]
    ws = tmp_path / "w.duckdb"
    shutil.copy(seed, ws)
    before = digest(ws)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    started = time.perf_counter()
    try:
        status = main(["ingest", "--workspace", str(ws), str(path)])
    except SystemExit as stop:  # argparse: a usage error is exit 2 as well
        status = stop.code
    seconds = time.perf_counter() - started
    workspace_module.close_connection(ws)
    stderr = capsys.readouterr().err
    check_ending(case, path, status, stderr, before, digest(ws))
    assert leftovers(temp) == []
    assert seconds < CASE_SECONDS, f"{name} took {seconds:.1f} s"


def run_cli(ws: Path, path: Path, env: dict) -> tuple[int, str, float, int]:
    """(exit status, stderr, seconds, peak RSS in bytes) of one `ingest` in its own process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "core", "ingest", "--workspace", str(ws), str(path)],
                                   cwd=ROOT, env=env, stdout=out, stderr=err)
        timer = threading.Timer(SUBPROCESS_SECONDS * 2, process.kill)
        timer.start()
        _, wait_status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not the maximum of all
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return process.returncode, stderr, time.perf_counter() - started, usage.ru_maxrss * 1024


@pytest.mark.parametrize("name", SUBPROCESS)
def test_resource_cases_are_bounded_in_time_and_memory(name, corpus, seed, tmp_path):
    # edge case: a 6 MB workbook expanding to 1.6 GB, refused from its directory before inflating a byte
    case, path = CASES[name], corpus[name]
    ws = tmp_path / "w.duckdb"
    shutil.copy(seed, ws)
    before = digest(ws)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), SHOPLENS_DATA_DIR=str(tmp_path / "data"))
    status, stderr, seconds, peak = run_cli(ws, path, env)
    check_ending(case, path, status, stderr, before, digest(ws))
    assert leftovers(temp) == []
    assert seconds < SUBPROCESS_SECONDS, f"{name} took {seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{name} peaked at {peak >> 20} MB"


def test_a_csv_given_as_the_workspace_is_refused_and_left_alone(corpus, tmp_path, capsys):
    # edge case: the CSV as --workspace was opened as an in-memory database and "loaded"
    not_a_workspace = tmp_path / "inventory.csv"
    shutil.copy(ROOT / "sample_data" / "inventory.csv", not_a_workspace)
    original = not_a_workspace.read_bytes()
    assert main(["ingest", "--workspace", str(not_a_workspace), str(ROOT / "sample_data" / "inventory.csv")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {not_a_workspace} is not a ShopLens workspace. Give the path of a " \
        "workspace made by ShopLens (a .duckdb file), or a new file name."
    assert not_a_workspace.read_bytes() == original


def test_a_duckdb_file_of_other_tables_is_not_turned_into_a_workspace(tmp_path, capsys):
    # edge case: a real DuckDB file (right magic bytes) that is not ours: refused after connecting, before migrating
    other = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table sales as select 1 as amount")
    before = digest(other)
    assert main(["ingest", "--workspace", str(other), str(ROOT / "sample_data" / "inventory.csv")]) == 2
    assert "is not a ShopLens workspace" in capsys.readouterr().err
    workspace_module.close_connection(other)
    assert digest(other) == before == {"sales": (1, before["sales"][1])}


def test_every_connection_is_capped_and_spills_under_the_data_folder(workspace, data_dir, monkeypatch):
    # edge case: the cap comes from the environment when set (a server with more memory raises it)
    monkeypatch.setenv("SHOPLENS_MEMORY_LIMIT", "300MB")
    with workspace.cursor() as cur:
        limit, spill = cur.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit == "286.1 MiB"  # DuckDB shows 300 MB (300,000,000 bytes) in MiB: 300e6 / 2**20
    assert Path(spill).parent == data_dir / ".spill"
