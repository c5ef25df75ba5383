"""Where the project's own files and the user's workspaces live."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "sql"
SAMPLE_DIR = ROOT / "sample_data"


def data_dir() -> Path:
    """Workspaces live here: `./data` unless SHOPLENS_DATA_DIR says otherwise."""
    path = Path(os.environ.get("SHOPLENS_DATA_DIR") or ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_sql(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")
