"""The metrics an improvement can be judged by, measured over any run of days from the shop's own data.

Each metric says what kind of number it is, because that decides the test a before/after comparison can
use: a rate (a count out of a count: a two-proportion test), a mean (of order values: Welch's t-test) or a
total (GMV, orders; no test, a total has no spread to test). A figure the data cannot give is None with a
reason key (no such dataset, no data on those days), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from core.data.service import DATE_RANGE_SETTINGS
from core.platform import queries
from core.platform.i18n import Message
from core.platform.remembered import remembered
from core.platform.workspace import Workspace


@dataclass(frozen=True)
class Metric:
    kind: str  # "rate" | "mean" | "total"
    datasets: tuple[str, ...]  # what must be uploaded to measure it
    lower_is_better: bool
    needs_detail: bool  # True: the metric means nothing without its detail (which stage, which channel)
    detail: str | None = None  # what the detail names: "channel", "stage", or None when it takes none


ORDERS, TRAFFIC, FUNNEL, SPEND = "orders", "traffic_daily", "funnel_stages", "marketing_spend"

METRICS: dict[str, Metric] = {
    # totals over the days; an optional channel narrows them to that channel's orders
    "gmv": Metric("total", (ORDERS,), lower_is_better=False, needs_detail=False, detail="channel"),
    "orders": Metric("total", (ORDERS,), lower_is_better=False, needs_detail=False, detail="channel"),
    "customers": Metric("total", (ORDERS,), lower_is_better=False, needs_detail=False, detail="channel"),
    "uv": Metric("total", (TRAFFIC,), lower_is_better=False, needs_detail=False, detail="channel"),
    # order value per order: the mean of revenue_for_averages
    "aov": Metric("mean", (ORDERS,), lower_is_better=False, needs_detail=False, detail="channel"),
    # ordering customers / UV (the playbook's definition, not orders / UV)
    "conversion_rate": Metric("rate", (ORDERS, TRAFFIC), lower_is_better=False, needs_detail=False, detail="channel"),
    # bounced visitors / visitors, UV-weighted
    "bounce_rate": Metric("rate", (TRAFFIC,), lower_is_better=True, needs_detail=False, detail="channel"),
    # users lost between a stage and the next / users who reached the stage
    "funnel_loss_rate": Metric("rate", (FUNNEL,), lower_is_better=True, needs_detail=True, detail="stage"),
    # attributed revenue / spend: a ratio of totals, so no test
    "channel_roi": Metric("total", (SPEND,), lower_is_better=False, needs_detail=True, detail="channel"),
    # returned (refunded) orders / orders, as the health scorecard counts them
    "return_rate": Metric("rate", (ORDERS,), lower_is_better=True, needs_detail=False, detail="channel"),
    # of the customers who ordered before the days, the share who ordered on them
    "repurchase_rate": Metric("rate", (ORDERS,), lower_is_better=False, needs_detail=False),
}


class UnknownMetric(Message):
    """A metric name ShopLens does not measure."""


@dataclass(frozen=True)
class Measurement:
    """A metric over the days first_day..last_day (both included).

    For a rate, value = numerator / denominator; for a mean, value = mean of n values with sample variance
    `variance`; for a total, value alone. `missing` is a reason key when the data cannot give the value."""

    metric: str
    detail: str | None
    first_day: date
    last_day: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None
    mean: float | None = None
    variance: float | None = None
    missing: str | None = None
    missing_params: dict = field(default_factory=dict)

    @property
    def days(self) -> int:
        return max((self.last_day - self.first_day).days + 1, 0)


def definition(name: str) -> Metric:
    """The metric called `name`; refused by name when ShopLens does not measure it."""
    try:
        return METRICS[name]
    except KeyError:
        raise UnknownMetric("improvements.error.metric", value=name, known=", ".join(METRICS)) from None


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


@remembered(*DATE_RANGE_SETTINGS)
def _data_ranges(workspace: Workspace) -> pd.DataFrame:
    """Rows and days per dataset, for this data version: every entry's two windows ask (0.06 s each on 1M lines,
    nine times for three entries: 0.6 s of a 0.7 s register)."""
    return queries.frame(workspace, "improvements/metric_data_range").set_index("dataset_name")


def data_range(workspace: Workspace, name: str) -> tuple[date, date] | str:
    """The days a metric can be measured on: where all its datasets have data. A reason key instead when a
    dataset is missing (improvements.reason.no_<dataset>) or the funnel has no dates."""
    found = _data_ranges(workspace)
    firsts, lasts = [], []
    for dataset in definition(name).datasets:
        row = found.loc[dataset]
        if not row["row_count"]:
            return f"improvements.reason.no_{dataset}"
        first, last = _day(row["first_day"]), _day(row["last_day"])
        if first is None:  # rows, but none with a date: an undated funnel snapshot
            return "improvements.reason.undated_funnel"
        firsts.append(first)
        lasts.append(last)
    if max(firsts) > min(lasts):  # e.g. orders and traffic from different years: no day has both
        return "improvements.reason.no_common_days"
    return max(firsts), min(lasts)


def measure(workspace: Workspace, metric: str, detail: str | None, start: date, end: date) -> Measurement:
    """`metric` over start..end (both included), from the data in SQL; None with a reason when it has none."""
    name = metric
    about = definition(name)
    detail = None if detail is None or pd.isna(detail) or not str(detail).strip() else str(detail).strip()
    empty = Measurement(name, detail, start, end)
    if about.needs_detail and detail is None:
        return _missing(empty, f"improvements.reason.needs_{about.detail}")
    if about.detail is None:
        detail = None
    span = data_range(workspace, name)
    if isinstance(span, str):
        return _missing(empty, span)
    if end < start or end < span[0] or start > span[1]:
        return _missing(empty, "improvements.reason.no_data_in_window")
    return MEASURES[name](workspace, empty, detail)


def _missing(measurement: Measurement, reason: str, **params) -> Measurement:
    return Measurement(measurement.metric, measurement.detail, measurement.first_day, measurement.last_day,
                       missing=reason, missing_params=params)


def _with(measurement: Measurement, **values) -> Measurement:
    return Measurement(measurement.metric, measurement.detail, measurement.first_day, measurement.last_day, **values)


def _rate(measurement: Measurement, numerator, denominator, reason: str) -> Measurement:
    numerator, denominator = _number(numerator), _number(denominator)
    if not denominator:  # nothing to divide by: not measured, not 0%
        return _missing(measurement, reason)
    return _with(measurement, value=(numerator or 0.0) / denominator, numerator=numerator or 0.0, denominator=denominator)


def _sales(workspace: Workspace, measurement: Measurement, channel: str | None) -> pd.Series:
    return queries.frame(workspace, "improvements/metric_sales", start=measurement.first_day, end=measurement.last_day,
                         channel=channel).iloc[0]


def _gmv(workspace, measurement, channel):
    return _with(measurement, value=float(_sales(workspace, measurement, channel)["gmv"]))


def _orders(workspace, measurement, channel):
    return _with(measurement, value=float(_sales(workspace, measurement, channel)["count_orders"]))


def _customers(workspace, measurement, channel):
    return _with(measurement, value=float(_sales(workspace, measurement, channel)["count_customers"]))


def _aov(workspace, measurement, channel):
    row = _sales(workspace, measurement, channel)
    n = int(row["count_orders_for_averages"])
    if n == 0:
        return _missing(measurement, "improvements.reason.no_orders_in_window")
    mean = float(row["mean_order_value"])
    return _with(measurement, value=mean, n=n, mean=mean, variance=_number(row["variance_order_value"]))


def _return_rate(workspace, measurement, channel):
    row = _sales(workspace, measurement, channel)
    return _rate(measurement, row["count_returned_orders"], row["count_orders"], "improvements.reason.no_orders_in_window")


def _traffic(workspace: Workspace, measurement: Measurement, channel: str | None) -> pd.Series:
    return queries.frame(workspace, "improvements/metric_traffic", start=measurement.first_day, end=measurement.last_day,
                         channel=channel).iloc[0]


def _uv(workspace, measurement, channel):
    uv = _number(_traffic(workspace, measurement, channel)["uv"])
    if uv is None:  # no traffic row on these days (for this channel): not measured
        return _missing(measurement, "improvements.reason.no_traffic_in_window")
    return _with(measurement, value=uv)


def _bounce_rate(workspace, measurement, channel):
    row = _traffic(workspace, measurement, channel)
    return _rate(measurement, row["bounced_visitors"], row["visitors_with_bounce"], "improvements.reason.no_bounce_in_window")


def _conversion_rate(workspace, measurement, channel):
    row = queries.frame(workspace, "improvements/metric_conversion", start=measurement.first_day, end=measurement.last_day,
                        channel=channel).iloc[0]
    return _rate(measurement, row["ordering_customers"], row["uv"], "improvements.reason.no_traffic_in_window")


def _funnel_loss_rate(workspace, measurement, stage):
    found = queries.frame(workspace, "improvements/metric_funnel_loss", start=measurement.first_day, end=measurement.last_day,
                          stage=stage)
    if found.empty:
        return _missing(measurement, "improvements.reason.no_stage", stage=stage)
    row = found.iloc[0]
    if _number(row["next_entered"]) is None:  # the last step: nobody is lost "before the next stage"
        return _missing(measurement, "improvements.reason.last_stage", stage=stage)
    entered = _number(row["entered"])
    return _rate(measurement, entered - float(row["next_entered"]), entered, "improvements.reason.no_stage")


def _channel_roi(workspace, measurement, channel):
    row = queries.frame(workspace, "improvements/metric_channel_roi", start=measurement.first_day, end=measurement.last_day,
                        channel=channel).iloc[0]
    spend = _number(row["spend"])
    if not spend:  # no spend reported for this channel in these months: ROI is not measured
        return _missing(measurement, "improvements.reason.no_spend", channel=channel)
    revenue = _number(row["attributed_revenue"]) or 0.0
    return _with(measurement, value=revenue / spend, numerator=revenue, denominator=spend)


def _repurchase_rate(workspace, measurement, _detail):
    row = queries.frame(workspace, "improvements/metric_repurchase", start=measurement.first_day, end=measurement.last_day).iloc[0]
    return _rate(measurement, row["returning_customers"], row["earlier_customers"], "improvements.reason.no_earlier_customers")


MEASURES = {
    "gmv": _gmv, "orders": _orders, "customers": _customers, "uv": _uv, "aov": _aov, "return_rate": _return_rate,
    "conversion_rate": _conversion_rate, "bounce_rate": _bounce_rate, "funnel_loss_rate": _funnel_loss_rate,
    "channel_roi": _channel_roi, "repurchase_rate": _repurchase_rate,
}
