"""The Diagnosis page's one door to core: a period's KPIs, health, funnel and traffic, and the health
settings the shop owner edits. Results are frozen, so a cached result cannot be changed by a page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from core.data import service as data
from core.diagnosis import funnel, health, kpi, traffic
from core.platform.i18n import Message
from core.platform.services import reads_settings
from core.platform.workspace import Workspace

DEFAULT_DAYS = 30  # the period shown when none is picked: the last 30 days of the data
KPIS_PER_ROW = 4  # GMV, UV, conversion, revenue per buyer; then orders, customers, orders per customer, AOV
format_value = health.format_value  # a metric's value as the page and the report both show it
shown_value, shown_change = kpi.shown_value, kpi.shown_change  # a KPI and its change, as page and report show them
RATE_ANOMALIES = traffic.BOUNCE_METRICS  # traffic anomalies whose value and baseline are rates, not visitor counts
WHOLE_DAY = "all"  # the channel of an anomaly about the whole day, every channel together


@dataclass(frozen=True)
class DataRange:
    """The first and last day with data; every period is picked inside it."""
    first: date | None
    last: date | None

    def period(self, start: date | None = None, end: date | None = None, days: int = DEFAULT_DAYS) -> tuple[date, date]:
        """`start`..`end`; a missing end is the last day with data, a missing start `days` days before
        the end (never before the first day)."""
        end = end or self.last
        if end is None:
            raise Message("error.no_data")
        if start is None:
            start = end - timedelta(days=days - 1)
            start = max(self.first, start) if self.first else start
        return start, end


@dataclass(frozen=True)
class HealthCheck:
    card: health.Scorecard
    problems: tuple[health.Problem, ...]  # below 3, most urgent first


@dataclass(frozen=True)
class MetricSetting:
    """One metric's row in the weights editor."""
    metric: str
    weight_percent: float
    bands: tuple[float, float, float, float]  # cut-offs for scores 5, 4, 3, 2
    lower_is_better: bool


@dataclass(frozen=True)
class HealthSettings:
    """What the health editor shows, as saved."""
    input_period: str  # the month (YYYY-MM) typed-in values are saved for and read for: the period's last
    inputs: tuple[tuple[str, float | None], ...]  # (metric, the value the card uses) for metrics no export carries
    inputs_from: tuple[tuple[str, str], ...]  # (metric, the period it was entered for; '' none) for values of another period
    metrics: tuple[MetricSetting, ...]
    presets: tuple[tuple[str, float | None], ...]  # (preset, the share it gives its dimension; None: the playbook's)


@dataclass(frozen=True)
class Funnel:
    segment: str | None  # as asked; None: the default ('all', or the only segment)
    stages: pd.DataFrame  # step, stage, entered, lost, loss_rate, conversion_from_top, flagged, cause


@dataclass(frozen=True)
class TrafficAlerts:
    days: pd.DataFrame  # date, channel ('all': the whole day), metric (see traffic.anomalies), value, baseline, change
    uv_drop: float
    high_bounce: float


@dataclass(frozen=True)
class Diagnosis:
    start: date
    end: date
    current: kpi.Period
    before: kpi.Period  # the period of the same length just before
    currency: str | None  # the shop's currency (USD, CNY), the one GMV and the averages are in; None when the orders name none
    changes: tuple[kpi.Change, ...]  # every KPI (kpi.KPIS, in that order) against `before`; None values say why
    gmv_bridge: tuple[tuple[str, float], ...] | None  # (factor, share of the GMV change); None when it cannot split
    bridge_missing: str | None  # why there is no bridge (a catalog key); None when there is one
    card: health.Scorecard  # `coverage` the share of the weight scored; no total below `coverage_floor`
    problems: tuple[health.Problem, ...]
    health_settings: HealthSettings
    segments: tuple[str, ...]  # funnel segments to choose from, the default first
    funnel: pd.DataFrame  # the chosen segment's funnel for the period (empty: no funnel data in it)
    funnel_split: pd.DataFrame  # every segment's loss rates side by side (empty: fewer than two segments)
    funnel_before: pd.DataFrame  # stage, loss_rate, loss_rate_before (empty: undated funnel or no earlier data)
    anomalies: pd.DataFrame
    daily_by_channel: pd.DataFrame
    daily_totals: pd.DataFrame
    channels: pd.DataFrame  # per source over the period: uv, share_of_uv, bounce_rate, add_to_cart_rate
    leak_threshold: float  # a funnel stage losing more than this is a leak
    uv_drop_threshold: float  # a channel this far below its usual UV is flagged
    bounce_threshold: float  # the high-bounce line of the traffic monitor
    coverage_floor: float  # the share of the weight the scorecard needs scored to give a total


def date_range(workspace: Workspace) -> DataRange:
    return DataRange(*kpi.data_range(workspace))


@reads_settings(health.WEIGHTS_KEY, health.THRESHOLDS_KEY, *data.ORDER_SETTINGS)
def health_check(workspace: Workspace, start: date, end: date) -> HealthCheck:
    card = health.scorecard(workspace, start, end)
    return HealthCheck(card, tuple(health.problems(card)))


