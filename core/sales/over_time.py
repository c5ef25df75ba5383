"""Sales by day, week (from Monday) or month: GMV, orders, customers new and returning, AOV per period."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.platform import queries
from core.platform.i18n import Message
from core.platform.workspace import Workspace

GRAINS = ("day", "week", "month")
# the grain a period is first shown in: days up to this many days, weeks up to the next, months beyond
DAYS_BY_DAY, DAYS_BY_WEEK = 45, 200


def sales_over_time(workspace: Workspace, by: str, start: date, end: date) -> pd.DataFrame:
    """period (YYYY-MM-DD, the Monday for a week, YYYY-MM for a month), period_start, gmv, orders, customers,
    new_customers, returning_customers, aov (NaN without orders); a row for every period in start..end."""
    check_grain(by)
    return queries.frame(workspace, "sales/sales_over_time", grain=by, start=start, end=end)


def check_grain(by: str) -> None:
    if by not in GRAINS:
        raise Message("sales.error.grain", by=by, choices=", ".join(GRAINS))


def suggested_grain(start: date, end: date) -> str:
    """Days for a month or so, weeks for up to half a year, months beyond: a readable number of bars."""
    days = (end - start).days + 1
    return "day" if days <= DAYS_BY_DAY else "week" if days <= DAYS_BY_WEEK else "month"
