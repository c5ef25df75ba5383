"""A workspace is one DuckDB file: its connection, schema migrations, views and bookkeeping.

DuckDB allows one connection per file per process and a cursor per thread, so connections are
opened once and shared, every caller works on its own cursor, and writes go through one lock.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from itertools import count
from pathlib import Path

import duckdb

from core.platform import order_rollup, paths
from core.platform.errors import WorkspaceError, WorkspaceReadOnly, user_message
from core.platform.paths import SQL_DIR, data_dir
from core.platform.secrets import KeyFileError, key_path
from core.platform.transactions import transaction

SCHEMA_VERSION_TABLE = "schema_version"
DEMO_NAME = "demo"
DISPLAY_NAME = "display_name"  # workspace_meta key: the name as the owner typed it
MAX_NAME_LENGTH = 80  # characters of a display name
MAX_SLUG_LENGTH = 60  # characters of a file stem, before a "_2" that keeps it free
UNNAMED_SLUG = "workspace"  # the file stem for a name with no ASCII letter or digit ("我的淘宝店", "!!!")
# Stems a file must not take: the demo's, and names Windows keeps for devices.
RESERVED_STEMS = {DEMO_NAME, "con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}

MEMORY_LIMIT = "1GB"  # DuckDB's memory cap per process (SHOPLENS_MEMORY_LIMIT overrides): it spills beyond it
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
DUCKDB_MAGIC_OFFSET = 8

_registry_lock = threading.Lock()
# Within a page run (versions_read_once): each workspace's id and versions, read once, by path
_versions_this_run: ContextVar[dict[Path, tuple[str, int, dict[str, int]]] | None] = ContextVar("versions_this_run", default=None)
_swept = False
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


def _taken(path: Path) -> bool:
    """A file, or a leftover write-ahead log DuckDB would replay into a new file of that name."""
    return path.exists() or path.with_name(path.name + ".wal").exists()


def memory_limit() -> str:
    return os.environ.get("SHOPLENS_MEMORY_LIMIT") or MEMORY_LIMIT


def connection_config(spill: Path | None = None) -> dict[str, str | bool]:
    """Settings every connection gets: no extension reaches for the network, and a memory cap so no
    upload can take the machine down (past it DuckDB spills to `spill`, or fails with a message)."""
    config: dict[str, str | bool] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                     "memory_limit": memory_limit()}
    if spill is not None:
        config["temp_directory"] = str(spill)
    return config


def _refuse_foreign_file(path: Path) -> None:
    """A file that exists but is no DuckDB database (a CSV given as --workspace) is refused before
    DuckDB sees it: DuckDB would otherwise fail obscurely, or open it as something else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise WorkspaceError("error.not_a_workspace", name=str(path)) from None
    if head and head[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        if path.suffix == ".duckdb":  # was a workspace, or was meant to be one: damaged
            raise WorkspaceError("error.workspace_corrupt", name=path.stem)
        raise WorkspaceError("error.not_a_workspace", name=str(path))


def _refuse_foreign_database(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A DuckDB file of someone else's tables is not migrated into a workspace: it must be empty (new)
    or hold our workspace_meta table."""
    tables = {row[0] for row in con.execute("select table_name from duckdb_tables() where database_name = current_database()").fetchall()}
    if tables and "workspace_meta" not in tables:
        raise WorkspaceError("error.not_a_workspace", name=str(path))


def _sweep_once() -> None:
    """At the process's first workspace: remove temp folders of loads killed earlier."""
    global _swept
    if not _swept:
        _swept = True
        paths.sweep_stale_temp()


@contextmanager
def versions_read_once():
    """Within: every cache key of a workspace comes from one read of its versions, so a page run that asks
    for 20 cached results reads them once (1-3 ms a read). A run sees one version of its workspace throughout;
    a write through `transaction` makes the rest of the run read them again. Nested: the outer one holds."""
    if _versions_this_run.get() is not None:
        yield
        return
    token = _versions_this_run.set({})
    try:
        yield
    finally:
        _versions_this_run.reset(token)


def open_connection(path: Path, new: bool = False) -> duckdb.DuckDBPyConnection:
    """The process's one connection to this file, migrated and with current views.

    `new`: create the file, refusing one that exists, so two owners who typed names that make the
    same file name never share (or overwrite) a workspace."""
    path = Path(path).resolve()
    with _registry_lock:
        con = _connections.get(path)
        if new and (con is not None or _taken(path)):
            raise WorkspaceError("error.workspace_exists", name=path.stem)
        if con is not None:
            return con
        _sweep_once()
        _refuse_foreign_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = None
        try:
            spill = paths.spill_dir(path)
            spill.parent.mkdir(parents=True, exist_ok=True)  # DuckDB makes (and removes) the folder itself
            con = duckdb.connect(str(path), config=connection_config(spill))
            _refuse_foreign_database(con, path)
            migrate(con)
            create_views(con)
            order_rollup.ensure_fresh(con)
        except (duckdb.Error, WorkspaceError) as error:
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
    """Remove a workspace file and its key file (a failed first upload leaves none behind); never the demo."""
    path = Path(path).resolve()
    leftovers = [path, path.with_name(path.name + ".wal")]
    if path.exists():
        workspace = Workspace(path)
        if workspace.is_demo:
            raise WorkspaceReadOnly("error.demo_read_only")
        try:  # its key file too: with the workspace gone, the key only links old copies of it to people
            leftovers.append(key_path(path, workspace.meta("workspace_id") or ""))
        except KeyFileError:
            pass
    close_connection(path)
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)


def clean_name(name: str) -> str:
    """The display name as typed, with runs of spaces, tabs and line breaks made one space and control
    characters dropped; refused when nothing is left or it is too long to show."""
    name = "".join(c for c in " ".join(unicodedata.normalize("NFC", name).split()) if unicodedata.category(c) != "Cc")
    if not name:
        raise WorkspaceError("error.workspace_name")
    if len(name) > MAX_NAME_LENGTH:
        raise WorkspaceError("error.workspace_name_long", limit=MAX_NAME_LENGTH)
    return name


def slugify(name: str) -> str:
    """A file stem made from a name: its ASCII letters and digits (accents and full-width letters
    folded) joined by '_', so it is never a path (no slash, dot or control character) and is bounded;
    '' when the name has none."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:MAX_SLUG_LENGTH].strip("_")


def free_path(name: str, root: Path | None = None) -> Path:
    """The file for a new workspace: the name's slug (or `workspace` for a name without one) with
    _2, _3, ... until no file, log or reserved stem has it."""
    base = slugify(name) or UNNAMED_SLUG
    folder = (root or data_dir()).resolve()
    stems = (base if n == 1 else f"{base}_{n}" for n in count(1))
    return next(folder / f"{s}.duckdb" for s in stems if s not in RESERVED_STEMS and not _taken(folder / f"{s}.duckdb"))


class Workspace:
    """One shop's data. Cheap to create; the connection behind it is shared per file."""

    def __init__(self, path: Path | str, typed_name: str | None = None):
        self.path = Path(path).resolve()
        # a workspace not made yet: the name the owner typed, stored when `create` makes the file
        self.typed_name = typed_name

    @classmethod
    def named(cls, name: str, root: Path | None = None) -> Workspace:
        """A new workspace for a typed name, at a file no workspace has; made by `create`."""
        name = clean_name(name)
        return cls(free_path(name, root), typed_name=name)

    @property
    def name(self) -> str:
        """The file stem: what the CLI and the logs know the workspace by."""
        return self.path.stem

    @property
    def display_name(self) -> str:
        """The name the owner typed (or gave it later); a file made without one shows its stem."""
        if self.typed_name is not None:
            return self.typed_name
        if not self.path.exists():
            return self.path.stem
        return self.meta(DISPLAY_NAME) or self.path.stem

    def create(self) -> Workspace:
        """Make the file of a new workspace, never one that exists, and store the name it was given."""
        try:
            open_connection(self.path, new=True)
        except WorkspaceError as error:
            if error.key != "error.workspace_exists":
                raise
            raise WorkspaceError("error.workspace_exists", name=self.display_name) from None
        try:
            if self.typed_name is not None:
                self.rename(self.typed_name)
        except BaseException:
            delete_workspace(self.path)
            raise
        self.typed_name = None  # made: the stored name is the one from now on
        return self

    def rename(self, name: str) -> None:
        """A new display name; the file keeps its name, so paths and scripts that use it still work."""
        name = clean_name(name)
        with transaction(self) as cur:
            self.set_meta(cur, DISPLAY_NAME, name)

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

    def cache_key(self, keys: tuple[str, ...]) -> tuple[str, int, int]:
        """What a cached result of this workspace depends on: which workspace the file is (one deleted and
        made again is another), its data version, and the version of `keys`' settings."""
        workspace_id, data_version, settings = self._versions()
        return workspace_id, data_version, max((settings.get(key, 0) for key in keys), default=0)

    def settings_version(self, keys: tuple[str, ...]) -> int:
        """The settings version at which any of `keys` last changed (0: never saved): with the data
        version, the key for a result that depends on those settings and no others."""
        return self.cache_key(keys)[2]

    def _versions(self) -> tuple[str, int, dict[str, int]]:
        """The workspace's id, data version and each saved setting's version: read once per page run
        (`versions_read_once`), else at every call."""
        read = _versions_this_run.get()
        if read is not None and self.path in read:
            return read[self.path]
        with self.cursor() as cur:
            workspace_id, data_version = cur.execute(
                """select (select any_value(value) from workspace_meta where key = 'workspace_id'),
                          (select coalesce(max(value::bigint), 0) from workspace_meta where key = 'data_version')""").fetchone()
            settings = dict(cur.execute("select key, version from settings").fetchall())
        found = (str(workspace_id), int(data_version), settings)
        if read is not None:
            read[self.path] = found
        return found

    def forget_versions(self) -> None:
        """After a write: the rest of the run reads the versions again."""
        read = _versions_this_run.get()
        if read is not None:
            read.pop(self.path, None)

    def bump_data_version(self, cur: duckdb.DuckDBPyConnection, orders: bool = True) -> None:
        """A new data version. When the orders changed (`orders`), a new orders version too, and the order
        rollup is worked out again right after this transaction commits; a traffic or spend file leaves it
        alone (at 10M order lines a rebuild takes about 10 s)."""
        keys = ["data_version"] + (["orders_version"] if orders else [])
        for key in keys:
            cur.execute("insert or replace into workspace_meta select ?, (coalesce(max(value::bigint), 0) + 1)::varchar "
                        "from workspace_meta where key = ?", [key, key])
        if orders:
            self.rollup_due = True

    def schema_version(self) -> int:
        with self.cursor() as cur:
            return cur.execute(f"select max(version) from {SCHEMA_VERSION_TABLE}").fetchone()[0]


def list_workspaces(root: Path | None = None) -> list[str]:
    """The workspace files' stems, sorted."""
    return sorted(p.stem for p in (root or data_dir()).glob("*.duckdb"))


def display_name_of(path: Path) -> str:
    """A workspace file's display name, read without keeping the file open (the sidebar lists every
    workspace); its stem when it has none or cannot be read now (open in another process, damaged)."""
    path = Path(path).resolve()
    with _registry_lock:  # a read-only peek must not race this process opening the file for writing
        if path not in _connections:
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted since it was listed
                return path.stem
            return _peek_display_name(path, stat.st_mtime_ns, stat.st_size) or path.stem
    return Workspace(path).meta(DISPLAY_NAME) or path.stem


@lru_cache(maxsize=256)
def _peek_display_name(path: Path, mtime_ns: int, size: int) -> str | None:
    """Cached on the file's time and size: a file this process has not opened changes only from outside."""
    try:
        con = duckdb.connect(str(path), read_only=True, config=connection_config())
    except duckdb.Error:
        return None
    try:
        row = con.execute("select value from workspace_meta where key = ?", [DISPLAY_NAME]).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return None if row is None else row[0]
