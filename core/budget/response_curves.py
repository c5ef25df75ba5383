"""Response curves: how a channel's revenue answers its spend, fitted on its monthly history.

A Hill curve can be S-shaped (spend has to reach a threshold before it pays) and saturates; a log
curve only bends. Each curve says how far to trust it: R², points, the range of spend it has seen, and
whether its fit ran out of work before it settled. The work is counted, not timed, so no history (not even
spend and revenue rising in lockstep, where an unbounded fit crawled for minutes) can make the page hang.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

MIN_POINTS = 6
POOR_FIT_R2 = 0.3  # below this the curve explains less than a third of the month-to-month variation
_TINY = 1e-12

# The fit's work is bounded by counting, never by the clock (docs/decisions/0011-bounded-curve-fitting.md):
# a grid of shapes, each with its best scale worked out exactly, picks one start; a local refinement from
# there takes at most REFINE_EVALUATIONS evaluations and stops once R² no longer moves (SETTLED).
HILL_KNEES, HILL_SHAPES = 48, 24  # half: log-spaced within its bounds; h: evenly spaced within its bounds
LOG_KNEES = 64
REFINE_EVALUATIONS = 300  # residual evaluations of the refinement, each followed by at most one slope evaluation
SETTLED = 1e-9  # a refinement step that raises R² by less than this has nothing left to find
# Curve evaluations one fit may use at most: the Hill grid and refinement (a residual evaluation and a slope
# evaluation per step), and the log curve's should the Hill fail.
WORK_BUDGET = HILL_KNEES * HILL_SHAPES + LOG_KNEES + 4 * REFINE_EVALUATIONS + 1  # + 1: the fitted curve for its R²


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
    # The fit used its whole work budget before it settled: the best curve found, perhaps not the best there is.
    stopped_early: bool = False

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
    """R²; when every month brought the same revenue, 1 if the curve meets it (up to rounding), else 0."""
    sse = float(np.sum((y - fitted) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - sse / sst if sst > 0 else (1.0 if sse <= 1e-20 * float(np.sum(y * y)) else 0.0)


def fit_curve(spend, revenue) -> Curve:
    """Fit a saturating (Hill) curve; with fewer than 4 points fall back to a log curve, which still has
    diminishing returns. The work is bounded (WORK_BUDGET curve evaluations at most), whatever the data."""
    s, y = np.asarray(spend, dtype=float), np.asarray(revenue, dtype=float)
    keep = np.isfinite(s) & np.isfinite(y) & (s >= 0)
    s, y = s[keep], y[keep]
    if len(s) == 0:
        raise ValueError("no spend and revenue to fit")
    s_max, y_max = max(float(s.max()), _TINY), max(float(y.max()), _TINY)
    # In units of the highest spend and revenue every channel's fit looks alike, whatever its currency.
    unit_s, unit_y = s / s_max, y / y_max
    found = _fit_hill(unit_s, unit_y) if len(s) >= 4 else None
    if found is not None:
        kind, (top, half, h), stopped_early = "hill", found[0], found[1]
        params = (top * y_max, half * s_max, h)
    else:
        kind, params, stopped_early = "log", *_fit_log(s, y, s_max, y_max)
    fitted = _hill(s, *params) if kind == "hill" else _log(s, *params)
    dof = max(len(s) - len(params), 1)
    return Curve(kind, params, _r2(y, fitted), int(len(s)), float(s.min()), float(s.max()),
                 float(np.sqrt(np.sum((y - fitted) ** 2) / dof)), stopped_early)


def _best_scale(shapes, y, low, high):
    """For each row of `shapes` (curves of scale 1 at the data's spends), the scale in [low, high] with the
    least squared error, and that error: the error is a parabola in the scale, so this is exact."""
    fit = shapes @ y
    power = np.sum(shapes * shapes, axis=-1)
    scale = np.clip(np.divide(fit, power, out=np.full_like(fit, low), where=power > 0), low, high)
    return scale, np.sum((y - scale[..., None] * shapes) ** 2, axis=-1)


def _refine(residuals, slopes, start, start_error, lower, upper, y):
    """Least squares from `start` (squared error `start_error`), at most REFINE_EVALUATIONS residual evaluations;
    stops early once a step raises R² by less than SETTLED. Returns (parameters, whether the budget ran out
    first), or None."""
    spread = float(np.sum((y - y.mean()) ** 2)) or max(float(np.sum(y * y)), _TINY)
    last = [0.5 * float(start_error)]

    def settle(intermediate_result):  # the name scipy looks for to pass the step with its cost
        gain, last[0] = last[0] - intermediate_result.cost, intermediate_result.cost
        if 0 < 2 * gain < SETTLED * spread:
            raise StopIteration

    try:
        found = least_squares(residuals, start, jac=slopes, bounds=(lower, upper), method="trf", x_scale=1.0,
                              max_nfev=REFINE_EVALUATIONS, callback=settle)
    except ValueError:  # a residual that is not finite at the start
        return None
    if not np.all(np.isfinite(found.x)):
        return None
    return found.x, found.status == 0


def _fit_hill(s, y):
    """The Hill curve in units of the highest spend and revenue: ((top, half, h), stopped early) or None.
    Bounds: top 0.5-50, half 0.001-20, h 0.3-5 (docs/decisions/0005)."""
    (top_low, top_high), (half_low, half_high), (h_low, h_high) = (0.5, 50.0), (1e-3, 20.0), (0.3, 5.0)
    halves, shapes = np.geomspace(half_low, half_high, HILL_KNEES), np.linspace(h_low, h_high, HILL_SHAPES)
    grid = _hill(s, 1.0, halves[:, None, None], shapes[None, :, None])  # knee x shape x month
    tops, errors = _best_scale(grid, y, top_low, top_high)
    if not np.isfinite(errors).any():
        return None
    i, j = np.unravel_index(np.nanargmin(errors), errors.shape)
    start = np.array([tops[i, j], np.log(halves[i]), shapes[j]])  # the knee refined on a log scale

    def residuals(p):
        return _hill(s, p[0], np.exp(p[1]), p[2]) - y

    def slopes(p):
        return _hill_slopes(s, p[0], np.exp(p[1]), p[2])

    refined = _refine(residuals, slopes, start, errors[i, j], (top_low, np.log(half_low), h_low), (top_high, np.log(half_high), h_high), y)
    if refined is None:
        return (float(start[0]), float(halves[i]), float(start[2])), False
    (top, log_half, h), stopped_early = refined
    return (float(top), float(np.exp(log_half)), float(h)), bool(stopped_early)


def _hill_slopes(s, top, half, h):
    """Derivatives of the Hill curve at each spend by top, log(half) and h: exact, so the refinement needs
    no extra evaluations to estimate them."""
    s = np.maximum(np.asarray(s, dtype=float), 0.0)
    seen = s > 0
    log_ratio = np.log(np.where(seen, s, 1.0) / half)
    q = np.where(seen, np.exp(h * log_ratio), 0.0)  # (s / half)^h
    bend = top * q / (1.0 + q) ** 2
    return np.column_stack([q / (1.0 + q), -h * bend, np.where(seen, bend * log_ratio, 0.0)])


def _log_slopes(s, a, b):
    """Derivatives of the log curve at each spend by a and log(b)."""
    x = np.maximum(np.asarray(s, dtype=float), 0.0) / b
    return np.column_stack([np.log1p(x), -a * x / (1.0 + x)])


def _fit_log(s, y, s_max, y_max) -> tuple[tuple[float, float], bool]:
    """The log curve a * ln(1 + s/b), b within 0.0001-1000x the highest spend: ((a, b), stopped early)."""
    if len(s) >= 2:
        unit_s, unit_y = s / s_max, y / y_max
        (b_low, b_high), a_low = (1e-4, 1e3), _TINY
        knees = np.geomspace(b_low, b_high, LOG_KNEES)
        scales, errors = _best_scale(_log(unit_s, 1.0, knees[:, None]), unit_y, a_low, np.inf)
        if np.isfinite(errors).any():
            i = int(np.nanargmin(errors))
            refined = _refine(lambda p: _log(unit_s, p[0], np.exp(p[1])) - unit_y,
                              lambda p: _log_slopes(unit_s, p[0], np.exp(p[1])),
                              np.array([scales[i], np.log(knees[i])]), errors[i], (a_low, np.log(b_low)), (np.inf, np.log(b_high)),
                              unit_y)
            (a, log_b), stopped_early = refined if refined is not None else ((scales[i], np.log(knees[i])), False)
            return (float(a) * y_max, float(np.exp(log_b)) * s_max), bool(stopped_early)
    # Too little to fit: bend through the average point with the knee at the average spend.
    b = max(float(s.mean()), 1.0)
    denominator = float(np.sum(np.log1p(s / b)))
    return ((float(y.sum()) / denominator if denominator > 0 else 0.0), b), False
