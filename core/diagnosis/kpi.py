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


@dataclass
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


def data_range(workspace: Workspace) -> tuple[date | None, date | None]:
    with workspace.cursor() as cur:
        return cur.execute("select min(date), max(date) from daily_kpis").fetchone()
