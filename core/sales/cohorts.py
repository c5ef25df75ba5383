"""Customers grouped by the month of their first order: which share ordered again in each calendar month
after it (retention), and how much each customer of the cohort has spent by then (the lifetime-value
curve). Month 0 is the first order's month; every cohort runs to the last month with orders."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class Cohort:
    cohort: str  # YYYY-MM of the first order
    customers: int
    retention: tuple[float, ...]  # [k]: share of the cohort with an order in month cohort + k; [0] is 1.0
    revenue_per_customer: tuple[float, ...]  # [k]: the cohort's revenue through month cohort + k over its size


def grid(workspace: Workspace) -> pd.DataFrame:
    """One row per cohort and month since the first order: cohort, months_since_first_order, customers,
    retention_rate, revenue_per_customer (cumulative), from `sql/queries/sales/cohort_months.sql`."""
    table = queries.frame(workspace, "sales/cohort_months")
    return table.rename(columns={"cohort_customers": "customers", "cumulative_revenue_per_customer": "revenue_per_customer"})[
        ["cohort", "months_since_first_order", "customers", "retention_rate", "revenue_per_customer"]]


def cohorts(table: pd.DataFrame) -> tuple[Cohort, ...]:
    """The grid as one entry per cohort, oldest first."""
    return tuple(
        Cohort(str(name), int(rows["customers"].iloc[0]), tuple(float(r) for r in rows["retention_rate"]),
               tuple(float(c) for c in rows["revenue_per_customer"]))
        for name, rows in table.sort_values(["cohort", "months_since_first_order"]).groupby("cohort", sort=True))
