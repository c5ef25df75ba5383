"""Temporary folders: named by their process, and swept at start-up once that process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from core.platform import paths


def dead_pid() -> int:
    """The id of a process that has just ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_killed_loads_folder_is_swept_and_a_live_ones_kept(tmp_path):
    # edge case: the live folder is older than the age limit, yet kept because its process still runs
    dead = tmp_path / f"shoplens-load-{dead_pid()}-abcd1234"
    live = tmp_path / f"shoplens-load-{os.getpid()}-abcd1234"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "transcoded.csv").write_text("x")
        os.utime(folder, (time.time() - 7200, time.time() - 7200))
    assert paths.sweep_stale_temp(tmp_path) == [dead]
    assert live.exists() and not dead.exists()


def test_unowned_folders_go_by_age_and_other_names_are_left_alone(tmp_path):
    # edge case: a running server's upload folder carries no pid and is idle for hours: never swept by age
    old, fresh, uploads = (tmp_path / n for n in ("shoplens-k2j4h5g6", "shoplens-a1b2c3d4", "shoplens-uploads-x1y2z3w4"))
    for folder in (old, fresh, uploads):
        folder.mkdir()
    hours_ago = time.time() - 2 * paths.STALE_AFTER_SECONDS
    os.utime(old, (hours_ago, hours_ago))
    os.utime(uploads, (hours_ago, hours_ago))
    assert paths.sweep_stale_temp(tmp_path) == [old]
    assert fresh.exists() and uploads.exists()


def test_work_dir_names_its_process_not_the_users_file(tmp_path, monkeypatch):
    # edge case: the folder name is bounded whatever the upload was called
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = paths.work_dir()
    assert folder.parent == tmp_path and folder.name.startswith(f"shoplens-load-{os.getpid()}-")
    assert paths.sweep_stale_temp(tmp_path) == []  # ours, and we run
