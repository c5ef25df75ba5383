"""The file uploader: saves the upload to a temporary file DuckDB can read (never under the client's name).

Temporary copies live in one folder per server process and are removed as soon as they are not needed:
after a load (whether it worked or not: the next run copies the file again from the uploader if it is
still there), when the user removes or replaces the file, and with the folder when the server stops.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import streamlit as st

from core.platform.paths import work_dir
from pages.components.state import t

UPLOAD_LIMIT_MB = 1024
ACCEPTED_TYPES = ["csv", "txt", "tsv", "xlsx"]


@cache
def upload_dir() -> Path:
    """This process's folder of upload copies, removed when the process ends."""
    folder = work_dir("uploads")  # named for this process: a killed server's folder is swept at the next start
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _saved() -> dict[str, str]:
    return st.session_state.setdefault("saved_uploads", {})


def _remove_others(keep: str | None) -> None:
    """Delete the copies of files no longer in the uploader."""
    saved = _saved()
    for file_id in [f for f in saved if f != keep]:
        Path(saved.pop(file_id)).unlink(missing_ok=True)


def show(disabled: bool = False):
    """Returns (path on disk, the name the user knows the file by) or None."""
    upload = st.file_uploader(
        t("data.upload_label"), type=ACCEPTED_TYPES, disabled=disabled,
        key=f"upload_{st.session_state.get('upload_round', 0)}",
        help=t("data.upload_help", limit=UPLOAD_LIMIT_MB),
    )
    _remove_others(None if upload is None else upload.file_id)
    if upload is None:
        return None
    saved = _saved()
    path = saved.get(upload.file_id)
    if path is None or not Path(path).exists():
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        handle = tempfile.NamedTemporaryFile(prefix="upload-", suffix=suffix, dir=upload_dir(), delete=False)
        with handle:
            upload.seek(0)
            shutil.copyfileobj(upload, handle, length=1 << 20)
        path = saved[upload.file_id] = handle.name
    return Path(path), upload.name


def discard(path: Path) -> None:
    """After a load attempt: delete the temporary copy (the uploader keeps the file for another try)."""
    saved = _saved()
    for file_id, saved_path in list(saved.items()):
        if Path(saved_path) == path:
            del saved[file_id]
    path.unlink(missing_ok=True)


def forget(path: Path) -> None:
    """After a successful load: delete the copy and give the next run an empty uploader."""
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    discard(path)
