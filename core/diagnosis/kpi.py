"""The KPI overview: GMV, orders, UV, conversion and AOV for a period against the one before.

GMV = UV x conversion rate x AOV, so the change in GMV splits exactly into three parts, taken one
factor at a time in that order: UV's part at the old conversion and AOV, conversion's part at the
new UV and old AOV, AOV's part at the new UV and conversion. The parts add up to the change.

A figure without data is None, never 0: UV without daily traffic for the period, the conversion rate
without visitors, AOV without orders. Each None comes with the reason, a catalog key, for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from core.platform import queries
from core.platform.money import MISSING, money
from core.platform.workspace import Workspace

# Why a KPI has no value (catalog keys).
NEEDS_TRAFFIC = "kpi.missing.traffic"  # no daily traffic for the period
NO_VISITORS = "kpi.missing.no_visitors"  # traffic recorded, but 0 UV: no rate to take
NO_ORDERS = "kpi.missing.no_orders"  # no order in the period: no average to take
# Why the GMV bridge cannot be drawn (catalog keys).
BRIDGE_NEEDS_TRAFFIC = "kpi.bridge_missing.traffic"
BRIDGE_NEEDS_VISITORS = "kpi.bridge_missing.no_visitors"
BRIDGE_NEEDS_ORDERS = "kpi.bridge_missing.no_orders"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    uv: float | None  # None: no daily traffic for any day of the period
    orders: float
    gmv: float

    @property
    def conversion_rate(self) -> float | None:
        return self.orders / self.uv if self.uv else None

    @property
    def aov(self) -> float | None:
        return self.gmv / self.orders if self.orders else None

    def why_missing(self, kpi: str) -> str | None:
        """The catalog key saying why `kpi` has no value in this period; None when it has one."""
        if kpi in ("uv", "conversion_rate") and self.uv is None:
            return NEEDS_TRAFFIC
        if kpi == "conversion_rate" and not self.uv:
            return NO_VISITORS
        if kpi == "aov" and not self.orders:
            return NO_ORDERS
        return None


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def period(workspace: Workspace, start: date, end: date) -> Period:
    row = queries.frame(workspace, "diagnosis/kpi_period", start=start, end=end).iloc[0]
    uv = None if pd.isna(row["uv"]) else float(row["uv"])
    return Period(start, end, uv, float(row["count_orders"]), float(row["gmv"]))


def gmv_bridge(before: Period, after: Period) -> list[tuple[str, float]]:
    """[(factor, contribution to the GMV change)] for uv, conversion_rate and aov; they sum to the change."""
    uv_part = (after.uv - before.uv) * before.conversion_rate * before.aov
    conversion_part = after.uv * (after.conversion_rate - before.conversion_rate) * before.aov
    aov_part = after.uv * after.conversion_rate * (after.aov - before.aov)
    return [("uv", uv_part), ("conversion_rate", conversion_part), ("aov", aov_part)]


@dataclass(frozen=True)
class Change:
    """One KPI now and before. `change` is relative (0.1 = +10%), or for the conversion rate the change in
    percentage points (1.0 = +1 pt), since a relative change of a rate reads wrongly; None without a before.
    A value without data is None, and `missing` says why (a catalog key)."""
    kpi: str  # gmv, orders, uv, conversion_rate, aov
    value: float | None
    before: float | None
    change: float | None
    in_points: bool = False
    missing: str | None = None


def changes(before: Period, after: Period) -> tuple[Change, ...]:
    """GMV, orders, UV, conversion rate and AOV against the period before, in that order."""
    def relative(kpi: str) -> Change:
        now, then = getattr(after, kpi), getattr(before, kpi)
        change = now / then - 1 if now is not None and then else None
        return Change(kpi, now, then, change, missing=after.why_missing(kpi))

    now, then = after.conversion_rate, before.conversion_rate
    points = (now - then) * 100 if now is not None and then else None
    return (
        relative("gmv"),
        relative("orders"),
        relative("uv"),
        Change("conversion_rate", now, then, points, in_points=True, missing=after.why_missing("conversion_rate")),
        relative("aov"),
    )


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
    return None


def data_range(workspace: Workspace) -> tuple[date | None, date | None]:
    with workspace.cursor() as cur:
        return cur.execute("select min(date), max(date) from daily_kpis").fetchone()


def shown_value(change: Change, currency: str | None) -> str:
    """A KPI as the page and the report show it: money with the shop's currency, "–" without data."""
    if change.value is None:
        return MISSING
    if change.kpi in ("gmv", "aov"):
        return money(change.value, currency, 0 if change.kpi == "gmv" else 2)
    return f"{change.value:.2%}" if change.kpi == "conversion_rate" else f"{change.value:,.0f}"


def shown_change(change: Change) -> str | None:
    """+12.5% (or +0.30 pt for a rate); None without an earlier value to compare with."""
    if change.change is None:
        return None
    return f"{change.change:+.2f} pt" if change.in_points else f"{change.change:+.1%}"
