"""Per-workspace settings (thresholds, weights, plans, choices) kept as JSON in the workspace file."""

from __future__ import annotations

import json
from typing import Any

from core.platform.workspace import Workspace


def get(workspace: Workspace, key: str, default: Any = None) -> Any:
    with workspace.cursor() as cur:
        row = cur.execute("select value from settings where key = ?", [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(workspace: Workspace, key: str, value: Any) -> None:
    """Saved at once; bumps the data version because cached results may depend on it."""
    with workspace.writing(), workspace.cursor() as cur:
        cur.execute("begin transaction")
        cur.execute("insert or replace into settings values (?, ?::json)", [key, json.dumps(value)])
        workspace.bump_data_version(cur)
        cur.execute("commit")
