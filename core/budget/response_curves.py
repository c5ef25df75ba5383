"""Response curves: how a channel's revenue answers its spend, fitted on its monthly history.

A Hill curve can be S-shaped (spend has to reach a threshold before it pays) and saturates; a log
curve only bends. Each curve says how far to trust it: R², points, the range of spend it has seen.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

MIN_POINTS = 6
POOR_FIT_R2 = 0.3  # below this the curve explains less than a third of the month-to-month variation
_TINY = 1e-12


def _hill(s, top, half, h):
    s = np.maximum(np.asarray(s, dtype=float), 0.0)
    return top * s**h / (half**h + s**h)


def _log(s, a, b):
    return a * np.log1p(np.maximum(np.asarray(s, dtype=float), 0.0) / b)


@dataclass(frozen=True)
class Curve:
    """Revenue as a function of spend, fitted on one channel's history, with how far to trust it."""

    kind: str                  # "hill" (top, half, h) or "log" (a, b)
    params: tuple[float, ...]
    r2: float
    n_points: int
    min_spend: float
    max_spend: float
    residual_sd: float

    def predict(self, spend):
        """Expected revenue at `spend` (a number or an array)."""
        fn = _hill if self.kind == "hill" else _log
        return _same_shape(spend, fn(spend, *self.params))

    def marginal(self, spend):
        """Revenue from the next unit of spend: the curve's slope, which the optimiser equalises."""
        s = np.maximum(np.asarray(spend, dtype=float), 1e-9)
        if self.kind == "hill":
            top, half, h = self.params
            value = top * h * half**h * s ** (h - 1) / (half**h + s**h) ** 2
        else:
            a, b = self.params
            value = a / (b + s)
        return _same_shape(spend, value)

    def band(self, spend, z: float = 1.96):
        """A rough (low, high) range for revenue: the prediction plus or minus z residual standard deviations."""
        mid = np.asarray(self.predict(spend), dtype=float)
        low, high = np.maximum(mid - z * self.residual_sd, 0.0), mid + z * self.residual_sd
        return _same_shape(spend, low), _same_shape(spend, high)

    @property
    def is_poor_fit(self) -> bool:
        """Spend explains little of this channel's revenue: something else moved it (a season, a change in
        the channel itself), so predictions from the curve are rough."""
        return self.r2 < POOR_FIT_R2

    @property
    def too_few_points(self) -> bool:
        """Fewer than 6 months of history: the curve's shape is mostly a guess."""
        return self.n_points < MIN_POINTS

    def outside_range(self, spend) -> bool:
        """A spend the channel has never seen: the curve is extrapolating there."""
        return bool(spend < self.min_spend or spend > self.max_spend)

    def over(self, months: int) -> Curve:
        """The channel spent evenly over `months` months: spend and revenue scale by `months`, the shape stays.
        Both curve kinds scale exactly (Hill: top and half; log: a and b). The band widens `months` times,
        since a curve's error repeats month after month rather than averaging out."""
        if months == 1:
            return self
        scale, knee, *shape = self.params
        return replace(self, params=(scale * months, knee * months, *shape), min_spend=self.min_spend * months,
                       max_spend=self.max_spend * months, residual_sd=self.residual_sd * months)


def _same_shape(like, value):
    return float(value) if np.ndim(like) == 0 else np.asarray(value, dtype=float)


def _r2(y, fitted) -> float:
    sse = float(np.sum((y - fitted) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - sse / sst if sst > 0 else (1.0 if sse == 0 else 0.0)


def fit_curve(spend, revenue) -> Curve:
    """Fit a saturating (Hill) curve; when that fails fall back to a log curve, which still has diminishing returns."""
    s, y = np.asarray(spend, dtype=float), np.asarray(revenue, dtype=float)
    keep = np.isfinite(s) & np.isfinite(y) & (s >= 0)
    s, y = s[keep], y[keep]
    if len(s) == 0:
        raise ValueError("no spend and revenue to fit")
    s_max, y_max = max(float(s.max()), _TINY), max(float(y.max()), _TINY)
    kind, params = "log", None
    if len(s) >= 4:
        best = None
        lower, upper = (y_max * 0.5, s_max * 1e-3, 0.3), (y_max * 50, s_max * 20, 5.0)
        for h0 in (1.0, 2.0, 3.0):
            p0 = (y_max * 1.5, max(float(np.median(s)), s_max * 1e-2), h0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", OptimizeWarning)
                    found, _ = curve_fit(_hill, s, y, p0=p0, bounds=(lower, upper), maxfev=20_000)
            except (RuntimeError, ValueError):
                continue
            sse = float(np.sum((y - _hill(s, *found)) ** 2))
            if np.all(np.isfinite(found)) and (best is None or sse < best[0]):
                best = (sse, tuple(float(v) for v in found))
        if best is not None:
            kind, params = "hill", best[1]
    if params is None:
        params = _fit_log(s, y, s_max, y_max)
    fitted = _hill(s, *params) if kind == "hill" else _log(s, *params)
    dof = max(len(s) - len(params), 1)
    return Curve(kind, params, _r2(y, fitted), int(len(s)), float(s.min()), float(s.max()),
                 float(np.sqrt(np.sum((y - fitted) ** 2) / dof)))


def _fit_log(s, y, s_max, y_max) -> tuple[float, float]:
    if len(s) >= 2:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                found, _ = curve_fit(_log, s, y, p0=(y_max, s_max), bounds=((_TINY, s_max * 1e-4), (np.inf, s_max * 1e3)),
                                     maxfev=20_000)
            if np.all(np.isfinite(found)):
                return float(found[0]), float(found[1])
        except (RuntimeError, ValueError):
            pass
    # Too little to fit: bend through the average point with the knee at the average spend.
    b = max(float(s.mean()), 1.0)
    denominator = float(np.sum(np.log1p(s / b)))
    return (float(y.sum()) / denominator if denominator > 0 else 0.0), b
