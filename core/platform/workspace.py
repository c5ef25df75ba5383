"""A workspace is one DuckDB file: its connection, schema migrations, views and bookkeeping.

DuckDB allows one connection per file per process and a cursor per thread, so connections are
opened once and shared, every caller works on its own cursor, and writes go through one lock.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.platform.errors import WorkspaceError, WorkspaceReadOnly, user_message
from core.platform.paths import SQL_DIR, data_dir

SCHEMA_VERSION_TABLE = "schema_version"
DEMO_NAME = "demo"

_registry_lock = threading.Lock()
_connections: dict[Path, duckdb.DuckDBPyConnection] = {}
_write_locks: dict[Path, threading.RLock] = {}


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def migrations(sql_dir: Path = SQL_DIR) -> list[tuple[int, str]]:
    """Version 1 is the schema; every `sql/migrations/NNN_*.sql` moves a workspace forward to NNN."""
    steps = [(1, (sql_dir / "schema.sql").read_text(encoding="utf-8"))]
    for path in sorted((sql_dir / "migrations").glob("*.sql")):
        steps.append((int(path.name.split("_", 1)[0]), path.read_text(encoding="utf-8")))
    return steps


def migrate(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> int:
    """Apply the migrations this file has not seen, each in its own transaction; return the version."""
    con.execute(f"create table if not exists {SCHEMA_VERSION_TABLE} (version integer primary key, applied_at timestamp)")
    current = con.execute(f"select coalesce(max(version), 0) from {SCHEMA_VERSION_TABLE}").fetchone()[0]
    for version, script in migrations(sql_dir):
        if version <= current:
            continue
        con.execute("begin transaction")
        try:
            con.execute(script)
            con.execute(f"insert into {SCHEMA_VERSION_TABLE} values (?, now())", [version])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        current = version
    return current


def create_views(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """One view per file in `sql/views/`, named like the file; views may build on each other, so
    each pass creates what it can until a pass makes no progress."""
    pending = {p.stem: p.read_text(encoding="utf-8") for p in sorted((sql_dir / "views").glob("*.sql"))}
    created: list[str] = []
    while pending:
        waiting = len(pending)
        errors = {}
        for name, body in list(pending.items()):
            try:
                con.execute(f"create or replace view {quote(name)} as {body}")
            except duckdb.CatalogException as error:  # depends on a view not created yet
                errors[name] = error
            else:
                created.append(name)
                del pending[name]
        if len(pending) == waiting:  # nothing could be created: a real error, not an order problem
            raise next(iter(errors.values()))
    return created


def open_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """The process's one connection to this file, migrated and with current views."""
    path = Path(path).resolve()
    with _registry_lock:
        con = _connections.get(path)
        if con is not None:
            return con
        path.parent.mkdir(parents=True, exist_ok=True)
        con = None
        try:
            con = duckdb.connect(
                str(path),
                config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
            )
            migrate(con)
            create_views(con)
        except duckdb.Error as error:
            if con is not None:
                con.close()
            raise user_message(error, path.stem) from None
        _connections[path] = con
        _write_locks[path] = threading.RLock()
        return con


def close_connection(path: Path) -> None:
    path = Path(path).resolve()
    with _registry_lock:
        con = _connections.pop(path, None)
        _write_locks.pop(path, None)
    if con is not None:
        con.close()


def delete_workspace(path: Path) -> None:
    """Remove a workspace file (a failed first upload leaves none behind); never the demo."""
    path = Path(path).resolve()
    if path.exists() and Workspace(path).is_demo:
        raise WorkspaceReadOnly("error.demo_read_only")
    close_connection(path)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return slug[:60]


class Workspace:
    """One shop's data. Cheap to create; the connection behind it is shared per file."""

    def __init__(self, path: Path | str):
        self.path = Path(path).resolve()

    @classmethod
    def named(cls, name: str, root: Path | None = None) -> Workspace:
        slug = slugify(name)
        if not slug:
            raise WorkspaceError("error.workspace_name")
        return cls((root or data_dir()) / f"{slug}.duckdb")

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return open_connection(self.path)

    def open(self) -> Workspace:
        """Open the file now (creating, migrating and viewing it), so a problem shows here and not later."""
        open_connection(self.path)
        return self

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for this thread; it sees the workspace's tables and views."""
        return self.connection.cursor()

    @contextmanager
    def writing(self):
        """Serialise writers: DuckDB gives concurrent writers to a table a write-write conflict."""
        self.open()  # creates the file's lock
        with _write_locks[self.path]:
            yield

    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.cursor() as cur:
            row = cur.execute("select value from workspace_meta where key = ?", [key]).fetchone()
        return default if row is None else row[0]

    def set_meta(self, cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        cur.execute("insert or replace into workspace_meta values (?, ?)", [key, value])

    @property
    def is_demo(self) -> bool:
        return self.meta("is_demo") == "true"

    @property
    def data_version(self) -> int:
        """Bumped by every load: the key for cached results."""
        return int(self.meta("data_version", "0"))

    def settings_version(self, keys: tuple[str, ...]) -> int:
        """The settings version at which any of `keys` last changed (0: never saved): with the data
        version, the key for a result that depends on those settings and no others."""
        if not keys:
            return 0
        with self.cursor() as cur:
            return int(cur.execute("select coalesce(max(version), 0) from settings where list_contains(?, key)",
                                   [list(keys)]).fetchone()[0])

    def bump_data_version(self, cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(
            "insert or replace into workspace_meta "
            "select 'data_version', (coalesce(max(value::bigint), 0) + 1)::varchar from workspace_meta where key = 'data_version'"
        )

    def schema_version(self) -> int:
        with self.cursor() as cur:
            return cur.execute(f"select max(version) from {SCHEMA_VERSION_TABLE}").fetchone()[0]


def list_workspaces(root: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (root or data_dir()).glob("*.duckdb"))

