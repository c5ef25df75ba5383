"""The A/B test register (the playbook's record table): one row per test, kept in the workspace.

Every write moves the data version, as hand-entered health inputs do, so cached reads of the register
see it at once."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.platform.i18n import Message
from core.platform.transactions import transaction
from core.platform.workspace import Workspace

COLUMNS = ["test_id", "page", "variable", "version_a", "version_b", "period", "sample_size", "rate_a", "rate_b",
           "confidence", "conclusion"]
SHARES = ("rate_a", "rate_b", "confidence")  # fractions of 1, kept to 6 decimals: shown as percentages


class DuplicateTestId(Message):
    """Two rows of the edited register share an id: the register is keyed by it, so nothing is saved."""


def entries(workspace: Workspace) -> pd.DataFrame:
    with workspace.cursor() as cur:
        return cur.execute(f"select {', '.join(COLUMNS)} from ab_test_log order by logged_at, test_id").fetchdf()


def entry_from(test_id: str, result, *, page: str | None, variable: str | None, version_a: str, version_b: str,
               first_day: date | None, last_day: date | None, conclusion: str) -> dict:
    """A register row from an analysis, ready to edit before saving."""
    period = f"{first_day} – {last_day}" if first_day and last_day else ""
    return {
        "test_id": test_id, "page": page or "", "variable": variable or "", "version_a": version_a, "version_b": version_b,
        "period": period, "sample_size": int(result.users_a + result.users_b), "rate_a": round(result.rate_a, 6),
        "rate_b": round(result.rate_b, 6), "confidence": round(result.confidence, 6), "conclusion": conclusion,
    }


def add(workspace: Workspace, entry: dict) -> None:
    """Add or update one test (keyed by its id)."""
    add_all(workspace, [entry])


def add_all(workspace: Workspace, entries: list[dict]) -> None:
    """Add or update several tests in one transaction."""
    with transaction(workspace) as cur:
        for entry in entries:
            cur.execute(
                f"insert or replace into ab_test_log ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})",
                [entry.get(c) for c in COLUMNS],
            )


def replace_all(workspace: Workspace, table: pd.DataFrame) -> None:
    """Save the edited register as a whole, in one transaction; rows without an id are dropped, ids are
    saved without surrounding spaces, and an id used twice is refused by name before anything is written."""
    # as objects, so an empty number in a float column is stored as NULL, not NaN (which INTEGER refuses)
    rows = table[COLUMNS].astype(object).where(pd.notna(table[COLUMNS]), None)
    rows = rows[rows["test_id"].notna()]
    rows = rows.assign(test_id=rows["test_id"].astype(str).str.strip())
    rows = rows[rows["test_id"].ne("")]
    repeated = rows.loc[rows["test_id"].duplicated(), "test_id"]
    if not repeated.empty:
        raise DuplicateTestId("ab.error.duplicate_test_id", test_id=repeated.iloc[0])
    with transaction(workspace) as cur:
        cur.execute("delete from ab_test_log")
        for record in rows.to_dict("records"):
            cur.execute(
                f"insert into ab_test_log ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})",
                [record[c] for c in COLUMNS],
            )
