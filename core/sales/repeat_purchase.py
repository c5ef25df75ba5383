"""How many customers come back, and how soon: the share with two or more orders and the median days
from the first order to the second."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class RepeatPurchase:
    customers: int  # with at least one order that was not cancelled
    repeat_customers: int  # with two or more
    repeat_rate: float | None  # None without customers
    median_days_to_second_order: float | None  # None when nobody ordered twice


def repeat_purchase(workspace: Workspace) -> RepeatPurchase:
    row = queries.frame(workspace, "sales/repeat_purchase").iloc[0]
    return RepeatPurchase(int(row["customers"]), int(row["repeat_customers"]), _number(row["repeat_customer_rate"]),
                          _number(row["median_days_to_second_order"]))


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)
