"""The KPI overview: GMV, orders, UV, conversion and AOV for a period against the one before.

GMV = UV x conversion rate x AOV, so the change in GMV splits exactly into three parts, taken one
factor at a time in that order: UV's part at the old conversion and AOV, conversion's part at the
new UV and old AOV, AOV's part at the new UV and conversion. The parts add up to the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.platform import queries
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    uv: float
    orders: float
    gmv: float

    @property
    def conversion_rate(self) -> float:
        return self.orders / self.uv if self.uv else 0.0

    @property
    def aov(self) -> float:
        return self.gmv / self.orders if self.orders else 0.0


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def period(workspace: Workspace, start: date, end: date) -> Period:
    row = queries.frame(workspace, "diagnosis/kpi_period", start=start, end=end).iloc[0]
    return Period(start, end, float(row["uv"]), float(row["count_orders"]), float(row["gmv"]))


def gmv_bridge(before: Period, after: Period) -> list[tuple[str, float]]:
    """[(factor, contribution to the GMV change)] for uv, conversion_rate and aov; they sum to the change."""
    uv_part = (after.uv - before.uv) * before.conversion_rate * before.aov
    conversion_part = after.uv * (after.conversion_rate - before.conversion_rate) * before.aov
    aov_part = after.uv * after.conversion_rate * (after.aov - before.aov)
    return [("uv", uv_part), ("conversion_rate", conversion_part), ("aov", aov_part)]


@dataclass(frozen=True)
class Change:
    """One KPI now and before. `change` is relative (0.1 = +10%), or for the conversion rate the change in
    percentage points (1.0 = +1 pt), since a relative change of a rate reads wrongly; None without a before."""
    kpi: str  # gmv, orders, uv, conversion_rate, aov
    value: float
    before: float
    change: float | None
    in_points: bool = False


def changes(before: Period, after: Period) -> tuple[Change, ...]:
    """GMV, orders, UV, conversion rate and AOV against the period before, in that order."""
    def relative(kpi: str, now: float, then: float) -> Change:
        return Change(kpi, now, then, now / then - 1 if then else None)

    points = (after.conversion_rate - before.conversion_rate) * 100 if before.conversion_rate else None
    return (
        relative("gmv", after.gmv, before.gmv),
        relative("orders", after.orders, before.orders),
        relative("uv", after.uv, before.uv),
        Change("conversion_rate", after.conversion_rate, before.conversion_rate, points, in_points=True),
        relative("aov", after.aov, before.aov),
    )


def has_bridge(before: Period, after: Period) -> bool:
    """The bridge needs visitors and orders in both periods: a factor of zero has no share to split."""
    return bool(before.uv and after.uv and before.orders and after.orders)


def data_range(workspace: Workspace) -> tuple[date | None, date | None]:
    with workspace.cursor() as cur:
        return cur.execute("select min(date), max(date) from daily_kpis").fetchone()
