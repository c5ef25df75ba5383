"""The health scorecard: seven metrics in four dimensions, each scored 1 (severe) to 5 (excellent).

Values come from the uploaded data where it allows (sell-through and turnover from the inventory file,
bounce from daily traffic, returns from the orders) and from `health_inputs` otherwise (load time, error
rate, first response). A metric is scored only from the data it is about: without its data it is left
out and the remaining weights are renormalised, never scored as zero.

Coverage is the share of the weight that was scored. Below COVERAGE_FLOOR the scorecard gives no total:
a score from a corner of the shop would read as the shop's health.

Scoring: `bands` are the four cut-offs for scores 5, 4, 3 and 2. For a lower-is-better metric a
value at or below the first cut-off scores 5, at or below the second 4, and so on; above the last
scores 1. For higher-is-better metrics the same with "at or above". The cut-offs are editable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from core.platform import queries, settings
from core.platform.transactions import transaction
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class Metric:
    key: str
    dimension: str  # technical, product, experience, operations
    weight: float  # default weight, the playbook's
    lower_is_better: bool
    bands: tuple[float, float, float, float]  # cut-offs for scores 5, 4, 3, 2
    unit: str  # seconds, rate, per_year
    priority: str  # P0 hurts core conversion, P1 hurts experience, P2 long-term
    source: str  # data or input


METRICS: tuple[Metric, ...] = (
    Metric("first_screen_load_seconds", "technical", 0.15, True, (1.5, 2.5, 3.5, 5.0), "seconds", "P0", "input"),
    Metric("server_error_rate", "technical", 0.10, True, (0.001, 0.005, 0.01, 0.02), "rate", "P0", "input"),
    Metric("sku_sell_through", "product", 0.20, False, (0.90, 0.80, 0.70, 0.50), "rate", "P2", "data"),
    Metric("inventory_turnover", "product", 0.15, False, (8.0, 6.0, 4.0, 2.0), "per_year", "P2", "data"),
    Metric("bounce_rate", "experience", 0.15, True, (0.35, 0.45, 0.55, 0.65), "rate", "P0", "data"),
    Metric("service_first_response_seconds", "experience", 0.10, True, (15.0, 30.0, 60.0, 120.0), "seconds", "P1", "input"),
    Metric("return_rate", "operations", 0.15, True, (0.02, 0.05, 0.08, 0.12), "rate", "P1", "data"),
)
BY_KEY = {m.key: m for m in METRICS}
# What would let each metric be scored: a dataset to upload, or the typed-in inputs.
DATA_NEEDED = {
    "first_screen_load_seconds": "inputs", "server_error_rate": "inputs", "service_first_response_seconds": "inputs",
    "sku_sell_through": "inventory", "inventory_turnover": "inventory", "bounce_rate": "traffic_daily",
    "return_rate": "orders",
}
COVERAGE_FLOOR = 0.5  # below this share of the weight scored, no total score
SELL_THROUGH_DAYS = 90  # a SKU sold within this many days of the period's end counts as selling
TURNOVER_DAYS = 365  # cost of goods sold over this many days (annualised when shorter) / stock value
DIMENSIONS = ("technical", "product", "experience", "operations")
DEFAULT_WEIGHTS = {m.key: m.weight for m in METRICS}
DEFAULT_THRESHOLDS = {m.key: list(m.bands) for m in METRICS}
# Presets fix one dimension's share; the other dimensions keep their proportions in the rest.
PRESETS = {"default": None, "new_platform": ("technical", 0.30), "mature_platform": ("product", 0.25)}
PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2}
# Settings keys (existing workspaces hold them): weights as fractions, cut-offs as four numbers per metric.
WEIGHTS_KEY = "health.weights"
THRESHOLDS_KEY = "health.thresholds"
EVIDENCE_INPUT = "health.evidence.input"  # a typed-in value entered for the card's own month


def score(value: float, bands: list[float] | tuple[float, ...], lower_is_better: bool) -> int:
    """1-5 from the four cut-offs (see the module docstring)."""
    for points, cut in zip((5, 4, 3, 2), bands):
        if (value <= cut) if lower_is_better else (value >= cut):
            return points
    return 1


def preset_weights(name: str) -> dict[str, float]:
    rule = PRESETS[name]
    if rule is None:
        return dict(DEFAULT_WEIGHTS)
    dimension, share = rule
    inside = sum(w for k, w in DEFAULT_WEIGHTS.items() if BY_KEY[k].dimension == dimension)
    outside = 1 - inside
    return {
        k: (w / inside * share if BY_KEY[k].dimension == dimension else w / outside * (1 - share))
        for k, w in DEFAULT_WEIGHTS.items()
    }


@dataclass(frozen=True)
class Evidence:
    value: float | None
    detail: str  # catalog key explaining where the value came from
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    metric: str
    dimension: str
    value: float | None
    score: int | None
    weight: float  # as given
    effective_weight: float  # renormalised over the metrics that have a value
    evidence: Evidence
    unit: str  # seconds, rate, per_year: how the value reads


@dataclass(frozen=True)
class Scorecard:
    rows: tuple[Row, ...]
    total: float | None  # None when nothing is scored or `coverage` is below COVERAGE_FLOOR
    coverage: float  # the share of the weight (as given) scored from data, 0-1

    @property
    def scored(self) -> tuple[Row, ...]:
        """The metrics that count in the score: a value and a weight."""
        return tuple(r for r in self.rows if r.score is not None and r.weight > 0)

    @property
    def weighed(self) -> tuple[Row, ...]:
        """The metrics with a weight, scored or not: what coverage is out of."""
        return tuple(r for r in self.rows if r.weight > 0)

    def to_complete(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(what is needed, the metrics it would score) for each metric with a weight but no score:
        a dataset name (inventory, traffic_daily, orders) or 'inputs', in the order the metrics come."""
        needed: dict[str, list[str]] = {}
        for row in self.weighed:
            if row.score is None:
                needed.setdefault(DATA_NEEDED[row.metric], []).append(row.metric)
        return tuple((data, tuple(metrics)) for data, metrics in needed.items())

    def dimension_scores(self) -> dict[str, float | None]:
        """Weighted mean score per dimension, for the radar chart."""
        result = {}
        for dimension in DIMENSIONS:
            scored = [r for r in self.rows if r.dimension == dimension and r.score is not None and r.weight > 0]
            weight = sum(r.weight for r in scored)
            result[dimension] = sum(r.score * r.weight for r in scored) / weight if weight else None
        return result


