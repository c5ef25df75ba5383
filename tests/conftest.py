"""Shared fixtures: every test gets its own data folder, and no connection or cache outlives it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.platform import workspace as workspace_module  # noqa: E402
from core.platform.workspace import Workspace  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def wait_for_background(seconds: float = 120) -> None:
    """Until the slow work started for parts of pages not shown is handed over, and every queued job is done."""
    import time

    from core.platform import background

    background._starter.submit(lambda: None).result(timeout=seconds)
    deadline = time.monotonic() + seconds
    while background.busy() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("SHOPLENS_DATA_DIR", str(folder))
    yield folder
    for path in list(workspace_module._connections):
        workspace_module.close_connection(path)


@pytest.fixture
def workspace(data_dir) -> Workspace:
    return Workspace(data_dir / "shop.duckdb")


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a small CSV exactly as given (leading indentation removed)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def table(workspace: Workspace, sql: str, params=None):
    with workspace.cursor() as cur:
        return cur.execute(sql, params or []).fetchall()
