"""Demand forecast: weekly units by hand on a tiny orders file, the kinds on hand-built series, the models
against statsmodels' exponential smoothing, and the backtest on seeded generated series of each kind.

The hand-made orders, as-of 2024-06-01 (a Saturday), so the weeks are
    week 3 back [05-04, 05-11)   week 2 back [05-11, 05-18)   week 1 back [05-18, 05-25)   week 0 [05-25, 06-01)

    O1  2024-05-04 10:00  A x2          first day of week 3
    O2  2024-05-18 09:00  A x3, B x1    first day of week 1
    O3  2024-05-20 12:00  A x10         cancelled: left out
    O4  2024-05-25 00:30  A x4          first day of week 0
    O5  2024-05-31 23:00  A x1          last day of week 0
    O6  2024-05-26 10:00  (no SKU) x1   skipped
    O7  2024-06-01 00:00  A x5          on as-of: left out
    O8  2024-06-03 10:00  B x7          after as-of: left out (but it is the last order)

So A: 05-04 2, 05-11 0 (no sale: zero-filled), 05-18 3, 05-25 4 + 1 = 5; B: 05-18 1, 05-25 0.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing

from core.data import ingest
from core.platform.i18n import Message
from core.products import forecast as fc
from tests.conftest import write_csv

HAND_ORDERS = """
    order_id,customer_id,order_time,order_total,status,sku,product_name,quantity,unit_price
    O1,c1,2024-05-04 10:00,20,completed,A,Apple,2,10
    O2,c2,2024-05-18 09:00,35,completed,A,Apple,3,10
    O2,c2,2024-05-18 09:00,35,completed,B,Banana,1,5
    O3,c3,2024-05-20 12:00,100,cancelled,A,Apple,10,10
    O4,c4,2024-05-25 00:30,40,completed,A,Apple,4,10
    O5,c5,2024-05-31 23:00,10,completed,A,Apple,1,10
    O6,c6,2024-05-26 10:00,3,completed,,Gift,1,3
    O7,c7,2024-06-01 00:00,50,completed,A,Apple,5,10
    O8,c8,2024-06-03 10:00,35,completed,B,Banana,7,5