def build_scorecard(evidence: dict[str, Evidence], weights: dict[str, float] | None = None,
                    thresholds: dict[str, list[float]] | None = None) -> Scorecard:
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    found = {metric.key: evidence.get(metric.key) or Evidence(None, "health.evidence.missing") for metric in METRICS}
    points = {
        metric.key: None if _isnan(found[metric.key].value)
        else score(found[metric.key].value, thresholds[metric.key], metric.lower_is_better)
        for metric in METRICS
    }
    counted = [key for key, p in points.items() if p is not None and weights[key] > 0]
    weight_sum = sum(weights[key] for key in counted)
    base = sum(weights[m.key] for m in METRICS if weights[m.key] > 0)
    effective = {key: weights[key] / weight_sum for key in counted}
    rows = tuple(
        Row(m.key, m.dimension, found[m.key].value if points[m.key] is not None else None, points[m.key], weights[m.key],
            effective.get(m.key, 0.0), found[m.key], m.unit)
        for m in METRICS
    )
    coverage = round(weight_sum / base, 4) if base else 0.0
    enough = bool(counted) and coverage >= COVERAGE_FLOOR
    total = round(sum(points[key] * effective[key] for key in counted), 4) if enough else None
    return Scorecard(rows, total, coverage)


@dataclass(frozen=True)
class Problem:
    metric: str
    priority: str
    score: int
    cause: str  # catalog key
    action: str  # catalog key


def problems(card: Scorecard) -> list[Problem]:
    """Every metric scoring below 3, P0 first, then by score (worst first)."""
    found = [
        Problem(r.metric, BY_KEY[r.metric].priority, r.score, f"health.cause.{r.metric}", f"health.action.{r.metric}")
        for r in card.rows if r.score is not None and r.score < 3
    ]
    return sorted(found, key=lambda p: (PRIORITY_ORDER[p.priority], p.score, p.metric))


def measured_evidence(workspace: Workspace, start: date, end: date) -> dict[str, Evidence]:
    """The data-backed metrics for a period, each with the numbers behind it."""
    row = queries.frame(workspace, "diagnosis/health_evidence", start=start, end=end,
                        sell_through_days=SELL_THROUGH_DAYS, turnover_days=TURNOVER_DAYS).iloc[0]
    evidence: dict[str, Evidence] = {}
    if row["count_orders"]:
        evidence["return_rate"] = Evidence(
            row["count_returned_orders"] / row["count_orders"], "health.evidence.return_rate",
            {"returned": int(row["count_returned_orders"]), "orders": int(row["count_orders"]), "start": start, "end": end})
    if row["count_skus"]:
        evidence["sku_sell_through"] = Evidence(
            row["count_skus_sold_recently"] / row["count_skus"], "health.evidence.sku_sell_through",
            {"sold": int(row["count_skus_sold_recently"]), "skus": int(row["count_skus"]), "days": SELL_THROUGH_DAYS, "end": end})
    if row["inventory_value"] and row["cost_of_goods_sold"] and not _isnan(row["cost_of_goods_sold"]):
        # a shorter history is annualised from the days it covers
        first = row["first_order_date"]
        covered = max(1, min(TURNOVER_DAYS, (end - first.date() if hasattr(first, "date") else end - first).days + 1)) \
            if first is not None else TURNOVER_DAYS
        yearly_cogs = row["cost_of_goods_sold"] * 365 / covered
        evidence["inventory_turnover"] = Evidence(
            yearly_cogs / row["inventory_value"], "health.evidence.inventory_turnover",
            {"cogs": f"{yearly_cogs:,.0f}", "inventory": f"{row['inventory_value']:,.0f}", "days": covered})
    if row["uv"] and not _isnan(row["bounce_rate"]):
        evidence["bounce_rate"] = Evidence(
            float(row["bounce_rate"]), "health.evidence.bounce_rate", {"uv": f"{int(row['uv']):,}", "start": start, "end": end})
    return evidence


