"""Per-workspace settings (thresholds, weights, plans, choices) kept as JSON in the workspace file.

Settings have a version of their own, apart from the data version: each saved key remembers the
settings version at which it changed, so a cached result depends only on the keys it reads. Each
family names its keys and wraps them in load/save functions; nothing else calls `put`.
"""

from __future__ import annotations

import json
from typing import Any

from core.platform.transactions import transaction

PLAUSIBLE_PREFIX = "plausible_"  # the date-range settings (sql/views/plausible_dates.sql)


def get(workspace, key: str, default: Any = None) -> Any:
    with workspace.cursor() as cur:
        row = cur.execute("select value from settings where key = ?", [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(workspace, key: str, value: Any) -> None:
    """Saved at once, with the next settings version; the data version stays as it is."""
    with transaction(workspace) as cur:
        version = cur.execute(
            "select coalesce(max(value::bigint), 0) + 1 from workspace_meta where key = 'settings_version'").fetchone()[0]
        cur.execute("insert or replace into workspace_meta values ('settings_version', ?)", [str(version)])
        cur.execute("insert or replace into settings (key, value, version) values (?, ?::json, ?)",
                    [key, json.dumps(value), version])
        if key.startswith(PLAUSIBLE_PREFIX):  # they decide which order lines are usable: rolled up again after
            workspace.rollup_due = True
