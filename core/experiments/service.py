"""Experiments from the workspace: each variant against the control, with Holm's correction when
there are several, revenue per visitor when sums of squares are there, and the daily running rates."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.experiments import statistics as abtest
from core.platform.workspace import Workspace

CONTROL_NAMES = ("a", "control", "baseline", "对照组", "对照")


@dataclass
class Comparison:
    variant: str
    result: abtest.Result
    adjusted_p: float
    revenue: abtest.RevenueTest | None


@dataclass
class Experiment:
    name: str
    control: str
    variants: pd.DataFrame  # experiment_variants rows
    comparisons: list[Comparison] = field(default_factory=list)
    daily: pd.DataFrame | None = None

    @property
    def page(self) -> str | None:
        pages = self.variants["page"].dropna()
        return None if pages.empty else str(pages.iloc[0])

    @property
    def variable(self) -> str | None:
        values = self.variants["variables"].dropna()
        return None if values.empty else str(values.iloc[0])


def names(workspace: Workspace) -> list[str]:
    with workspace.cursor() as cur:
        return [row[0] for row in cur.execute("select distinct experiment from experiments order by 1").fetchall()]


def choose_control(variants: list[str]) -> str:
    """A variant called A / control / baseline, else the first in name order."""
    for variant in variants:
        if variant.strip().lower() in CONTROL_NAMES:
            return variant
    return sorted(variants)[0]


def analyse(workspace: Workspace, name: str, alpha: float = 0.05) -> Experiment:
    with workspace.cursor() as cur:
        variants = cur.execute("select * from experiment_variants where experiment = ? order by variant", [name]).fetchdf()
        daily = cur.execute("select * from experiment_daily where experiment = ? order by variant, date", [name]).fetchdf()
    control = choose_control(list(variants["variant"]))
    base = variants[variants["variant"] == control].iloc[0]
    others = variants[variants["variant"] != control]
    first_day, last_day = _day(variants["first_day"].min()), _day(variants["last_day"].max())
    planned_end = _day(variants["planned_end"].max())
    days = int(variants["count_days"].max()) or None  # rows per day; else the span start..end
    raw = [abtest.z_test(int(base["users"]), int(base["conversions"]), int(r.users), int(r.conversions))[1] for r in others.itertuples()]
    # several variants against one control: Holm keeps the family's false-positive rate at alpha
    decision = abtest.holm(raw) if len(raw) > 1 else raw
    comparisons = []
    for row, decision_p in zip(others.itertuples(), decision):
        result = abtest.analyse(
            int(base["users"]), int(base["conversions"]), int(row.users), int(row.conversions), alpha=alpha,
            days=days, first_day=first_day, last_day=last_day, planned_end=planned_end,
            variables=int(variants["count_variables"].max()), decision_p_value=decision_p,
            all_group_users=[int(u) for u in variants["users"]],
        )
        revenue = None
        if pd.notna(base["revenue_sq"]) and pd.notna(row.revenue_sq):
            revenue = abtest.welch_from_sums(int(base["users"]), float(base["revenue"]), float(base["revenue_sq"]),
                                             int(row.users), float(row.revenue), float(row.revenue_sq), alpha)
        comparisons.append(Comparison(row.variant, result, decision_p, revenue))
    return Experiment(name, control, variants, comparisons, daily)


def _day(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def daily_traffic(workspace: Workspace, days: int = 28) -> float:
    """Average daily UV over the last `days` days of traffic data (0 when there is none)."""
    with workspace.cursor() as cur:
        value = cur.execute(
            "select avg(uv) from daily_traffic where date > (select max(date) from daily_traffic) - ?::integer", [days]
        ).fetchone()[0]
    return float(value or 0)
