"""The built-in demo shop: built from `sample_data/` through the same ingest path users take."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from core.data import ingest
from core.data.sample import FILES as DEMO_FILES
from core.data.sample import ensure_files
from core.platform.paths import SAMPLE_DIR, data_dir
from core.platform.transactions import transaction
from core.platform.workspace import DEMO_NAME, Workspace, close_connection

_build_lock = threading.Lock()


def demo_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / f"{DEMO_NAME}.duckdb"


def build_demo(target: Path, sample_dir: Path = SAMPLE_DIR) -> None:
    """Load every sample file into a fresh file beside `target`, then move it into place, so a
    half-built demo is never seen."""
    ensure_files(sample_dir)
    building = target.with_suffix(".building")
    for leftover in (building, building.with_suffix(".building.wal")):
        leftover.unlink(missing_ok=True)
    workspace = Workspace(building)
    for kind, file_name in DEMO_FILES.items():
        ingest.load(workspace, sample_dir / file_name, kind=kind, mode="replace")
    _log_demo_experiments(workspace)
    _demo_improvements(workspace)
    with transaction(workspace) as cur:
        workspace.set_meta(cur, "is_demo", "true")
    with workspace.cursor() as cur:
        cur.execute("checkpoint")
    close_connection(building)
    os.replace(building, target)


def _log_demo_experiments(workspace: Workspace) -> None:
    """The demo's test log holds its finished experiments, as a shop that keeps one would."""
    from core.experiments import service as experiments

    experiments.log_every_experiment(workspace)


def _demo_improvements(workspace: Workspace) -> None:
    """The demo's improvement register and measured campaigns, as a shop that keeps them would have."""
    from core.improvements import service as improvements

    improvements.record_demo(workspace)


def ensure_demo(root: Path | None = None) -> Workspace:
    """The demo workspace, built on first use."""
    target = demo_path(root)
    with _build_lock:
        if not target.exists():
            build_demo(target)
    return Workspace(target)