"""
AS_OF = date(2024, 6, 1)


@pytest.fixture
def hand_shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", HAND_ORDERS), kind="orders")
    return workspace


def _rows(frame):
    return [(r.sku, r.week_start, r.units) for r in frame.itertuples()]


def test_weekly_units_by_hand(hand_shop):
    # edge case: O7 at 00:00 on as-of belongs to the week after as-of, so week 0 holds only O4 and O5 (4 + 1)
    found = fc.weekly_units(hand_shop, AS_OF)
    assert _rows(found) == [
        ("A", date(2024, 5, 4), 2.0), ("A", date(2024, 5, 11), 0.0), ("A", date(2024, 5, 18), 3.0),
        ("A", date(2024, 5, 25), 5.0), ("B", date(2024, 5, 18), 1.0), ("B", date(2024, 5, 25), 0.0),
    ]


def test_weekly_units_from_a_window_start(hand_shop):
    # edge case: 2 weeks back starts A at week 1 back (05-18), not at its first sale; B is unchanged
    found = fc.weekly_units(hand_shop, AS_OF, weeks=2)
    assert _rows(found) == [
        ("A", date(2024, 5, 18), 3.0), ("A", date(2024, 5, 25), 5.0),
        ("B", date(2024, 5, 18), 1.0), ("B", date(2024, 5, 25), 0.0),
    ]


def test_forecast_workspace_defaults_to_the_day_after_the_last_order(hand_shop):
    # edge case: the last order (O8, 06-03) is after the hand as-of; the default as-of is 06-04. Then A has
    # 5 weeks (week 0 is [05-28, 06-04)) and B 3: both under 8 weeks, so skipped with a reason, no forecast
    found = fc.forecast_workspace(hand_shop, horizon=4)
    assert found.as_of == date(2024, 6, 4)
    assert found.forecasts.empty
    assert dict(zip(found.skipped["sku"], found.skipped["reason"])) == {
        "A": fc.TOO_LITTLE_HISTORY, "B": fc.TOO_LITTLE_HISTORY}


def _history(series: dict[str, list[float]], as_of: date = AS_OF) -> pd.DataFrame:
    """Weekly rows per SKU, the last week just before as_of."""
    rows = []
    for sku, units in series.items():
        n = len(units)
        rows += [(sku, as_of - timedelta(days=7 * (n - i)), float(u)) for i, u in enumerate(units)]
    return pd.DataFrame(rows, columns=["sku", "week_start", "units"])


def test_kinds_of_hand_built_series():
    t = np.arange(104)
    # sales in 4 of every 5 weeks: ADI = 5/4 = 1.25 <= 1.32, not intermittent (edge case of the rule)
    assert fc.classify([0, 6, 5, 7, 6] * 6) == fc.SMOOTH
    # sales in 3 of every 4 weeks: ADI = 4/3 = 1.333 > 1.32, intermittent
    assert fc.classify([0, 6, 5, 7] * 6) == fc.INTERMITTENT
    assert fc.classify([0, 0, 3, 0, 0, 0, 5, 0] * 3) == fc.INTERMITTENT  # ADI 24 / 6 = 4
    # +1 a week with +-1 wobble: slope 1 against a tiny standard error, 52 units over a mean of ~60
    assert fc.classify(10 + np.arange(60) + np.tile([1, -1], 30)) == fc.TRENDING
    seasonal = 20 + 10 * np.sin(2 * np.pi * t / 52)
    assert fc.classify(seasonal) == fc.SEASONAL
    # the same yearly wave for 100 weeks: under two seasons, so never seasonal
    assert fc.classify(seasonal[:100]) != fc.SEASONAL


def test_a_constant_series_forecasts_the_constant():
    # edge case: no error at all, so the 80% band shrinks to the forecast itself
    found = fc.forecast(_history({"C": [7.0] * 20}), horizon=6, as_of=AS_OF)
    rows = found.forecasts
    assert rows["units"].tolist() == pytest.approx([7.0] * 6)
    assert rows["low"].tolist() == pytest.approx([7.0] * 6)
    assert rows["high"].tolist() == pytest.approx([7.0] * 6)
    assert rows["week_start"].tolist() == [AS_OF + timedelta(days=7 * h) for h in range(6)]
    assert found.records() == [{"sku": "C", "method": "ses", "forecast": pytest.approx([7.0] * 6)}]


def _best_statsmodels(fits):
    """The fit with the smallest in-sample squared one-step error, as statsmodels reports it."""
    return min(fits, key=lambda fit: fit.sse)


def test_smooth_forecast_matches_statsmodels_ses():
    # statsmodels' SES with the level started at the mean of the first 4 weeks and each alpha of the grid
    # fixed; the alpha with the smallest SSE must give our forecast. Edge case: only 30 weeks of history
    rng = np.random.default_rng(3)
    y = rng.poisson(20, 30).astype(float)
    found = fc.forecast(_history({"S": y}), horizon=4, as_of=AS_OF)
    assert found.forecasts["method"].iat[0] == "ses"
    model = SimpleExpSmoothing(y, initialization_method="known", initial_level=y[:4].mean())
    best = _best_statsmodels(model.fit(smoothing_level=a, optimized=False) for a in fc.ALPHAS)
    assert found.forecasts["units"].tolist() == pytest.approx(list(best.forecast(4)), rel=1e-9)


def test_trending_forecast_matches_statsmodels_damped_holt():
    # statsmodels' Holt (damped) with level and trend started as documented (first 4 weeks' mean, and the
    # next 4 weeks' mean less it over 4) and every (alpha, beta share, phi) of the grid fixed
    rng = np.random.default_rng(4)
    y = rng.poisson(10 + 0.8 * np.arange(40)).astype(float)
    found = fc.forecast(_history({"T": y}), horizon=8, as_of=AS_OF)
    assert found.forecasts["method"].iat[0] == "damped_trend"
    level0 = y[:4].mean()
    model = Holt(y, damped_trend=True, initialization_method="known", initial_level=level0,
                 initial_trend=(y[4:8].mean() - level0) / 4)
    fits = (model.fit(smoothing_level=a, smoothing_trend=b, damping_trend=p, optimized=False)
            for a in fc.ALPHAS for b in fc.BETA_SHARES for p in fc.PHIS)
    best = _best_statsmodels(fits)
    assert found.forecasts["units"].tolist() == pytest.approx(list(best.forecast(8)), rel=1e-9)


def test_short_histories_get_a_reason_not_a_forecast():
    found = fc.forecast(_history({
        "NEW": [3, 4, 5, 2, 3],                  # 5 weeks: too little history
        "ONCE": [9, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 10 weeks, 1 with a sale: too few sales
        "TEN": [5, 6, 5, 4, 6, 5, 5, 6, 4, 5],   # 10 weeks: forecast, but 10 - 4 < 8 weeks left to test on
    }), horizon=4, as_of=AS_OF)
    assert dict(zip(found.skipped["sku"], found.skipped["reason"])) == {
        "NEW": fc.TOO_LITTLE_HISTORY, "ONCE": fc.TOO_FEW_SALES}
    assert set(found.forecasts["sku"]) == {"TEN"}
    tested = found.accuracy.set_index("sku").loc["TEN"]
    # edge case: untested means no error figures at all, not 0
    assert tested["reason"] == fc.TOO_SHORT_TO_TEST and tested["weeks_tested"] == 0
    assert np.isnan(tested["mae"]) and np.isnan(tested["naive_mae"])


def test_backtest_baselines_by_hand():
    # 11 weeks of 10 and one of 14, then held out 12, 8, 12, 8. Naive says 14: errors 2, 6, 2, 6, MAE 4;
    # the mean of the last 4 weeks, (10 + 10 + 10 + 14) / 4 = 11: errors 1, 3, 1, 3, MAE 2
    found = fc.forecast(_history({"H": [10] * 11 + [14, 12, 8, 12, 8]}), horizon=4, as_of=AS_OF)
    row = found.accuracy.iloc[0]
    assert (row["weeks_tested"], row["naive_mae"], row["mean4_mae"]) == (4, 4.0, 2.0)
    assert row["relative_error"] == pytest.approx(row["mae"] / 4.0)


def test_horizon_outside_4_to_12_weeks_is_refused():
    with pytest.raises(Message) as raised:
        fc.forecast(_history({"C": [7.0] * 20}), horizon=13, as_of=AS_OF)
    assert raised.value.key == fc.BAD_HORIZON


def generated(kind: str, count: int, weeks: int = 104, seed: int = 0) -> dict[str, np.ndarray]:
    """Poisson weekly units around a known mean: flat, a yearly wave, a steady rise, or rare sales."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    out = {}
    for i in range(count):
        level = rng.uniform(10, 40)
        if kind == "smooth seasonal":
            mean = level * (1 + 0.6 * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 2 * np.pi)))
        elif kind == "trend":
            mean = level * (1 + rng.uniform(0.01, 0.03) * t)
        else:
            mean = np.where(rng.random(weeks) < 0.3, rng.uniform(2, 8), 0.0)
        out[f"{kind}-{i}"] = rng.poisson(mean).astype(float)
    return out


@pytest.mark.parametrize(("kind", "expected"), [
    ("smooth seasonal", fc.SEASONAL), ("trend", fc.TRENDING), ("intermittent", fc.INTERMITTENT)])
def test_backtest_beats_naive_and_the_mean_of_4_weeks(kind, expected):
    # 40 seeded series of each kind, last 8 weeks held out; total absolute error over all of them. Edge
    # case: intermittent weeks are mostly 0, where repeating a sale week costs most
    found = fc.forecast(_history(generated(kind, 40, seed=11)), horizon=8, as_of=AS_OF)
    accuracy = found.accuracy
    assert (accuracy["kind"] == expected).mean() >= 0.9
    ours, naive, mean4 = (accuracy[c].sum() * 8 for c in ("mae", "naive_mae", "mean4_mae"))
    assert ours <= 0.9 * naive
    assert ours <= mean4
    assert (found.forecasts["units"] >= 0).all() and (found.forecasts["low"] >= 0).all()
