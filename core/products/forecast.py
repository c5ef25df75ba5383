"""Weekly demand forecast per SKU, with an 80% band and its measured accuracy on the SKU's own history.

Each SKU's weekly units (weeks ending at `as_of`, quiet weeks as 0, see sql/queries/products/weekly_units.sql)
is put in one of four kinds, and the kind picks the method:

- intermittent: most weeks without a sale. The usual Syntetos-Boylan rule: the average interval between
  weeks with a sale (ADI = weeks / weeks with a sale) above 1.32. Lumpy series (ADI > 1.32 and sizes
  varying a lot, CV² >= 0.49) count here too. Method `tsb` (Teunter-Syntetos-Babai): the chance of a sale
  in a week (smoothed with alpha 0.2) times the size of a sale (alpha 0.1); unlike Croston's method the chance
  fades in weeks without a sale, so a product that stopped selling is not forecast at its old rate.
- seasonal: at least two seasons (104 weeks) of history and a yearly pattern that explains at least 40% of
  the detrended variation (seasonal strength). Method `seasonal`: the yearly profile (a 53-week centred mean
  taken off, week-of-year averages over the years, smoothed over 5 neighbouring weeks) added to a simple
  exponential smoothing of the seasonally adjusted units.
- trending: the last (up to) 52 weeks rise or fall steadily (least-squares slope at least 3 standard errors
  from 0, and at least 20% of the mean level over the window). Method `damped_trend`: Holt's linear trend,
  damped so that a trend is not carried on for ever.
- smooth: everything else. Method `ses`: simple exponential smoothing.

Smoothing parameters are chosen per SKU from a small grid by the smallest in-sample one-step squared error.
The band is the central 80% (10%..90%): the forecast +- 1.2816 x the one-step error sd, widened with the
horizon as the additive exponential-smoothing formulas say; units and the band's low end never go below 0.

Accuracy: each SKU's last `horizon` weeks are held out, the same method refitted on the weeks before and
its forecast compared with what sold, against the last-value naive forecast and the mean of the last 4
weeks. relative_error = our MAE / naive MAE (below 1: better than repeating last week).

A SKU with fewer than 8 weeks since its first sale, or fewer than 2 weeks with a sale, gets no forecast
but a reason key. The models are written here, vectorised over all SKUs at once, rather than taken from a
forecasting library: docs/decisions/0007-demand-forecast-library.md has the measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from core.platform import queries
from core.platform.i18n import Message
from core.platform.workspace import Workspace
from core.sales import service as sales_service

MIN_HORIZON, MAX_HORIZON = 4, 12
MIN_WEEKS = 8  # weeks since the first sale needed for a forecast
MIN_SALE_WEEKS = 2  # weeks with a sale needed for a forecast
SEASON = 52
LEVEL = 0.80  # the band: central 80%, 10%..90%
Z = 1.2815515655446004  # standard normal 90% quantile
ADI_CUTOFF = 1.32  # Syntetos-Boylan: above it a series is intermittent (or lumpy)
CV2_CUTOFF = 0.49  # Syntetos-Boylan: sizes this variable make an intermittent series lumpy (same method here)
SEASONAL_STRENGTH = 0.4
TREND_T = 3.0
TREND_SHARE = 0.2
CHANCE_ALPHA = 0.2  # TSB: smoothing of the chance of a sale (0.1 kept dead demo products alive too long)
SIZE_ALPHA = 0.1  # TSB: smoothing of a sale's size
ALPHAS = np.array([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7])
BETA_SHARES = np.array([0.05, 0.1, 0.2, 0.4])  # trend smoothing as a share of alpha
PHIS = np.array([0.9, 0.98])

SMOOTH, TRENDING, SEASONAL, INTERMITTENT = "smooth", "trending", "seasonal", "intermittent"
KINDS = (SMOOTH, TRENDING, SEASONAL, INTERMITTENT)
METHODS = {SMOOTH: "ses", TRENDING: "damped_trend", SEASONAL: "seasonal", INTERMITTENT: "tsb"}
# catalog keys: products.forecast.kind.<kind>, products.forecast.method.<method>

TOO_LITTLE_HISTORY = "products.forecast.reason.too_little_history"  # < MIN_WEEKS weeks since the first sale
TOO_FEW_SALES = "products.forecast.reason.too_few_sales"  # < MIN_SALE_WEEKS weeks with a sale
TOO_SHORT_TO_TEST = "products.forecast.reason.too_short_to_test"  # no backtest: < horizon + 8 weeks
NO_ORDERS = "products.forecast.reason.no_orders"  # the workspace has no orders before as-of
BAD_HORIZON = "products.forecast.error.horizon"

FORECAST_COLUMNS = ["sku", "method", "kind", "week_start", "units", "low", "high"]
ACCURACY_COLUMNS = ["sku", "method", "kind", "weeks_tested", "mae", "naive_mae", "mean4_mae", "relative_error",
                    "reason"]
SKIPPED_COLUMNS = ["sku", "reason", "weeks", "weeks_with_sales"]


@dataclass(frozen=True)
class Forecasts:
    """The forecast of every SKU that has enough history, its backtest, and the SKUs left out with why.

    forecasts: sku, method, kind, week_start (the week's first day, as_of + 7 x (h - 1)), units, low, high
    (the 80% band), `horizon` rows per SKU sorted by sku and week. accuracy: one row per forecast SKU: sku,
    method, kind, weeks_tested, mae, naive_mae (last-value naive), mean4_mae (mean of the last 4 weeks),
    relative_error (mae / naive_mae; NaN when naive was exact), reason (TOO_SHORT_TO_TEST when untested,
    then the errors are NaN). skipped: sku, reason key, weeks (since the first sale), weeks_with_sales."""

    as_of: date
    horizon: int
    forecasts: pd.DataFrame
    accuracy: pd.DataFrame
    skipped: pd.DataFrame
    level: float = LEVEL
    reason: str | None = field(default=None)  # NO_ORDERS when nothing sold before as_of
    history: pd.DataFrame | None = None  # the weekly units the forecast learnt from (sku, week_start, units)

    def records(self) -> list[dict]:
        """Per SKU: sku, method and its weekly units from as_of on, e.g. for the CLI's JSON."""
        return [{"sku": sku, "method": rows["method"].iat[0], "forecast": [float(u) for u in rows["units"]]}
                for sku, rows in self.forecasts.groupby("sku", sort=True)]


def weekly_units(workspace: Workspace, as_of: date, weeks: int | None = None) -> pd.DataFrame:
    """sku, week_start, units: units sold per SKU in the weeks before `as_of` (week k back is
    [as_of - 7(k+1), as_of - 7k)), from each SKU's first sale or from `weeks` weeks back, quiet weeks as 0."""
    found = queries.frame(workspace, "products/weekly_units", as_of=as_of, weeks=weeks)
    found["week_start"] = pd.to_datetime(found["week_start"]).dt.date
    found["units"] = found["units"].astype(float)
    return found


def forecast_workspace(workspace: Workspace, horizon: int, as_of: date | None = None,
                       weeks: int | None = None) -> Forecasts:
    """The forecast from the workspace's orders before `as_of` (default: the day after the last order)."""
    check_horizon(horizon)
    if as_of is None:
        last = sales_service.date_range(workspace).last
        if last is None:
            return _empty(date.today(), horizon, NO_ORDERS)
        as_of = last + timedelta(days=1)
    history = weekly_units(workspace, as_of, weeks)
    if history.empty:
        return _empty(as_of, horizon, NO_ORDERS)
    return forecast(history, horizon, as_of)


def check_horizon(horizon: int) -> None:
    if not MIN_HORIZON <= int(horizon) <= MAX_HORIZON:
        raise Message(BAD_HORIZON, low=MIN_HORIZON, high=MAX_HORIZON, given=int(horizon))


def forecast(history: pd.DataFrame, horizon: int, as_of: date) -> Forecasts:
    """Forecast `horizon` weeks from `as_of` for each SKU of `history` (sku, week_start, units: weekly units
    with weeks ending at as_of, as `weekly_units` gives them) and backtest it on the SKU's last weeks."""
    check_horizon(horizon)
    horizon = int(horizon)
    skus, y, start = _matrix(history, as_of)
    n_weeks = y.shape[1] - start
    sale_weeks = np.nansum(y > 0, axis=1)
    reasons = np.where(n_weeks < MIN_WEEKS, TOO_LITTLE_HISTORY,
                       np.where(sale_weeks < MIN_SALE_WEEKS, TOO_FEW_SALES, ""))
    skipped = pd.DataFrame({"sku": skus, "reason": reasons, "weeks": n_weeks, "weeks_with_sales": sale_weeks})
    skipped = skipped[skipped["reason"] != ""].reset_index(drop=True)[SKIPPED_COLUMNS]
    keep = reasons == ""
    skus, y, start = skus[keep], y[keep], start[keep]
    if not len(skus):
        return Forecasts(as_of, horizon, pd.DataFrame(columns=FORECAST_COLUMNS),
                         pd.DataFrame(columns=ACCURACY_COLUMNS), skipped, history=history)

    kinds = classify_matrix(y, start)
    units, low, high = _predict(y, start, kinds, horizon)
    weeks = [as_of + timedelta(days=7 * h) for h in range(horizon)]
    methods = np.array([METHODS[k] for k in kinds], dtype=object)
    forecasts = pd.DataFrame({
        "sku": np.repeat(skus, horizon), "method": np.repeat(methods, horizon), "kind": np.repeat(kinds, horizon),
        "week_start": np.tile(np.array(weeks, dtype=object), len(skus)),
        "units": units.ravel(), "low": low.ravel(), "high": high.ravel(),
    })
    accuracy = _backtest(skus, y, start, kinds, methods, horizon)
    return Forecasts(as_of, horizon, forecasts, accuracy, skipped, history=history)


def classify(units) -> str:
    """The kind of one weekly series (units from its first week on, oldest first): see the module doc."""
    y = np.asarray(units, dtype=float)[None, :]
    return str(classify_matrix(y, np.zeros(1, dtype=int))[0])


def classify_matrix(y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The kind per row of `y` (rows are SKUs, NaN before each row's `start` column)."""
    n = y.shape[1] - start
    sale_weeks = np.nansum(y > 0, axis=1)
    adi = n / np.maximum(sale_weeks, 1)
    kinds = np.full(len(y), SMOOTH, dtype=object)
    intermittent = adi > ADI_CUTOFF
    kinds[intermittent] = INTERMITTENT
    long_enough = (n >= 2 * SEASON) & ~intermittent
    if long_enough.any():
        strength = _seasonal_parts(y[long_enough])[2]
        seasonal = np.zeros(len(y), dtype=bool)
        seasonal[long_enough] = strength >= SEASONAL_STRENGTH
        kinds[seasonal] = SEASONAL
    rest = kinds == SMOOTH
    if rest.any():
        trending = np.zeros(len(y), dtype=bool)
        trending[rest] = _is_trending(y[rest])
        kinds[trending] = TRENDING
    return kinds


# ---------------------------------------------------------------------------------------------- internals


def _empty(as_of: date, horizon: int, reason: str) -> Forecasts:
    return Forecasts(as_of, horizon, pd.DataFrame(columns=FORECAST_COLUMNS), pd.DataFrame(columns=ACCURACY_COLUMNS),
                     pd.DataFrame(columns=SKIPPED_COLUMNS), reason=reason)


def _matrix(history: pd.DataFrame, as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SKUs, a units matrix (one row per SKU, the last column the week just before as_of, NaN before the SKU's
    first week) and each row's first column."""
    if history.empty:
        return np.array([], dtype=object), np.zeros((0, 0)), np.zeros(0, dtype=int)
    week_start = pd.to_datetime(history["week_start"])
    weeks_back = ((pd.Timestamp(as_of) - week_start).dt.days // 7 - 1).to_numpy()
    codes, skus = pd.factorize(history["sku"].astype(str), sort=True)
    width = int(weeks_back.max()) + 1
    y = np.full((len(skus), width), np.nan)
    y[codes, width - 1 - weeks_back] = history["units"].to_numpy(dtype=float)
    start = np.argmax(~np.isnan(y), axis=1)
    # a week missing between the first and the last is a week without a sale
    filled = np.where(np.arange(width)[None, :] >= start[:, None], np.nan_to_num(y), np.nan)
    return np.asarray(skus, dtype=object), filled, start


def _is_trending(y: np.ndarray) -> np.ndarray:
    """A steady rise or fall over the last (up to) 52 weeks: slope t-statistic and size, per row."""
    window = y[:, -SEASON:]
    valid = ~np.isnan(window)
    t = np.where(valid, np.arange(window.shape[1])[None, :], 0.0)
    v = np.where(valid, window, 0.0)
    count = valid.sum(axis=1)
    t_mean = t.sum(axis=1) / count
    v_mean = v.sum(axis=1) / count
    tc = np.where(valid, t - t_mean[:, None], 0.0)
    vc = np.where(valid, v - v_mean[:, None], 0.0)
    sxx = (tc**2).sum(axis=1)
    slope = (tc * vc).sum(axis=1) / sxx
    residual = np.where(valid, vc - slope[:, None] * tc, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt((residual**2).sum(axis=1) / np.maximum(count - 2, 1) / sxx)
        t_stat = np.where(se > 0, np.abs(slope) / se, np.where(slope != 0, np.inf, 0.0))
        share = np.abs(slope) * count / np.maximum(v_mean, 1e-9)
    return (t_stat >= TREND_T) & (share >= TREND_SHARE)


def _ses(y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simple exponential smoothing per row, alpha from ALPHAS by the smallest one-step squared error.
    Returns the last level, alpha and the one-step error sd."""
    n, width = y.shape
    init = _first_mean(y, start)
    level = np.zeros((n, len(ALPHAS)))
    sse = np.zeros((n, len(ALPHAS)))
    for t in range(width):
        first = (start == t)[:, None]
        level = np.where(first, init[:, None], level)
        active = (t >= start)[:, None]
        error = np.where(active, y[:, t, None] - level, 0.0)
        sse += error**2
        level = level + ALPHAS[None, :] * error
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    sd = np.sqrt(sse[rows, best] / np.maximum(width - start, 1))
    return level[rows, best], ALPHAS[best], sd


def _damped_trend(y: np.ndarray, start: np.ndarray, horizon: int):
    """Holt's damped trend per row, (alpha, beta, phi) from the grid by the smallest one-step squared error.
    Returns forecasts (rows x horizon) and their error sd."""
    alpha, share, phi = (g.ravel() for g in np.meshgrid(ALPHAS, BETA_SHARES, PHIS, indexing="ij"))
    beta = alpha * share
    n, width = y.shape
    init_level = _first_mean(y, start)
    later = _first_mean(y, np.minimum(start + 4, width - 1))
    init_trend = np.where(width - start >= 8, (later - init_level) / 4, 0.0)
    level = np.zeros((n, len(alpha)))
    trend = np.zeros((n, len(alpha)))
    sse = np.zeros((n, len(alpha)))
    for t in range(width):
        first = (start == t)[:, None]
        level = np.where(first, init_level[:, None], level)
        trend = np.where(first, init_trend[:, None], trend)
        active = (t >= start)[:, None]
        error = np.where(active, y[:, t, None] - (level + phi * trend), 0.0)
        sse += error**2
        level = level + phi * trend + alpha * error
        trend = phi * trend + beta * error
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    a, b, p = alpha[best][:, None], beta[best][:, None], phi[best][:, None]
    steps = np.arange(1, horizon + 1)[None, :]
    damp_sum = p * (1 - p**steps) / (1 - p)  # phi + phi^2 + ... + phi^h
    units = level[rows, best][:, None] + damp_sum * trend[rows, best][:, None]
    sd = np.sqrt(sse[rows, best] / np.maximum(width - start, 1))
    # h-step variance: sd^2 (1 + sum over j < h of (alpha + beta (phi + ... + phi^j))^2)
    c = (a + b * damp_sum) ** 2
    spread = np.sqrt(1 + np.concatenate([np.zeros((n, 1)), np.cumsum(c, axis=1)[:, :-1]], axis=1))
    return units, sd[:, None] * spread


def _tsb(y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Teunter-Syntetos-Babai per row: the chance of a sale in a week, updated every week (so it fades while
    nothing sells), times the size of a sale, updated in weeks with one. The weekly rate and its one-step
    error sd."""
    n, width = y.shape
    sold = np.nan_to_num(y) > 0
    counted = np.maximum(width - start, 1)
    chance = sold.sum(axis=1) / counted
    size = np.nansum(np.where(sold, y, np.nan), axis=1) / np.maximum(sold.sum(axis=1), 1)
    sse = np.zeros(n)
    for t in range(width):
        active = t >= start
        sse += np.where(active, (np.nan_to_num(y[:, t]) - chance * size) ** 2, 0.0)
        hit = active & sold[:, t]
        chance = np.where(active, chance + CHANCE_ALPHA * (hit - chance), chance)
        size = np.where(hit, size + SIZE_ALPHA * (np.nan_to_num(y[:, t]) - size), size)
    return chance * size, np.sqrt(sse / counted)


def _seasonal_parts(y: np.ndarray):
    """Per row: the yearly profile by weeks back mod 52 (the future week h has position 52 - h), the
    seasonally adjusted units, and the seasonal strength max(0, 1 - var(remainder) / var(detrended))."""
    n, width = y.shape
    valid = ~np.isnan(y)
    v = np.where(valid, y, 0.0)
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(v, axis=1)], axis=1)
    ccount = np.concatenate([np.zeros((n, 1)), np.cumsum(valid, axis=1)], axis=1)
    half = SEASON // 2
    lo = np.clip(np.arange(width) - half, 0, width)
    hi = np.clip(np.arange(width) + half + 1, 0, width)
    count = ccount[:, hi] - ccount[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = (csum[:, hi] - csum[:, lo]) / count
    detrended = np.where(valid & (count >= half), y - trend, np.nan)
    position = (width - 1 - np.arange(width)) % SEASON
    profile = np.zeros((n, SEASON))
    for p in range(SEASON):
        cols = detrended[:, position == p]
        seen = ~np.isnan(cols)
        profile[:, p] = np.where(seen, cols, 0.0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    # smooth over 5 neighbouring weeks of the year (positions wrap around the year), then centre on 0
    profile = sum(np.roll(profile, shift, axis=1) for shift in (-2, -1, 0, 1, 2)) / 5
    profile -= profile.mean(axis=1, keepdims=True)
    seasonal = profile[:, position]
    remainder = detrended - seasonal
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = 1 - np.nanvar(remainder, axis=1) / np.nanvar(detrended, axis=1)
    strength = np.nan_to_num(np.clip(strength, 0, 1))
    adjusted = np.where(valid, y - seasonal, np.nan)
    return profile, adjusted, strength


def _first_mean(y: np.ndarray, start: np.ndarray, weeks: int = 4) -> np.ndarray:
    """Mean of each row's first `weeks` weeks from `start`."""
    cols = start[:, None] + np.arange(weeks)[None, :]
    inside = cols < y.shape[1]
    taken = np.take_along_axis(y, np.minimum(cols, y.shape[1] - 1), axis=1)
    return np.where(inside, taken, 0.0).sum(axis=1) / inside.sum(axis=1)


def _predict(y: np.ndarray, start: np.ndarray, kinds: np.ndarray, horizon: int):
    """units, low, high (rows x horizon) by each row's method."""
    n = len(y)
    units = np.zeros((n, horizon))
    sd = np.zeros((n, horizon))
    steps = np.arange(horizon)[None, :]  # h - 1
    for kind in KINDS:
        rows = kinds == kind
        if not rows.any():
            continue
        ys, st = y[rows], start[rows]
        if kind == SMOOTH:
            level, alpha, s = _ses(ys, st)
            units[rows] = level[:, None]
            sd[rows] = s[:, None] * np.sqrt(1 + steps * alpha[:, None] ** 2)
        elif kind == TRENDING:
            units[rows], sd[rows] = _damped_trend(ys, st, horizon)
        elif kind == SEASONAL:
            profile, adjusted, _ = _seasonal_parts(ys)
            level, alpha, s = _ses(adjusted, st)
            ahead = profile[:, (SEASON - 1 - np.arange(horizon)) % SEASON]  # week h: position 52 - h
            units[rows] = level[:, None] + ahead
            sd[rows] = s[:, None] * np.sqrt(1 + steps * alpha[:, None] ** 2)
        else:
            rate, s = _tsb(ys, st)
            units[rows] = rate[:, None]
            sd[rows] = s[:, None] * np.sqrt(1 + steps * CHANCE_ALPHA**2)
    units = np.maximum(units, 0.0)
    return units, np.maximum(units - Z * sd, 0.0), units + Z * sd


def _backtest(skus, y, start, kinds, methods, horizon: int) -> pd.DataFrame:
    """Hold out each SKU's last `horizon` weeks, refit its method on the weeks before, compare."""
    width = y.shape[1]
    tested = (width - horizon - start) >= MIN_WEEKS
    nan = np.full(len(skus), np.nan)
    mae, naive_mae, mean4_mae = nan.copy(), nan.copy(), nan.copy()
    if tested.any() and width > horizon:
        train, actual = y[tested, : width - horizon], y[tested, width - horizon:]
        predicted = _predict(train, start[tested], kinds[tested], horizon)[0]
        naive = train[:, -1:]
        mean4 = np.nanmean(train[:, -4:], axis=1, keepdims=True)
        mae[tested] = np.abs(predicted - actual).mean(axis=1)
        naive_mae[tested] = np.abs(naive - actual).mean(axis=1)
        mean4_mae[tested] = np.abs(mean4 - actual).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(naive_mae > 0, mae / naive_mae, np.nan)
    return pd.DataFrame({
        "sku": skus, "method": methods, "kind": kinds, "weeks_tested": np.where(tested, horizon, 0),
        "mae": mae, "naive_mae": naive_mae, "mean4_mae": mean4_mae, "relative_error": relative,
        "reason": np.where(tested, None, TOO_SHORT_TO_TEST),
    })[ACCURACY_COLUMNS]
