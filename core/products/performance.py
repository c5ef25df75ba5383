"""How each product and category sold in a period against the period of the same length before it:
units, revenue net of refunds, orders, customers, share, growth and return rate; ABC classes; the slow
movers holding stock; the new products.

The sums are worked out in DuckDB (sql/queries/products/product_performance.sql and
category_performance.sql define every measure); only one row per product or category comes back. A figure
the data cannot give is missing, with its reason key, never a made-up 0: growth without a period before,
return rates from an export without refund amounts, slow movers without an inventory file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace
from core.products import replenishment
from core.sales.service import coverage

SLOW_DAYS = 60  # no sale in this many days while in stock: a slow mover
ABC_SHARES = {"A": 0.80, "B": 0.95}  # cumulative revenue share each class reaches (see the query)

# reasons a figure has no value, as catalog keys
NEEDS_REFUNDS = "products.missing.needs_refunds"
NEEDS_CATEGORIES = "products.missing.needs_categories"
NEEDS_INVENTORY = replenishment.NEEDS_INVENTORY


@dataclass(frozen=True)
class Performance:
    """A period's product figures. In the frames a missing number is NaN (shown "–"): growth when the
    period before had nothing, return_rate when `return_rate_missing` names why."""
    start: date
    end: date
    previous_start: date
    previous_end: date
    slow_days: int
    products: pd.DataFrame  # one row per product: see product_performance.sql for every column
    categories: pd.DataFrame  # one row per category (empty when `categories_missing`)
    abc: pd.DataFrame  # abc_class, products, revenue, revenue_share: the classes at a glance
    slow_movers: pd.DataFrame | None  # None when `slow_movers_missing`: without stock nothing is "in stock"
    new_products: pd.DataFrame
    return_rate_missing: str | None = None
    categories_missing: str | None = None
    slow_movers_missing: str | None = None


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before start..end (both days included)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def product_performance(workspace: Workspace, start: date, end: date, slow_days: int = SLOW_DAYS) -> pd.DataFrame:
    """One row per product (sold in either period, or in the inventory file), highest revenue first."""
    previous_start, previous_end = previous_period(start, end)
    return queries.frame(workspace, "products/product_performance", start=start, end=end,
                         previous_start=previous_start, previous_end=previous_end, slow_days=int(slow_days))


def category_performance(workspace: Workspace, start: date, end: date) -> pd.DataFrame:
    """One row per category sold in either period, highest revenue first."""
    previous_start, previous_end = previous_period(start, end)
    return queries.frame(workspace, "products/category_performance", start=start, end=end,
                         previous_start=previous_start, previous_end=previous_end)


def abc_summary(products: pd.DataFrame) -> pd.DataFrame:
    """Per ABC class: how many products and how much of the revenue (classes without products included)."""
    classes = list(ABC_SHARES) + ["C"]
    classified = products[products["abc_class"].notna()]
    grouped = classified.groupby("abc_class").agg(products=("product_key", "size"), revenue=("revenue", "sum"))
    grouped = grouped.reindex(classes, fill_value=0)
    total = float(grouped["revenue"].sum())
    grouped["revenue_share"] = grouped["revenue"] / total if total > 0 else np.nan
    return grouped.rename_axis("abc_class").reset_index()


def performance(workspace: Workspace, start: date, end: date, slow_days: int = SLOW_DAYS) -> Performance:
    """Products, categories, ABC classes, slow movers and new products for start..end."""
    if end < start:
        raise ValueError("end before start")
    found = coverage(workspace)
    products = product_performance(workspace, start, end, slow_days)
    return_rate_missing = None if found.carries_refunds else NEEDS_REFUNDS
    if return_rate_missing:
        products["return_rate"] = np.nan
    categories_missing = None if found.carries_categories else NEEDS_CATEGORIES
    categories = category_performance(workspace, start, end)
    if return_rate_missing:
        categories["return_rate"] = np.nan

    slow_movers_missing = replenishment.missing_stock(workspace)
    slow_movers = None
    if slow_movers_missing is None:
        slow = products[products["is_slow_mover"]]
        # the longest without a sale first (never sold before any), then the most money tied up
        slow = slow.assign(_never=slow["last_sale_date"].isna())
        slow_movers = slow.sort_values(["_never", "days_since_last_sale", "stock_value"],
                                       ascending=[False, False, False], na_position="last").drop(columns="_never")
        slow_movers = slow_movers.reset_index(drop=True)

    new_products = products[products["is_new_product"]].reset_index(drop=True)
    previous_start, previous_end = previous_period(start, end)
    return Performance(start, end, previous_start, previous_end, int(slow_days), products, categories,
                       abc_summary(products), slow_movers, new_products, return_rate_missing,
                       categories_missing, slow_movers_missing)


def product_names(workspace: Workspace) -> pd.DataFrame:
    """sku, product_name: the latest name the orders give each SKU (none when they carry no names)."""
    return queries.frame(workspace, "products/product_names")
