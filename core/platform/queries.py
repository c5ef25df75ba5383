"""Run the parameterised queries kept in `sql/queries/`, one file each, named like the question."""

from __future__ import annotations

from functools import cache

import pandas as pd

from core.platform.paths import read_sql
from core.platform.workspace import Workspace


@cache
def text(name: str) -> str:
    return read_sql(f"queries/{name}.sql")


def frame(workspace: Workspace, name: str, relations: dict[str, pd.DataFrame] | None = None, **params) -> pd.DataFrame:
    """A small, already aggregated result; values are bound, never pasted into SQL.

    `relations` are small frames the query joins by name (e.g. each customer's tier, worked out in Python);
    they live on this query's own cursor only."""
    sql, used = _bound(name, params)
    with workspace.cursor() as cur:
        for relation, data in (relations or {}).items():
            cur.register(relation, data)
        return cur.execute(sql, used).fetchdf()


def long_frame(workspace: Workspace, name: str, **params) -> pd.DataFrame:
    """A result of a row per customer (hundreds of thousands) of text, whole numbers, doubles and timestamps,
    through Arrow: a third less time than `frame` for the same frame (326k customers: 0.041 s against 0.060 s).
    Not for DECIMAL or DATE columns, which Arrow hands to pandas as Python objects."""
    sql, used = _bound(name, params)
    with workspace.cursor() as cur:
        return cur.sql(sql, params=used).to_arrow_table().to_pandas()


def _bound(name: str, params: dict) -> tuple[str, dict]:
    """The query's text and the parameters it names (DuckDB refuses one it does not use)."""
    sql = text(name)
    return sql, {key: value for key, value in params.items() if f"${key}" in sql}
