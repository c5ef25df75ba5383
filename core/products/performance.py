"""How each product and category sold in a period against the period of the same length before it:
units, revenue net of refunds, orders, customers, share, growth and return rate; ABC classes; the slow
movers holding stock; the new products.

The sums are worked out in DuckDB (sql/queries/products/product_performance.sql and
category_performance.sql define every measure); only one row per product or category comes back. A figure
the data cannot give is missing, with its reason key, never a made-up 0: growth without a period before,
return rates from an export without refund amounts, slow movers without an inventory file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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

    def for_slow_days(self, days: int) -> Performance:
        """The same figures with the slow movers of `days` without a sale (worked out from the products' rows:
        moving the number of days asks nothing of the database)."""
        if self.slow_movers_missing is not None:
            return replace(self, slow_days=int(days))
        return replace(self, slow_days=int(days), slow_movers=slow_movers(self.products, int(days)))


def slow_movers(products: pd.DataFrame, days: int) -> pd.DataFrame:
    """In stock and no sale in the last `days` days up to the period's end: the last sale `days` or more days
    before it (a product that never sold, once listed that long or when its listed date is unknown); the
    longest without a sale first (never sold before any), then the most money tied up."""
    def at_least(column: str) -> pd.Series:
        return products[column].isna() | (products[column] >= days)

    slow = products[(products["stock_on_hand"] > 0) & at_least("days_since_last_sale") & at_least("days_since_listed")]
    slow = slow.assign(_never=slow["last_sale_date"].isna())
    return (slow.sort_values(["_never", "days_since_last_sale", "stock_value"], ascending=[False, False, False],
                             na_position="last")
            .drop(columns="_never").reset_index(drop=True))


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before start..end (both days included)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def product_performance(workspace: Workspace, start: date, end: date) -> pd.DataFrame:
    """One row per product (sold in either period, or in the inventory file), highest revenue first."""
    previous_start, previous_end = previous_period(start, end)
    return queries.frame(workspace, "products/product_performance", start=start, end=end,
                         previous_start=previous_start, previous_end=previous_end)


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
    products = product_performance(workspace, start, end)
    return_rate_missing = None if found.carries_refunds else NEEDS_REFUNDS
    if return_rate_missing:
        products["return_rate"] = np.nan
    categories_missing = None if found.carries_categories else NEEDS_CATEGORIES
    categories = category_performance(workspace, start, end)
    if return_rate_missing:
        categories["return_rate"] = np.nan

    slow_movers_missing = replenishment.missing_stock(workspace)
    new_products = products[products["is_new_product"]].reset_index(drop=True)
    previous_start, previous_end = previous_period(start, end)
    figures = Performance(start, end, previous_start, previous_end, int(slow_days), products, categories,
                          abc_summary(products), None, new_products, return_rate_missing,
                          categories_missing, slow_movers_missing)
    return figures.for_slow_days(slow_days)


def product_names(workspace: Workspace) -> pd.DataFrame:
    """sku, product_name: the latest name the orders give each SKU (none when they carry no names)."""
    return queries.frame(workspace, "products/product_names")
