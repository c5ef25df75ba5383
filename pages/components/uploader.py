"""The file uploader: saves the upload to a temporary file DuckDB can read (never under the client's name)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import streamlit as st

from pages.components.state import t

UPLOAD_LIMIT_MB = 1024
ACCEPTED_TYPES = ["csv", "txt", "tsv", "xlsx"]


def show(disabled: bool = False):
    """Returns (path on disk, the name the user knows the file by) or None."""
    upload = st.file_uploader(
        t("data.upload_label"), type=ACCEPTED_TYPES, disabled=disabled,
        key=f"upload_{st.session_state.get('upload_round', 0)}",
        help=t("data.upload_help", limit=UPLOAD_LIMIT_MB),
    )
    if upload is None:
        return None
    saved = st.session_state.setdefault("saved_uploads", {})
    path = saved.get(upload.file_id)
    if path is None or not Path(path).exists():
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        handle = tempfile.NamedTemporaryFile(prefix="shoplens-upload-", suffix=suffix, delete=False)
        with handle:
            upload.seek(0)
            shutil.copyfileobj(upload, handle, length=1 << 20)
        path = saved[upload.file_id] = handle.name
    return Path(path), upload.name


def forget(path: Path) -> None:
    """After a load: delete the temporary copy and give the next run an empty uploader."""
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    saved = st.session_state.get("saved_uploads", {})
    for file_id, saved_path in list(saved.items()):
        if Path(saved_path) == path:
            del saved[file_id]
    path.unlink(missing_ok=True)
