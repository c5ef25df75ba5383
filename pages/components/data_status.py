"""Rows and date range per dataset, and the explicit empty state every page starts with."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.data import service
from core.platform.workspace import Workspace
from pages.components import period_picker
from pages.components.state import cached, t


def summary(workspace: Workspace) -> list[dict]:
    return cached(service.summary, workspace)


def last_loaded(workspace: Workspace) -> dict:
    return cached(service.last_loaded, workspace)


def span(entry: dict) -> str:
    """A dataset's first and last day, written the interface language's way (2024/05/01 in Chinese)."""
    return t("date.span", start=period_picker.day(date.fromisoformat(entry["min_date"])),
             end=period_picker.day(date.fromisoformat(entry["max_date"])))


def summary_frame(workspace: Workspace) -> pd.DataFrame:
    rows = []
    for entry in summary(workspace):
        shown = span(entry) if entry["min_date"] else "–"
        rows.append({t("col.dataset"): t(f"dataset.{entry['name']}"), t("col.rows"): entry["rows"], t("col.dates"): shown,
                     t("col.hidden_rows"): entry.get("hidden_rows", 0)})
    return pd.DataFrame(rows)


def hidden_rows(workspace: Workspace) -> int:
    """Stored rows the pages leave out (a date outside the plausible range, an amount that is no number)."""
    return sum(entry.get("hidden_rows", 0) for entry in summary(workspace))


def require(workspace: Workspace, *datasets: str) -> bool:
    """Explicit empty state: say which datasets are missing and where to add them."""
    counts = {entry["name"]: entry["rows"] for entry in summary(workspace)}
    missing = [name for name in datasets if not counts.get(name)]
    if missing:
        st.info(t("empty.needs_data", datasets=", ".join(t(f"dataset.{m}") for m in missing)))
        return False
    return True


def excludes_price_outliers(workspace: Workspace) -> bool:
    return cached(service.excludes_price_outliers, workspace)
