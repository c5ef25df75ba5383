"""The KPI overview: GMV, UV, conversion, revenue per buyer, orders, ordering customers, orders per customer
and AOV for a period against the one before.

The playbook's definitions: the conversion rate is ordering customers / UV (not orders / UV) and 客单价,
here "revenue per buyer", is GMV per ordering customer, so GMV = UV x conversion rate x revenue per buyer
holds exactly. Beside them: orders per customer and the average order value (笔单价, GMV / orders), whose
product is revenue per buyer again, unless price outliers are left out of averages: AOV follows that rule, GMV
and revenue per buyer never do, so the bridge stays on GMV.

The change in GMV splits exactly into three parts, taken one factor at a time in that order: UV's part at
the old conversion and revenue per buyer, conversion's part at the new UV and the old revenue per buyer,
revenue per buyer's part at the new UV and conversion. The parts add up to the change.

A figure without data is None, never 0: UV without daily traffic for the period, the conversion rate
without visitors, the averages without orders. Each None comes with the reason, a catalog key, for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from core.platform import queries
from core.platform.i18n import translate
from core.platform.money import MISSING, money
from core.platform.workspace import Workspace

# Why a KPI has no value (catalog keys).
NEEDS_TRAFFIC = "kpi.missing.traffic"  # no daily traffic for the period
NO_VISITORS = "kpi.missing.no_visitors"  # traffic recorded, but 0 UV: no rate to take
NO_ORDERS = "kpi.missing.no_orders"  # no order in the period: no average to take
NO_CUSTOMERS = "kpi.missing.no_customers"  # orders, but none names its customer: no one to count or divide by
# The figures in the order they are shown: the playbook's identity first, then what makes up revenue per buyer.
KPIS = ("gmv", "uv", "conversion_rate", "revenue_per_buyer", "orders", "customers", "orders_per_customer", "aov")
MONEY = ("gmv", "revenue_per_buyer", "aov")
PER_CUSTOMER = ("conversion_rate", "revenue_per_buyer", "orders_per_customer")  # need the ordering customers
# Why the GMV bridge cannot be drawn (catalog keys).
BRIDGE_NEEDS_TRAFFIC = "kpi.bridge_missing.traffic"
BRIDGE_NEEDS_VISITORS = "kpi.bridge_missing.no_visitors"
BRIDGE_NEEDS_ORDERS = "kpi.bridge_missing.no_orders"
BRIDGE_NEEDS_CUSTOMERS = "kpi.bridge_missing.no_customers"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    uv: float | None  # None: no daily traffic for any day of the period
    orders: float
    gmv: float
    customers: float  # ordering customers: distinct customers with an order in the period
    # What averages take when price outliers leave them (data.ORDER_SETTINGS); None: the same as gmv and orders.
    revenue_for_averages: float | None = None
    orders_for_averages: float | None = None

    @property
    def conversion_rate(self) -> float | None:
        """Ordering customers / UV, the playbook's rate (not orders / UV)."""
        return self.customers / self.uv if self.uv and self.why_missing("conversion_rate") is None else None

    @property
    def revenue_per_buyer(self) -> float | None:
        """客单价: GMV per ordering customer."""
        return self.gmv / self.customers if self.customers else None

    @property
    def orders_per_customer(self) -> float | None:
        return self.orders / self.customers if self.customers else None

    @property
    def aov(self) -> float | None:
        """The average order value (笔单价): GMV per order, less the price outliers when the owner leaves them
        out of averages (GMV and 客单价 keep them, so the bridge still adds up to GMV)."""
        revenue = self.gmv if self.revenue_for_averages is None else self.revenue_for_averages
        orders = self.orders if self.orders_for_averages is None else self.orders_for_averages
        return revenue / orders if orders else None

    def why_missing(self, kpi: str) -> str | None:
        """The catalog key saying why `kpi` has no value in this period; None when it has one."""
        if kpi in ("uv", "conversion_rate") and self.uv is None:
            return NEEDS_TRAFFIC
        if kpi == "conversion_rate" and not self.uv:
            return NO_VISITORS
        if kpi in PER_CUSTOMER and self.orders and not self.customers:
            return NO_CUSTOMERS
        if kpi in ("revenue_per_buyer", "orders_per_customer", "aov") and not self.orders:
            return NO_ORDERS
        return None


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def period(workspace: Workspace, start: date, end: date) -> Period:
    row = queries.frame(workspace, "diagnosis/kpi_period", start=start, end=end).iloc[0]
    uv = None if pd.isna(row["uv"]) else float(row["uv"])
    return Period(start, end, uv, float(row["count_orders"]), float(row["gmv"]), float(row["count_customers"]),
                  float(row["revenue_for_averages"]), float(row["orders_for_averages"]))


