"""Workspace files: migrations, views, one process at a time, many threads at once."""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import duckdb
import pytest

from core.data import ingest
from core.platform.errors import WorkspaceError, WorkspaceReadOnly
from core.platform.paths import SQL_DIR
from core.platform.transactions import transaction
from core.platform.workspace import (
    MAX_NAME_LENGTH,
    Workspace,
    _connections,
    clean_name,
    close_connection,
    create_views,
    display_name_of,
    free_path,
    migrate,
    migrations,
    slugify,
)
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
    # issue 11: a name with no ASCII letter or digit is kept to be shown and its file gets a generated name
    named = Workspace.named("../..")
    assert named.path == (data_dir / "workspace.duckdb").resolve() and named.display_name == "../.."
    with pytest.raises(WorkspaceError, match="Type a name"):
        Workspace.named(" \t\n")


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


@pytest.mark.parametrize(("name", "slug"), [
    ("我的淘宝店", ""),  # nothing ASCII: the file gets a generated name
    ("淘宝店 CDNOW", "cdnow"),
    ("Café ＣＤＮＯＷ", "cafe_cdnow"),  # accents and full-width letters folded
    ("🛍️ Shop 🎉", "shop"),
    ("../x", "x"),
    ("a/b", "a_b"),
    ("a.b\x00c\nd", "a_b_c_d"),
    ("!!!", ""),
    ("x" * 200, "x" * 60),  # bounded
])
def test_a_slug_is_ascii_letters_digits_and_underscores_only(name, slug):
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["../x", "a/b", "..", "../../etc/passwd", "/tmp/evil", "..\\..\\x", "C:\\x", "x\x00y", ".hidden"])
def test_a_name_that_looks_like_a_path_stays_inside_the_data_folder(data_dir, name):
    path = Workspace.named(name).path
    assert path.parent == data_dir.resolve()
    assert re.fullmatch(r"[a-z0-9_]+\.duckdb", path.name)


def test_the_display_name_is_kept_as_typed_with_whitespace_tidied():
    assert clean_name("我的淘宝店") == "我的淘宝店"
    assert clean_name("  淘宝店   CDNOW ") == "淘宝店 CDNOW"
    assert clean_name("👨‍👩‍👧 family shop") == "👨‍👩‍👧 family shop"  # the joiners inside an emoji stay
    assert clean_name("line\nbreak\ttab\x07bell") == "line break tabbell"
    assert clean_name("Cafe\u0301") == "Caf\u00e9"  # composed, as another keyboard would type it
    assert clean_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH
    with pytest.raises(WorkspaceError) as caught:
        clean_name("x" * (MAX_NAME_LENGTH + 1))
    assert caught.value.key == "error.workspace_name_long"
    with pytest.raises(WorkspaceError) as caught:
        clean_name("\x00\x07")
    assert caught.value.key == "error.workspace_name"


def test_a_free_file_name_skips_files_leftover_logs_and_reserved_names(data_dir):
    (data_dir / "cdnow.duckdb").write_bytes(b"")
    (data_dir / "cdnow_2.duckdb.wal").write_bytes(b"")  # DuckDB would replay this log into a new file
    assert free_path("CDNOW").name == "cdnow_3.duckdb"
    assert free_path("Demo").name == "demo_2.duckdb"  # the demo's file, even before it is built
    assert free_path("con").name == "con_2.duckdb"  # a device name on Windows
    assert free_path("我的淘宝店").name == "workspace.duckdb"


def test_creating_stores_the_typed_name_and_never_opens_an_existing_file(data_dir, tmp_path):
    shop = Workspace.named("我的淘宝店").create()
    assert shop.path.name == "workspace.duckdb"
    assert table(shop, "select value from workspace_meta where key = 'display_name'") == [("我的淘宝店",)]
    assert Workspace(shop.path).display_name == "我的淘宝店"
    ingest.load(shop, write_csv(tmp_path / "t.csv", "date,channel,uv\n2024-01-01,web,5"))
    # a second owner given the same file name before the first one loaded: refused, the first shop untouched
    late = Workspace(shop.path, typed_name="我的淘宝店")
    with pytest.raises(WorkspaceError, match="A workspace named '我的淘宝店' already exists"):
        late.create()
    assert table(shop, "select count(*) from traffic_daily") == [(1,)]
    assert Workspace(shop.path).display_name == "我的淘宝店"


def test_a_file_made_without_a_name_shows_its_stem_and_can_be_renamed(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,channel,uv\n2024-01-01,web,5"))  # as the CLI makes one
    assert workspace.display_name == "shop"
    workspace.rename("  我的 店 🎉 ")
    assert Workspace(workspace.path).display_name == "我的 店 🎉"
    assert workspace.path.name == "shop.duckdb"  # the file keeps its name
    with pytest.raises(WorkspaceError):
        workspace.rename("   ")
    assert workspace.display_name == "我的 店 🎉"


def test_the_demo_cannot_be_renamed(workspace):
    workspace.rename("Mine")
    with transaction(workspace) as cur:
        workspace.set_meta(cur, "is_demo", "true")
    with pytest.raises(WorkspaceReadOnly):
        workspace.rename("Not the demo")
    assert workspace.display_name == "Mine"


def test_the_display_name_is_read_without_keeping_the_file_open(data_dir):
    shop = Workspace.named("淘宝店 CDNOW").create()
    close_connection(shop.path)
    assert display_name_of(shop.path) == "淘宝店 CDNOW"
    assert shop.path not in _connections  # listing workspaces does not open (or migrate) them
    assert display_name_of(data_dir / "gone.duckdb") == "gone"
    (data_dir / "damaged.duckdb").write_bytes(b"\x00garbage" * 100)
    assert display_name_of(data_dir / "damaged.duckdb") == "damaged"
    Workspace(shop.path).rename("Renamed")  # opened again in this process: read from its connection
    assert display_name_of(shop.path) == "Renamed"
