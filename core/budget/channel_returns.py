"""Channel returns: spend, revenue and ROI per channel and month, and the playbook's drop rule.

A channel whose ROI stayed below 1 in each of its last 3 months is a candidate to drop; one bad month,
or a shorter history, is not enough.
"""

from __future__ import annotations

import pandas as pd

from core.budget.response_curves import Curve, fit_curve
from core.platform import queries
from core.platform.workspace import Workspace

DROP_ROI = 1.0
DROP_MONTHS = 3


def channel_months(workspace: Workspace) -> pd.DataFrame:
    """Per channel and month: spend, revenue, clicks, orders, roi, cpc, cpa, conversion_rate (null when undefined)."""
    return queries.frame(workspace, "budget/channel_months")


def drop_candidates(months: pd.DataFrame) -> list[str]:
    """Channels losing money in each of their last 3 months; one bad month, or a short history, is not enough."""
    candidates = []
    for channel, rows in months.sort_values("month").groupby("channel", sort=True):
        last = rows["roi"].tail(DROP_MONTHS)
        if len(last) == DROP_MONTHS and last.notna().all() and bool((last < DROP_ROI).all()):
            candidates.append(channel)
    return candidates


def suggested_action(roi: float, is_drop_candidate: bool) -> str:
    """The ROI table's action key: drop a channel losing money for 3 months, review one losing money now."""
    if is_drop_candidate:
        return "budget.action.drop"
    return "budget.action.keep_or_grow" if roi >= DROP_ROI else "budget.action.review"


def channel_curves(months: pd.DataFrame) -> dict[str, Curve]:
    """A response curve per channel from its monthly spend and attributed revenue."""
    return {channel: fit_curve(group["spend"].to_numpy(float), group["attributed_revenue"].to_numpy(float))
            for channel, group in months.groupby("channel")}


def last_month_spend(months: pd.DataFrame) -> dict[str, float]:
    """Each channel's spend in its latest month: the 'current' split the what-if compares with."""
    latest = months.sort_values("month").groupby("channel").tail(1)
    return dict(zip(latest["channel"], latest["spend"].astype(float)))


def over_period(curves: dict[str, Curve], spend: dict[str, float], months_ahead: int
                ) -> tuple[dict[str, Curve], dict[str, float]]:
    """Monthly curves and a month's spend, stretched over a plan of `months_ahead` months of the same split."""
    return ({channel: curve.over(months_ahead) for channel, curve in curves.items()},
            {channel: value * months_ahead for channel, value in spend.items()})


def _last_3_months(months: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each channel's totals over its last 3 months (NaN where a column was never filled)."""
    recent = months.sort_values("month").groupby("channel").tail(DROP_MONTHS)
    return recent.groupby("channel")[columns].sum(min_count=1)


def roi_last_3(months: pd.DataFrame) -> dict[str, float]:
    sums = _last_3_months(months, ["attributed_revenue", "spend"])
    return (sums["attributed_revenue"] / sums["spend"]).to_dict()


def revenue_per_order(months: pd.DataFrame) -> dict[str, float]:
    """Attributed revenue per attributed order over each channel's last 3 months (NaN without orders):
    turns predicted revenue into predicted orders."""
    sums = _last_3_months(months, ["attributed_revenue", "orders"])
    return (sums["attributed_revenue"] / sums["orders"].where(sums["orders"] > 0)).to_dict()
