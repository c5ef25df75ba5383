"""Did the improvement move its metric? The metric over the days before an entry's start against the same
number of days from the start, and whether the difference is more than chance.

Both sides always cover the same number of days: the window (28 by default), or fewer where the data ends
sooner after the start (or begins later before it), so a total over 10 days is never set against one over
28. Before an entry has a single day of data after its start, `before` alone is shown, over the whole window:
the baseline to beat. Rates are compared with a two-proportion z-test, order values with Welch's t-test;
totals (GMV, orders, ROI) have no spread to test and get none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from scipy import stats

from core.improvements import metrics
from core.improvements.metrics import Measurement
from core.platform.workspace import Workspace

WINDOW_DAYS = 28
ALPHA = 0.05


@dataclass(frozen=True)
class Comparison:
    metric: str
    detail: str | None
    start: date
    window_days: int  # asked for
    before: Measurement
    after: Measurement
    before_days: int  # days each side covers (0: nothing on that side)
    after_days: int
    change: float | None  # after / before - 1; None when either is missing or before is 0
    difference: float | None  # after - before (for a rate: in points of 1)
    test: str | None  # "two_proportion_z" | "welch_t" | None (totals, or too little data to test)
    p_value: float | None
    significant: bool | None  # p < 5%; None when no test applies
    improved: bool | None  # moved the right way (lower is better for bounce and funnel loss); None: no change known
    missing: str | None = None  # why there is no comparison at all (no data for the metric)

    @property
    def lower_is_better(self) -> bool:
        return metrics.definition(self.metric).lower_is_better


def windows(start: date, window_days: int, first_day: date, last_day: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """(before, after) as (first, last) days, both included; a side with no day has last < first."""
    window = timedelta(days=window_days)
    before = (max(start - window, first_day), min(start - timedelta(days=1), last_day))
    after = (max(start, first_day), min(start + window - timedelta(days=1), last_day))
    before_days, after_days = ((last - first).days + 1 for first, last in (before, after))
    if before_days > 0 and after_days > 0:  # like with like: the same number of days on both sides
        days = timedelta(days=min(before_days, after_days))
        before, after = (start - days, start - timedelta(days=1)), (start, start + days - timedelta(days=1))
    return before, after


def compare(workspace: Workspace, metric: str, detail: str | None, start: date, window_days: int = WINDOW_DAYS,
            data_end: date | None = None) -> Comparison:
    """The metric before and after `start`. `data_end` cuts the after side earlier than the data's last day
    (to look at the register as of a day); it never reaches past the data."""
    about = metrics.definition(metric)
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    span = metrics.data_range(workspace, metric)
    if isinstance(span, str):
        nothing = Measurement(metric, detail, start, start - timedelta(days=1), missing=span)
        return Comparison(metric, detail, start, window_days, nothing, nothing, 0, 0, None, None, None, None, None, None,
                          missing=span)
    first_day, last_day = span
    if data_end is not None:
        last_day = min(last_day, data_end)
    (b0, b1), (a0, a1) = windows(start, window_days, first_day, last_day)
    before, after = (metrics.measure(workspace, metric, detail, s, e) for s, e in ((b0, b1), (a0, a1)))
    change = difference = None
    if before.value is not None and after.value is not None:
        difference = after.value - before.value
        change = after.value / before.value - 1 if before.value else None
    test, p_value = _test(about.kind, before, after)
    improved = None if difference is None or difference == 0 else (difference < 0) == about.lower_is_better
    return Comparison(metric, detail, start, window_days, before, after,
                      before.days, after.days, change, difference, test, p_value,
                      None if p_value is None else p_value < ALPHA, improved,
                      missing=before.missing if before.missing == after.missing else None)


def _test(kind: str, before: Measurement, after: Measurement) -> tuple[str | None, float | None]:
    if before.value is None or after.value is None:
        return None, None
    if kind == "rate":
        p = two_proportion_p(before.numerator, before.denominator, after.numerator, after.denominator)
        return ("two_proportion_z", p) if p is not None else (None, None)
    if kind == "mean":
        p = welch_p(before.n, before.mean, before.variance, after.n, after.mean, after.variance)
        return ("welch_t", p) if p is not None else (None, None)
    return None, None


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test; None when the pooled rate is 0 or 1 (no spread)."""
    pooled = (x1 + x2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if not spread > 0:
        return None
    z = (x2 / n2 - x1 / n1) / math.sqrt(spread)
    return float(2 * stats.norm.sf(abs(z)))


def welch_p(n1: int | None, mean1: float | None, var1: float | None, n2: int | None, mean2: float | None,
            var2: float | None) -> float | None:
    """Two-sided p-value of Welch's t-test from each side's count, mean and sample variance; None with fewer than
    two values a side or no spread at all."""
    if not n1 or not n2 or n1 < 2 or n2 < 2 or var1 is None or var2 is None:
        return None
    se2 = var1 / n1 + var2 / n2
    if not se2 > 0:
        return None
    t = (mean2 - mean1) / math.sqrt(se2)
    dof = se2 ** 2 / ((var1 / n1) ** 2 / (n1 - 1) + (var2 / n2) ** 2 / (n2 - 1))
    return float(2 * stats.t.sf(abs(t), dof))
