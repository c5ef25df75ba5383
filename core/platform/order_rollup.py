"""One row per order, stored once per load (`order_rollup`, sql/migrations/014) instead of grouped by every query.

At 1M order lines the per-order grouping behind `order_summary` cost 0.3-0.5 s in nearly every page's queries.
It is rebuilt in a transaction of its own right after any transaction that changed the orders (the one that
bumps the orders version) or the plausible-date settings (they decide which lines are usable): the writer marks
the workspace `rollup_due` and `transaction` calls `ensure_fresh` after the commit (docs/decisions/0015). A
workspace whose rollup is missing or of another version (an older ShopLens, a kill between the two commits)
is rebuilt when it is opened. The latest plausible date is taken when the rollup is built.
"""

from __future__ import annotations

import duckdb

from core.platform.paths import read_sql

VERSION_META = "order_rollup_version"  # workspace_meta: the orders and plausible-date settings versions it was built at


def _wanted(cur: duckdb.DuckDBPyConnection) -> str:
    data, settings = cur.execute(
        """select (select coalesce(max(value::bigint), 0) from workspace_meta where key = 'orders_version'),
                  (select coalesce(max(version), 0) from settings where key like 'plausible\\_%' escape '\\')"""
    ).fetchone()
    return f"{data}:{settings}"


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Work the orders out again from the usable lines, inside the caller's transaction."""
    cur.execute("delete from main.order_rollup")
    cur.execute("insert into main.order_rollup " + read_sql("queries/data/order_rollup.sql"))
    cur.execute("insert or replace into workspace_meta values (?, ?)", [VERSION_META, _wanted(cur)])


def is_fresh(cur: duckdb.DuckDBPyConnection) -> bool:
    row = cur.execute("select value from workspace_meta where key = ?", [VERSION_META]).fetchone()
    return row is not None and row[0] == _wanted(cur)


def ensure_fresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild when the rollup is missing or of another version, in one transaction (a kill cannot leave it
    half-made)."""
    if is_fresh(con):
        return
    con.execute("begin transaction")
    try:
        rebuild(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
