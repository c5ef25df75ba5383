"""Everything the Diagnosis page and report show for one period, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from core.diagnosis import funnel

from core.diagnosis import health

from core.diagnosis import kpi

from core.diagnosis import traffic
from core.platform.workspace import Workspace


@dataclass
class Diagnosis:
    start: date
    end: date
    current: kpi.Period
    before: kpi.Period
    card: health.Scorecard
    problems: list[health.Problem]
    funnel: pd.DataFrame
    anomalies: pd.DataFrame
    daily_by_channel: pd.DataFrame
    daily_totals: pd.DataFrame
    channels: pd.DataFrame


def diagnose(workspace: Workspace, start: date, end: date) -> Diagnosis:
    card = health.scorecard(workspace, start, end)
    before = kpi.period(workspace, *kpi.previous(start, end))
    funnel_start, funnel_end = (start, end) if funnel.has_dates(workspace) else (None, None)
    return Diagnosis(
        start=start,
        end=end,
        current=kpi.period(workspace, start, end),
        before=before,
        card=card,
        problems=health.problems(card),
        funnel=funnel.funnel(workspace, start=funnel_start, end=funnel_end),
        anomalies=traffic.anomalies(workspace, start, end),
        daily_by_channel=traffic.daily_by_channel(workspace, start, end),
        daily_totals=traffic.daily_totals(workspace, start, end),
        channels=traffic.channel_summary(workspace, start, end),
    )