def gmv_bridge(before: Period, after: Period) -> list[tuple[str, float]]:
    """[(factor, contribution to the GMV change)] for uv, conversion_rate and revenue_per_buyer; they sum
    to the change, since UV x conversion x revenue per buyer is GMV exactly."""
    uv_part = (after.uv - before.uv) * before.conversion_rate * before.revenue_per_buyer
    conversion_part = after.uv * (after.conversion_rate - before.conversion_rate) * before.revenue_per_buyer
    buyer_part = after.uv * after.conversion_rate * (after.revenue_per_buyer - before.revenue_per_buyer)
    return [("uv", uv_part), ("conversion_rate", conversion_part), ("revenue_per_buyer", buyer_part)]


@dataclass(frozen=True)
class Change:
    """One KPI now and before. `change` is relative (0.1 = +10%), or for the conversion rate the change in
    percentage points (1.0 = +1 pt), since a relative change of a rate reads wrongly; None without a before.
    A value without data is None, and `missing` says why (a catalog key)."""
    kpi: str  # one of KPIS
    value: float | None
    before: float | None
    change: float | None
    in_points: bool = False
    missing: str | None = None


def changes(before: Period, after: Period) -> tuple[Change, ...]:
    """Every KPI against the period before, in the order of KPIS."""
    def relative(kpi: str) -> Change:
        now, then = getattr(after, kpi), getattr(before, kpi)
        change = now / then - 1 if now is not None and then else None
        return Change(kpi, now, then, change, missing=after.why_missing(kpi))

    now, then = after.conversion_rate, before.conversion_rate
    points = (now - then) * 100 if now is not None and then else None
    rate = Change("conversion_rate", now, then, points, in_points=True, missing=after.why_missing("conversion_rate"))
    return tuple(rate if name == "conversion_rate" else relative(name) for name in KPIS)


def has_bridge(before: Period, after: Period) -> bool:
    """The bridge needs visitors and orders in both periods: a factor of zero has no share to split."""
    return bridge_missing(before, after) is None


def bridge_missing(before: Period, after: Period) -> str | None:
    """Why the GMV bridge cannot split the change (a catalog key); None when it can."""
    if before.uv is None or after.uv is None:
        return BRIDGE_NEEDS_TRAFFIC
    if not (before.uv and after.uv):
        return BRIDGE_NEEDS_VISITORS
    if not (before.orders and after.orders):
        return BRIDGE_NEEDS_ORDERS
    if not (before.customers and after.customers):
        return BRIDGE_NEEDS_CUSTOMERS
    return None


def data_range(workspace: Workspace) -> tuple[date | None, date | None]:
    with workspace.cursor() as cur:
        return cur.execute("select min(date), max(date) from daily_kpis").fetchone()


def shown_value(change: Change, currency: str | None) -> str:
    """A KPI as the page and the report show it: money with the shop's currency, "–" without data."""
    if change.value is None:
        return MISSING
    if change.kpi in MONEY:
        return money(change.value, currency, 0 if change.kpi == "gmv" else 2)
    if change.kpi == "orders_per_customer":
        return f"{change.value:,.2f}"
    return f"{change.value:.2%}" if change.kpi == "conversion_rate" else f"{change.value:,.0f}"


def shown_change(change: Change, lang: str = "en") -> str | None:
    """+12.5% (or +0.30 pt, in Chinese +0.30 个百分点, for a rate); None without an earlier value to compare with."""
    if change.change is None:
        return None
    return translate("change.points", lang, value=f"{change.change:+.2f}") if change.in_points else f"{change.change:+.1%}"
