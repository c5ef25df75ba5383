"""What the orders export holds, so a figure it cannot give is shown as missing with its reason, not as 0."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class Coverage:
    first_day: date | None  # the first and last day with an order (cancelled ones too); None: no orders
    last_day: date | None
    carries_status: bool  # an order status, so cancellations can be counted (all 'completed': taken as none)
    carries_refunds: bool  # refund amounts (all 0: taken as none)
    carries_products: bool  # a SKU or product name per line
    carries_categories: bool


def coverage(workspace: Workspace) -> Coverage:
    row = queries.frame(workspace, "sales/order_coverage").iloc[0]
    return Coverage(_day(row["first_order_date"]), _day(row["last_order_date"]), bool(row["carries_status"]),
                    bool(row["carries_refunds"]), bool(row["carries_products"]), bool(row["carries_categories"]))


def _day(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()
