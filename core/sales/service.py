"""The Sales page's one door to core, and the CLI's: what the orders alone tell (a period against the one
before, sales over time, top sellers, cohorts and repeat purchase), in the shop's currency. Results are
frozen, so a cached result cannot be changed by a page. The only setting read is the order cleaning choice
(data.ORDER_SETTINGS: price outliers leave averages), which AOV and revenue per customer follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from core.data.service import ORDER_SETTINGS, shop_currency
from core.diagnosis.service import DataRange
from core.platform.i18n import translate
from core.platform.money import MISSING, money
from core.platform.services import reads_settings
from core.platform.workspace import Workspace
from core.sales import cohorts as cohort_analysis
from core.sales import over_time, repeat_purchase, top_sellers
from core.sales import overview as period_overview
from core.sales.coverage import coverage
from core.sales.overview import Figure

GRAINS = over_time.GRAINS
Cohort = cohort_analysis.Cohort
RepeatPurchase = repeat_purchase.RepeatPurchase
SALES_FIELDS = ("period", "gmv", "orders", "customers", "new_customers", "returning_customers", "aov")
NEEDS_PRODUCTS, NEEDS_CATEGORIES = "sales.missing.needs_products", "sales.missing.needs_categories"


@dataclass(frozen=True)
class Overview:
    start: date
    end: date
    previous_start: date  # the period of the same length just before
    previous_end: date
    previous_covered: bool  # False: the orders start after the previous period does, so its figures are partial
    currency: str | None  # the shop's currency code, None when the orders name none
    figures: tuple[Figure, ...]  # GMV, orders, units, AOV; customers, new, returning, returning rate; refunds, cancellations
    top_products: pd.DataFrame  # sku, product_name, units, sales, sales_before, sales_growth; best first
    top_categories: pd.DataFrame  # category, units, sales, sales_before, sales_growth; best first
    products_missing: str | None  # why there are no products (catalog key), None when the orders carry them
    categories_missing: str | None

    @property
    def has_orders(self) -> bool:
        """Whether any order (cancelled ones too) was placed in the period."""
        by_key = {f.key: f.value for f in self.figures}
        return bool(by_key["orders"]) or bool(by_key["cancelled_orders"])

    @property
    def missing(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(reason, the figures it leaves without a value) for each reason, in the figures' order."""
        reasons = dict.fromkeys(f.missing for f in self.figures if f.missing)
        return tuple((reason, tuple(f.key for f in self.figures if f.missing == reason)) for reason in reasons)


@dataclass(frozen=True)
class Sales:
    by: str  # day, week or month
    start: date | None  # None: no orders
    end: date | None
    currency: str | None
    periods: pd.DataFrame  # SALES_FIELDS + period_start; every period in start..end, oldest first

    def records(self) -> list[dict]:
        """The periods as plain values (SALES_FIELDS; aov None for a period without orders), e.g. for JSON."""
        return [{"period": str(row["period"]), "gmv": float(row["gmv"]), "orders": int(row["orders"]),
                 "customers": int(row["customers"]), "new_customers": int(row["new_customers"]),
                 "returning_customers": int(row["returning_customers"]),
                 "aov": None if pd.isna(row["aov"]) else float(row["aov"])} for _, row in self.periods.iterrows()]


@dataclass(frozen=True)
class Cohorts:
    currency: str | None
    cohorts: tuple[Cohort, ...]  # oldest first; the lists run to the last month with orders
    grid: pd.DataFrame  # cohort, months_since_first_order, customers, retention_rate, revenue_per_customer
    repeat: RepeatPurchase

    def records(self) -> list[dict]:
        """The cohorts as plain values, e.g. for JSON."""
        return [{"cohort": c.cohort, "customers": c.customers, "retention": list(c.retention),
                 "revenue_per_customer": list(c.revenue_per_customer)} for c in self.cohorts]


def date_range(workspace: Workspace) -> DataRange:
    """The first and last day with an order; every period is picked inside it."""
    found = coverage(workspace)
    return DataRange(found.first_day, found.last_day)


@reads_settings(*ORDER_SETTINGS)
def overview(workspace: Workspace, start: date, end: date) -> Overview:
    """start..end against the period of the same length just before."""
    found = coverage(workspace)
    before = period_overview.previous(start, end)
    now, then = period_overview.totals(workspace, start, end), period_overview.totals(workspace, *before)
    products = top_sellers.top_products(workspace, start, end, before)
    categories = top_sellers.top_categories(workspace, start, end, before)
    return Overview(
        start=start,
        end=end,
        previous_start=before[0],
        previous_end=before[1],
        previous_covered=found.first_day is not None and found.first_day <= before[0],
        currency=shop_currency(workspace),
        figures=period_overview.figures(now, then, found),
        top_products=products,
        top_categories=categories,
        products_missing=None if found.carries_products else NEEDS_PRODUCTS,
        categories_missing=None if found.carries_categories else NEEDS_CATEGORIES,
    )


@reads_settings(*ORDER_SETTINGS)
def sales(workspace: Workspace, by: str, start: date | None = None, end: date | None = None) -> Sales:
    """GMV, orders, customers (new, returning) and AOV per day, week or month over start..end (None: the
    first or last day with an order). Cancelled orders are left out; GMV is order totals net of refunds."""
    over_time.check_grain(by)
    found = coverage(workspace)
    start, end = start or found.first_day, end or found.last_day
    if start is None or end is None or start > end:
        periods = pd.DataFrame(columns=[*SALES_FIELDS, "period_start"])
    else:
        periods = over_time.sales_over_time(workspace, by, start, end)
    return Sales(by, start, end, shop_currency(workspace), periods)


def suggested_grain(start: date, end: date) -> str:
    """The grain a period is first shown in (day, week or month)."""
    return over_time.suggested_grain(start, end)


@reads_settings(*ORDER_SETTINGS)
def cohorts(workspace: Workspace) -> Cohorts:
    """Monthly cohorts by first order: retention and cumulative revenue per customer, and repeat purchase."""
    table = cohort_analysis.grid(workspace)
    return Cohorts(shop_currency(workspace), cohort_analysis.cohorts(table), table,
                   repeat_purchase.repeat_purchase(workspace))


def shown_value(figure: Figure, currency: str | None) -> str:
    """A figure as the page and the report show it: money with the shop's currency, "–" without data."""
    if figure.value is None:
        return MISSING
    if figure.unit == "money":
        return money(figure.value, currency, figure.decimals)
    return f"{figure.value:.{figure.decimals}%}" if figure.unit == "rate" else f"{figure.value:,.0f}"


def shown_change(figure: Figure, lang: str = "en") -> str | None:
    """+12.5%, or +3.0 pt (in Chinese +3.0 个百分点) for a rate; None without an earlier value."""
    if figure.change is None:
        return None
    return translate("change.points", lang, value=f"{figure.change:+.1f}") if figure.in_points else f"{figure.change:+.1%}"
