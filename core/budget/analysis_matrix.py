"""The analysis matrix: category x channel (x customer tier), where the next money should go."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from core.budget.channel_returns import channel_months, roi_last_3
from core.customers import service as customers
from core.platform import queries
from core.platform.workspace import Workspace

DAYS = 90  # each period of the matrix, and the one before it that growth compares with
GREAT_ROI, GOOD_ROI = 3.0, 1.5  # two stars, one star
GROWING = 0.05  # growth above 5% earns a star
WEIGHTY_SHARE = 0.05  # a cell with 5% or more of GMV earns a star
ACTIONS = {5: "invest", 4: "invest", 3: "keep", 2: "review", 1: "cut"}  # stars -> budget.action.<key>


def growth_stars(share: float, growth: float | None, roi: float | None) -> int:
    """1-5 stars for where the next money should go: ROI counts most, then growth, then weight in GMV."""
    points = 1
    if roi is not None and roi == roi:
        points += 2 if roi >= GREAT_ROI else 1 if roi >= GOOD_ROI else 0
    if growth is not None and growth == growth:
        points += 1 if growth > GROWING else 0
    points += 1 if share >= WEIGHTY_SHARE else 0
    return min(5, points)


def tiers_at_period_starts(workspace: Workspace, until, days: int) -> pd.DataFrame:
    """Each buyer's tier on the first day of the recent period and of the one before (saved tier rules)."""
    starts = {"recent": until - timedelta(days=days), "before": until - timedelta(days=2 * days)}
    return pd.concat([customers.tiers_at(workspace, start)[["customer_id", "tier"]].assign(period=period)
                      for period, start in starts.items()], ignore_index=True)


def analysis_matrix(workspace: Workspace, days: int = DAYS, by_tier: bool = False) -> pd.DataFrame:
    """Category x channel (x customer tier) over the last `days` days: share of GMV, growth against the
    `days` before, channel ROI over its last 3 months, stars and an action key."""
    until = customers.default_as_of(workspace)  # the day after the last order, so the latest orders count
    if until is None:
        return pd.DataFrame()
    tiers = tiers_at_period_starts(workspace, until, days) if by_tier else pd.DataFrame(
        {column: pd.Series(dtype="string") for column in ("customer_id", "tier", "period")})
    matrix = queries.frame(workspace, "budget/category_channel_matrix", relations={"customer_tiers": tiers},
                           until=until, days=days, by_tier=by_tier)
    if matrix.empty:
        return matrix
    if not by_tier:
        matrix = matrix.drop(columns="customer_tier")
    months = channel_months(workspace)
    roi = roi_last_3(months) if not months.empty else {}
    matrix["roi"] = matrix["channel"].map(roi)
    matrix["stars"] = [growth_stars(s, g, r) for s, g, r in zip(matrix["share_of_gmv"], matrix["growth"], matrix["roi"])]
    matrix["action"] = ["budget.action." + ACTIONS[s] for s in matrix["stars"]]
    return matrix
