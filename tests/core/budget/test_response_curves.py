"""Response curves: known parameters recovered, warnings for thin or poor fits, a quarter from a month."""

from __future__ import annotations

import numpy as np
import pytest

from core.budget import response_curves


def hill_data(top, half, h, n=40, noise=0.03, seed=7):
    rng = np.random.default_rng(seed)
    spend = np.linspace(half * 0.1, half * 4, n)
    revenue = response_curves._hill(spend, top, half, h) * (1 + rng.normal(0, noise, n))
    return spend, revenue


def test_fit_recovers_known_hill_parameters():
    spend, revenue = hill_data(50_000, 10_000, 1.8)
    curve = response_curves.fit_curve(spend, revenue)
    top, half, h = curve.params
    assert curve.kind == "hill"
    assert top == pytest.approx(50_000, rel=0.08) and half == pytest.approx(10_000, rel=0.1) and h == pytest.approx(1.8, rel=0.15)
    assert curve.r2 > 0.95 and curve.n_points == 40 and not curve.too_few_points
    low, high = curve.band(10_000)
    assert low < curve.predict(10_000) < high
    assert curve.marginal(10_000) == pytest.approx((curve.predict(10_001) - curve.predict(9_999)) / 2, rel=1e-3)
    assert curve.outside_range(100_000) and not curve.outside_range(20_000)


def test_few_points_are_flagged_and_still_fitted():
    curve = response_curves.fit_curve([100, 200, 400], [300, 500, 700])
    assert curve.kind == "log" and curve.too_few_points and curve.n_points == 3
    assert curve.predict(400) > curve.predict(200) > 0 and curve.marginal(400) < curve.marginal(100)


def test_a_channel_whose_revenue_fell_at_the_same_spend_is_a_poor_fit():
    spend = [65, 48, 36, 36, 55, 53, 39, 35, 38, 56, 57, 52]  # thousands: the demo's social channel
    revenue = [99, 82, 67, 61, 79, 84, 77, 68, 65, 41, 38, 38]  # the last three months collapsed
    assert response_curves.fit_curve(spend, revenue).is_poor_fit
    assert not response_curves.fit_curve(spend[:9], revenue[:9]).is_poor_fit  # before the collapse spend explained it


MONTHLY = {  # an S-shaped Hill curve and a log curve, each seen between 0 and 30,000 a month
    "hill": response_curves.Curve("hill", (40_000.0, 5_000.0, 2.0), 1, 10, 0, 30_000, 1000),
    "log": response_curves.Curve("log", (9_000.0, 3_000.0), 1, 10, 0, 30_000, 1000),
}


@pytest.mark.parametrize("kind", list(MONTHLY))
def test_a_quarter_is_three_months_spent_evenly(kind):
    monthly, quarter = MONTHLY[kind], MONTHLY[kind].over(3)
    spend = np.array([500.0, 4_000.0, 25_000.0])
    assert quarter.predict(3 * spend) == pytest.approx(3 * monthly.predict(spend))
    assert quarter.marginal(3 * spend) == pytest.approx(monthly.marginal(spend))
    assert (quarter.min_spend, quarter.max_spend) == (0, 90_000)
    assert not quarter.outside_range(80_000) and monthly.outside_range(80_000)