@reads_settings(health.WEIGHTS_KEY, health.THRESHOLDS_KEY)
def health_settings(workspace: Workspace, end: date) -> HealthSettings:
    inputs = health.input_evidence(workspace, end)
    weights, thresholds = health.saved_weights(workspace), health.saved_thresholds(workspace)
    typed = [m.key for m in health.METRICS if m.source == "input"]
    return HealthSettings(
        input_period=end.strftime("%Y-%m"),
        inputs=tuple((metric, inputs[metric].value if metric in inputs else None) for metric in typed),
        inputs_from=tuple((metric, inputs[metric].params.get("period", "")) for metric in typed
                          if metric in inputs and inputs[metric].detail != health.EVIDENCE_INPUT),
        metrics=tuple(MetricSetting(m.key, round(weights[m.key] * 100, 1), tuple(thresholds[m.key]), m.lower_is_better)
                      for m in health.METRICS),
        presets=tuple((name, rule[1] if rule else None) for name, rule in health.PRESETS.items()),
    )


def funnel_stages(workspace: Workspace, segment: str | None = None, start: date | None = None,
                  end: date | None = None) -> Funnel:
    """One segment's funnel (None: the default) over start..end (None: no limit), leaking stages flagged."""
    return Funnel(segment, funnel.funnel(workspace, segment, start, end))


def traffic_anomalies(workspace: Workspace, start: date | None = None, end: date | None = None) -> TrafficAlerts:
    """The days the daily traffic report flags between start and end (None: no limit)."""
    return TrafficAlerts(traffic.anomalies(workspace, start, end), traffic.UV_DROP, traffic.HIGH_BOUNCE)


@dataclass(frozen=True)
class FunnelView:
    funnel: pd.DataFrame  # the segment's funnel for the period, as Diagnosis.funnel
    funnel_before: pd.DataFrame  # as Diagnosis.funnel_before


def funnel_for(workspace: Workspace, start: date, end: date, segment: str | None = None) -> FunnelView:
    """One segment's funnel for start..end against the period before, as `diagnose` gives it: the page's segment
    box asks for this alone instead of the whole diagnosis again (None, or a segment not in the data: the default)."""
    segment = segment if segment in funnel.segments(workspace) else None
    dated = funnel.has_dates(workspace)
    stages = funnel.funnel(workspace, segment, *((start, end) if dated else (None, None)))
    earlier = funnel.funnel(workspace, segment, *kpi.previous(start, end)) if dated else stages.iloc[0:0]
    return FunnelView(stages, funnel.against(stages, earlier))


@reads_settings(health.WEIGHTS_KEY, health.THRESHOLDS_KEY, *data.ORDER_SETTINGS)
def diagnose(workspace: Workspace, start: date, end: date, segment: str | None = None) -> Diagnosis:
    """Everything the page and the report show for start..end; `segment` picks the funnel (None, or
    one not in the data: the default)."""
    current = kpi.period(workspace, start, end)
    before = kpi.period(workspace, *kpi.previous(start, end))
    checked = health_check(workspace, start, end)
    segments = tuple(funnel.segments(workspace))
    window = (start, end) if funnel.has_dates(workspace) else (None, None)
    chosen = funnel_for(workspace, start, end, segment)
    return Diagnosis(
        start=start,
        end=end,
        current=current,
        before=before,
        currency=data.shop_currency(workspace),
        changes=kpi.changes(before, current),
        gmv_bridge=tuple(kpi.gmv_bridge(before, current)) if kpi.has_bridge(before, current) else None,
        bridge_missing=kpi.bridge_missing(before, current),
        card=checked.card,
        problems=checked.problems,
        health_settings=health_settings(workspace, end),
        segments=segments,
        funnel=chosen.funnel,
        funnel_split=funnel.split(workspace, *window),
        funnel_before=chosen.funnel_before,
        anomalies=traffic.anomalies(workspace, start, end),
        daily_by_channel=traffic.daily_by_channel(workspace, start, end),
        daily_totals=traffic.daily_totals(workspace, start, end),
        channels=traffic.channel_summary(workspace, start, end),
        leak_threshold=funnel.LEAK_THRESHOLD,
        uv_drop_threshold=traffic.UV_DROP,
        bounce_threshold=traffic.HIGH_BOUNCE,
        coverage_floor=health.COVERAGE_FLOOR,
    )



def save_health_inputs(workspace: Workspace, values: dict[str, float | None], period: str) -> None:
    """The typed-in values (load time, error rate, first response) for a month; an empty value removes one."""
    health.save_inputs(workspace, values, period)


def save_health_weights(workspace: Workspace, weight_percents: dict[str, float | None],
                        thresholds: dict[str, list[float | None]]) -> None:
    """Weights as typed (percent) and cut-offs per metric; an emptied cell keeps what was saved."""
    weights, bands = health.saved_weights(workspace), health.saved_thresholds(workspace)
    health.save_weights(workspace, {
        metric: weights[metric] if _empty(percent) else float(percent) / 100 for metric, percent in weight_percents.items()})
    health.save_thresholds(workspace, {
        metric: [old if _empty(new) else float(new) for old, new in zip(bands[metric], cuts)]
        for metric, cuts in thresholds.items()})


def apply_health_preset(workspace: Workspace, preset: str) -> None:
    """Replace the weights with a preset's (see health.PRESETS); the cut-offs stay."""
    health.save_weights(workspace, health.preset_weights(preset))


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
