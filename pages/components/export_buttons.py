"""CSV downloads with spreadsheet formulas neutralised."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.platform.export import to_safe_csv
from pages.components.state import t


def show_export_csv(frame: pd.DataFrame, file_name: str, key: str | None = None, on_click=None, args=None) -> None:
    """`on_click(*args)` runs when the file is downloaded (a full contact export logs itself there)."""
    st.download_button(
        t("export.csv"), data=to_safe_csv(frame), file_name=file_name, mime="text/csv", key=key or f"csv_{file_name}",
        on_click=on_click if on_click is not None else "rerun", args=args,
    )
