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


def count_evaluations(monkeypatch) -> list[int]:
    """Count every curve the fit evaluates (a grid of curves counts each of them) and every evaluation of the
    slopes: the fit's work, measured by counting rather than by the clock. Returns a one-item list to read."""
    work = [0]

    def counted(function, per_curve):
        def wrapper(s, *params):
            out = function(s, *params)
            work[0] += np.size(out) // max(np.shape(s)[-1] if np.ndim(s) else 1, 1) if per_curve else 1
            return out
        return wrapper

    for name, per_curve in (("_hill", True), ("_log", True), ("_hill_slopes", False), ("_log_slopes", False)):
        monkeypatch.setattr(response_curves, name, counted(getattr(response_curves, name), per_curve))
    return work


ROI = [2 + 0.25 * i for i in range(12)]  # the lockstep shop's twelve channels return 2.00 to 4.75


def lockstep(channel: int):
    """A channel of the lockstep shop: spend 2,000 + 500 x channel, up 10 every month for a year, and revenue its
    ROI times spend, to the cent. Spend moves 0.5% a year's range: an unbounded fit crawled for ~120,000
    evaluations a channel (15 s) toward a curve the data cannot pin down."""
    spend = 2_000.0 + 500 * channel + 10 * np.arange(12)
    return spend, np.round(ROI[channel] * spend, 2)


@pytest.mark.parametrize("channel", range(12))
def test_spend_and_revenue_rising_in_lockstep_are_fitted_within_the_work_budget(monkeypatch, channel):
    spend, revenue = lockstep(channel)
    work = count_evaluations(monkeypatch)
    curve = response_curves.fit_curve(spend, revenue)
    assert work[0] <= response_curves.WORK_BUDGET == 2_417
    # revenue is ROI x spend: the curve gives it back within 0.01% at every spend seen, and says it fits
    assert curve.predict(spend) == pytest.approx(ROI[channel] * spend, rel=1e-4)
    assert curve.r2 > 0.999 and not curve.stopped_early and not curve.is_poor_fit


def test_a_history_that_never_changed_is_fitted_within_the_work_budget(monkeypatch):
    work = count_evaluations(monkeypatch)
    curve = response_curves.fit_curve([1_000.0] * 12, [3_000.0] * 12)  # edge: no variation at all to explain
    assert work[0] <= response_curves.WORK_BUDGET
    assert curve.predict(1_000.0) == pytest.approx(3_000.0) and curve.r2 == 1.0  # it meets every month


def test_a_fit_that_runs_out_of_work_says_so(monkeypatch):
    spend, revenue = hill_data(50_000, 10_000, 1.8)
    assert not response_curves.fit_curve(spend, revenue).stopped_early  # the default budget is plenty here
    monkeypatch.setattr(response_curves, "SETTLED", 0.0)  # never call it settled: only the budget can stop it
    monkeypatch.setattr(response_curves, "REFINE_EVALUATIONS", 2)
    work = count_evaluations(monkeypatch)
    curve = response_curves.fit_curve(spend, revenue)
    # the grid (48 x 24 curves), 2 residual and at most 2 slope evaluations, and the fitted curve
    assert curve.stopped_early and work[0] <= 48 * 24 + 2 + 2 + 1
    assert curve.kind == "hill" and curve.r2 > 0.99  # still the best curve it found, close to the true one
    monkeypatch.setattr(response_curves, "REFINE_EVALUATIONS", 1)
    curve = response_curves.fit_curve(spend, revenue)  # edge: no refinement at all, the grid's best start
    assert curve.stopped_early and curve.params[1] == pytest.approx(10_000, rel=0.1)
