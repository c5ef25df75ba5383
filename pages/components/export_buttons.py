"""CSV downloads with spreadsheet formulas neutralised."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.platform.export import to_safe_csv
from pages.components.state import t


def show_export_csv(frame: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, key: str | None = None,
                    on_click=None, args=None) -> None:
    """`frame`, or a function making it when the button is clicked (a big list: not on every run, and off the
    page's thread; it must not call Streamlit). `on_click(*args)` runs when the file is downloaded (a full
    contact export logs itself there)."""
    data = (lambda: to_safe_csv(frame())) if callable(frame) else to_safe_csv(frame)
    st.download_button(
        t("export.csv"), data=data, file_name=file_name, mime="text/csv", key=key or f"csv_{file_name}",
        on_click=on_click if on_click is not None else "rerun", args=args,
    )
