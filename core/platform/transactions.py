"""The one way to write to a workspace: refuse the demo, serialise writers, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from core.platform import order_rollup
from core.platform.errors import WorkspaceReadOnly


@contextmanager
def transaction(workspace, cur: duckdb.DuckDBPyConnection | None = None,
                kept_result: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor inside one transaction: committed when the block ends, rolled back if it raises.

    Pass `cur` to write from a cursor that holds staged temp tables (ingest); otherwise a fresh cursor
    is opened and closed here. The demo workspace refuses every write but a kept result (a cache of what
    its own data gives, core/platform/kept_results.py)."""
    if workspace.is_demo and not kept_result:
        raise WorkspaceReadOnly("error.demo_read_only")
    own = cur is None
    cur = workspace.cursor() if own else cur
    try:
        with workspace.writing():
            cur.execute("begin transaction")
            try:
                yield cur
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                workspace.rollup_due = False
                raise
            if getattr(workspace, "rollup_due", False):  # the data changed: its order rollup follows
                workspace.rollup_due = False
                order_rollup.ensure_fresh(cur)
    finally:
        workspace.forget_versions()  # committed or not: the run reads the versions again
        if own:
            cur.close()
