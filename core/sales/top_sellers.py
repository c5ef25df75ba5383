"""The products and categories that sold most in a period, with their growth on the period before."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace

TOP = 10  # how many products and categories the overview lists


def top_products(workspace: Workspace, start: date, end: date, previous: tuple[date, date], top: int = TOP) -> pd.DataFrame:
    """sku, product_name, units, sales, sales_before, sales_growth (NaN: did not sell before), best first."""
    return queries.frame(workspace, "sales/top_products", start=start, end=end, previous_start=previous[0],
                         previous_end=previous[1], top=top)


def top_categories(workspace: Workspace, start: date, end: date, previous: tuple[date, date], top: int = TOP) -> pd.DataFrame:
    """category, units, sales, sales_before, sales_growth (NaN: did not sell before), best first."""
    return queries.frame(workspace, "sales/top_categories", start=start, end=end, previous_start=previous[0],
                         previous_end=previous[1], top=top)
