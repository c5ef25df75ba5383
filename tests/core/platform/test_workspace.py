"""Workspace files: migrations, views, one process at a time, many threads at once."""

from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import pytest

from core.data import ingest
from core.platform.paths import SQL_DIR
from core.platform.workspace import Workspace, create_views, migrate, migrations
from tests.conftest import ROOT, table, write_csv


def test_a_new_workspace_is_at_the_latest_schema_with_its_views(workspace):
    assert workspace.schema_version() == max(version for version, _ in migrations())
    views = {name for (name,) in table(workspace, "select view_name from duckdb_views() where not internal")}
    assert {path.stem for path in (SQL_DIR / "views").glob("*.sql")} <= views


def test_an_old_workspace_is_migrated_forward_keeping_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    # a version-1 file: the schema alone, with data in it
    con.execute("create table schema_version (version integer primary key, applied_at timestamp)")
    con.execute((SQL_DIR / "schema.sql").read_text())
    con.execute("insert into schema_version values (1, now())")
    con.execute("insert into health_inputs values ('server_error_rate', 0.01, '2024-05')")
    con.close()
    workspace = Workspace(path)
    assert workspace.schema_version() == max(version for version, _ in migrations())
    assert table(workspace, "select count(*) from load_log") == [(0,)]  # table from migration 2
    assert table(workspace, "select value from health_inputs") == [(0.01,)]


def test_a_failing_migration_rolls_back_and_stops(tmp_path):
    sql_dir = tmp_path / "sql"
    (sql_dir / "migrations").mkdir(parents=True)
    (sql_dir / "schema.sql").write_text("create table a (x integer);")
    (sql_dir / "migrations" / "002_ok.sql").write_text("create table b (x integer);")
    (sql_dir / "migrations" / "003_bad.sql").write_text("create table c (x integer); select * from missing_table;")
    con = duckdb.connect()
    with pytest.raises(duckdb.CatalogException):
        migrate(con, sql_dir)
    assert con.execute("select max(version) from schema_version").fetchone() == (2,)
    assert con.execute("select count(*) from information_schema.tables where table_name = 'c'").fetchone() == (0,)


def test_a_second_process_gets_a_clear_message(workspace):
    workspace.open()  # this process holds the file
    script = (
        "import sys; sys.path.insert(0, sys.argv[2]);"
        "from core.platform.errors import WorkspaceBusy\nfrom core.platform.workspace import Workspace\n"
        "try:\n    Workspace(sys.argv[1]).open()\nexcept WorkspaceBusy as e:\n    print(e)"
    )
    result = subprocess.run([sys.executable, "-c", script, str(workspace.path), str(ROOT)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == (
        "The workspace 'shop' is open in another ShopLens process. Close that app or command, then try again."
    )
    assert "Traceback" not in result.stderr


def test_threads_read_while_another_loads(workspace, tmp_path):
    rows = "\n".join(f"2024-01-{d:02d},web,{d}" for d in range(1, 29))
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,channel,uv\n" + rows))
    errors, counts = [], []

    def reader():
        try:
            for _ in range(20):
                with workspace.cursor() as cur:
                    counts.append(cur.execute("select count(*) from traffic_daily").fetchone()[0])
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    def writer(n):
        try:
            ingest.load(workspace, write_csv(tmp_path / f"w{n}.csv", f"date,channel,uv\n2024-02-{n:02d},web,{n}"))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(counts) <= set(range(28, 33)) and len(counts) == 60  # never an empty or partial table
    assert table(workspace, "select count(*) from traffic_daily") == [(32,)]
    assert workspace.data_version == 5


def test_workspace_names_become_safe_file_names(data_dir):
    assert Workspace.named("My Shop / 2024!").path == (data_dir / "my_shop_2024.duckdb").resolve()
    with pytest.raises(Exception, match="at least one letter"):
        Workspace.named("../..")


def test_views_may_depend_on_views_that_sort_after_them(tmp_path):
    # a_total reads b_base, which is created later in name order
    sql_dir = tmp_path / "sql"
    (sql_dir / "views").mkdir(parents=True)
    (sql_dir / "views" / "a_total.sql").write_text("select sum(x) as total from b_base")
    (sql_dir / "views" / "b_base.sql").write_text("select 2 as x union all select 3")
    (sql_dir / "views" / "c_broken.sql").write_text("select * from no_such_table")
    con = duckdb.connect()
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        create_views(con, sql_dir)
    (sql_dir / "views" / "c_broken.sql").unlink()
    con = duckdb.connect()
    assert create_views(con, sql_dir) == ["b_base", "a_total"]
    assert con.execute("select total from a_total").fetchone() == (5,)
