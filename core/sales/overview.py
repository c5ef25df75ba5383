"""A period's sales against the period of the same length just before: GMV, orders, units, customers
(new and returning), AOV, refunds and cancellations, each with its change.

A figure the orders cannot give (refunds from an export without refund amounts, an AOV without orders)
has no value and names its reason, so the page shows "–" and why, never a made-up 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.platform import queries
from core.platform.workspace import Workspace
from core.sales.coverage import Coverage

# reasons a figure has no value, as catalog keys
NO_ORDERS, NO_CUSTOMERS = "sales.missing.no_orders", "sales.missing.no_customers"
NEEDS_REFUNDS, NEEDS_STATUS = "sales.missing.needs_refunds", "sales.missing.needs_status"


@dataclass(frozen=True)
class Figure:
    """One figure now and in the period before; `sales.figure.<key>` names it."""
    key: str
    value: float | None  # None: not in the data, `missing` says why
    before: float | None
    change: float | None  # relative (0.1 = +10%), for a rate in percentage points; None without a before
    unit: str  # money, count or rate
    decimals: int = 0
    in_points: bool = False
    lower_is_better: bool = False  # refunds and cancellations: a rise is bad news
    missing: str | None = None


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before start..end."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def totals(workspace: Workspace, start: date, end: date) -> dict[str, float]:
    """The period's sums and counts (sql/queries/sales/period_figures.sql)."""
    row = queries.frame(workspace, "sales/period_figures", start=start, end=end).iloc[0]
    return {name: float(value) for name, value in row.items()}


def figures(now: dict[str, float], before: dict[str, float], coverage: Coverage) -> tuple[Figure, ...]:
    """The overview's figures in the order the page shows them."""
    def ratio(part: str, whole: str, sums: dict[str, float]) -> float | None:
        return sums[part] / sums[whole] if sums[whole] else None

    def relative(key: str, unit: str, value, then, decimals: int = 0, missing: str | None = None,
                 lower_is_better: bool = False) -> Figure:
        change = value / then - 1 if value is not None and then else None
        return Figure(key, value, then, change, unit, decimals, lower_is_better=lower_is_better,
                      missing=missing if value is None else None)

    def counted(key: str, unit: str, carried: bool, reason: str) -> Figure:
        if not carried:
            return Figure(key, None, None, None, unit, lower_is_better=True, missing=reason)
        return relative(key, unit, now[key], before[key], lower_is_better=True)

    rate, rate_before = ratio("returning_customers", "customers", now), ratio("returning_customers", "customers", before)
    points = (rate - rate_before) * 100 if rate is not None and rate_before is not None else None
    return (
        relative("gmv", "money", now["gmv"], before["gmv"]),
        relative("orders", "count", now["orders"], before["orders"]),
        relative("units", "count", now["units"], before["units"]),
        relative("aov", "money", ratio("revenue_for_averages", "orders_for_averages", now),
                 ratio("revenue_for_averages", "orders_for_averages", before), 2, NO_ORDERS),
        relative("customers", "count", now["customers"], before["customers"]),
        relative("new_customers", "count", now["new_customers"], before["new_customers"]),
        relative("returning_customers", "count", now["returning_customers"], before["returning_customers"]),
        Figure("returning_rate", rate, rate_before, points, "rate", 1, in_points=True,
               missing=NO_CUSTOMERS if rate is None else None),
        counted("refunded_orders", "count", coverage.carries_refunds, NEEDS_REFUNDS),
        counted("refunded_amount", "money", coverage.carries_refunds, NEEDS_REFUNDS),
        counted("cancelled_orders", "count", coverage.carries_status, NEEDS_STATUS),
        counted("cancelled_amount", "money", coverage.carries_status, NEEDS_STATUS),
    )

