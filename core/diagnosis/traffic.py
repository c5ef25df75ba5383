"""The daily traffic monitor: UV in total and by source, and the days that need a look within 48 hours.

Anomalies come from `sql/queries/diagnosis/traffic_anomalies.sql` with the thresholds below bound in:
a channel UV_DROP (20%) or more below the median of its same weekday over the previous BASELINE_WEEKS
(4) weeks, at least MIN_BASELINE_WEEKS (2) of them seen, or
a day with bounce rate above HIGH_BOUNCE (70%) across all channels (channel 'all', metric high_bounce), or
a channel with bounce rate above HIGH_BOUNCE that day (metric high_bounce_channel), as the playbook flags channels.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace

UV_DROP = 0.20
HIGH_BOUNCE = 0.70
BOUNCE_METRICS = ("high_bounce", "high_bounce_channel")  # the anomalies whose value is a rate
BASELINE_WEEKS = 4
MIN_BASELINE_WEEKS = 2


def _between(sql: str, start: date | None, end: date | None) -> tuple[str, list]:
    return sql + " where ($1::date is null or date >= $1) and ($2::date is null or date <= $2) order by all", [start, end]


def daily_by_channel(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    sql, params = _between(
        "select date, channel, uv, share_of_uv, bounce_rate, add_to_cart_rate from daily_channel_traffic", start, end)
    with workspace.cursor() as cur:
        return cur.execute(sql, params).fetchdf()


def daily_totals(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    sql, params = _between("select date, uv, bounce_rate, add_to_cart_rate from daily_traffic", start, end)
    with workspace.cursor() as cur:
        return cur.execute(sql, params).fetchdf()


def channel_summary(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Per source over the period: UV, share of UV, bounce and add-to-cart rates (UV-weighted)."""
    with workspace.cursor() as cur:
        return cur.execute(
            """select channel, sum(uv) as uv, sum(uv) / sum(sum(uv)) over () as share_of_uv,
                      sum(uv * bounce_rate) / nullif(sum(uv) filter (where bounce_rate is not null), 0) as bounce_rate,
                      sum(uv * add_to_cart_rate) / nullif(sum(uv) filter (where add_to_cart_rate is not null), 0)
                          as add_to_cart_rate
               from daily_channel_traffic
               where ($1::date is null or date >= $1) and ($2::date is null or date <= $2)
               group by channel order by uv desc""",
            [start, end],
        ).fetchdf()


def anomalies(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """date, channel ('all' for the whole day), metric (uv_drop, high_bounce or high_bounce_channel), value,
    baseline, change; newest first."""
    return queries.frame(workspace, "diagnosis/traffic_anomalies", start=start, end=end,
                         uv_drop=UV_DROP, high_bounce=HIGH_BOUNCE, baseline_weeks=BASELINE_WEEKS,
                         min_baseline_weeks=MIN_BASELINE_WEEKS)