def _isnan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def month_of(period: str | None) -> str | None:
    """A typed or uploaded period as YYYY-MM ('2024-05', '2024-05-01', '2024/5', '2024年5月'); None when it names no month."""
    found = re.match(r"\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})(?!\d)", period or "")
    return f"{found[1]}-{int(found[2]):02d}" if found and 1 <= int(found[2]) <= 12 else None


def input_evidence(workspace: Workspace, end: date) -> dict[str, Evidence]:
    """Metrics no export carries, from `health_inputs`, for the card ending on `end`: the value entered for
    the month of `end`, else the latest month before it, else one entered without a month. A value for a
    later month is never used, and the evidence says when a value is from another period than the card's."""
    wanted = end.strftime("%Y-%m")
    with workspace.cursor() as cur:
        rows = cur.execute("select metric, value, period from health_inputs order by metric, period").fetchall()
    chosen: dict[str, tuple[tuple[int, str], float, str]] = {}
    for metric, value, period in rows:
        if metric not in BY_KEY or BY_KEY[metric].source != "input":
            continue
        month = month_of(period)
        if month is not None and month > wanted:
            continue
        rank = (1, month) if month is not None else (0, period or "")  # a dated value before any undated one
        if metric not in chosen or rank > chosen[metric][0]:
            chosen[metric] = (rank, float(value), period or "")
    evidence = {}
    for metric, ((dated, month), value, period) in chosen.items():
        if dated and month == wanted:
            evidence[metric] = Evidence(value, EVIDENCE_INPUT, {"period": period})
        elif dated:
            evidence[metric] = Evidence(value, "health.evidence.input_earlier", {"period": period, "card_period": wanted})
        else:
            evidence[metric] = Evidence(value, "health.evidence.input_undated", {"card_period": wanted})
    return evidence


def saved_weights(workspace: Workspace) -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **settings.get(workspace, WEIGHTS_KEY, {})}


def saved_thresholds(workspace: Workspace) -> dict[str, list[float]]:
    return {**DEFAULT_THRESHOLDS, **settings.get(workspace, THRESHOLDS_KEY, {})}


def save_weights(workspace: Workspace, weights: dict[str, float]) -> None:
    """Weights as fractions; metrics not given keep their saved weight (or the default)."""
    settings.put(workspace, WEIGHTS_KEY, {**settings.get(workspace, WEIGHTS_KEY, {}), **weights})


def save_thresholds(workspace: Workspace, thresholds: dict[str, list[float]]) -> None:
    """Four cut-offs per metric (for scores 5, 4, 3, 2); metrics not given keep their saved cut-offs (or the default)."""
    settings.put(workspace, THRESHOLDS_KEY, {**settings.get(workspace, THRESHOLDS_KEY, {}), **thresholds})


def scorecard(workspace: Workspace, start: date, end: date) -> Scorecard:
    evidence = {**input_evidence(workspace, end), **measured_evidence(workspace, start, end)}
    return build_scorecard(evidence, saved_weights(workspace), saved_thresholds(workspace))


def save_inputs(workspace: Workspace, values: dict[str, float | None], period: str) -> None:
    """Store the hand-entered metrics for a period in `health_inputs` (None removes one)."""
    with transaction(workspace) as cur:
        for metric, value in values.items():
            cur.execute("delete from health_inputs where metric = ? and period = ?", [metric, period])
            if value is not None and not _isnan(value):
                cur.execute("insert into health_inputs values (?, ?, ?)", [metric, float(value), period])
        workspace.bump_data_version(cur, orders=False)


def format_value(metric_unit: str, value: float | None) -> str:
    """A metric's value: a rate as a percentage, anything else with two decimals, "–" without a value."""
    if value is None:
        return "–"
    return f"{value:.1%}" if metric_unit == "rate" else f"{value:,.2f}"
