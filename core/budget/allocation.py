"""Allocation: the split of a budget over channels with the most predicted revenue, and the budgets
that reach a revenue target or keep an ROI floor.

Money goes where the next unit of spend earns the most, so at the best split every channel not at a
limit earns the same marginal ROI; test channels get at most 10% of the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from core.budget.response_curves import Curve
from core.platform.i18n import Message

TEST_CAP = 0.10


class BudgetError(Message):
    """Limits no split can meet."""


def _limits(names, total, bounds, test_channels, test_cap):
    bounds = bounds or {}
    lo = np.array([float((bounds.get(n) or (0.0, None))[0] or 0.0) for n in names])
    hi = np.array([total if (bounds.get(n) or (None, None))[1] is None else float(bounds[n][1]) for n in names])
    hi = np.minimum(hi, total)
    tests = set(test_channels)
    hi = np.array([min(h, test_cap * total) if n in tests else h for n, h in zip(names, hi)])
    tol = 1e-9 * max(total, 1.0)
    for name, low, high in zip(names, lo, hi):
        if low > high + tol:
            raise BudgetError("budget.bad_channel_limit", channel=name, low=f"{low:,.0f}", high=f"{high:,.0f}")
    if lo.sum() > total + tol or hi.sum() < total - tol:
        raise BudgetError("budget.bad_limits", total=f"{total:,.0f}", low=f"{lo.sum():,.0f}", high=f"{hi.sum():,.0f}",
                          cap=f"{test_cap:.0%}")
    return lo, np.maximum(hi, lo)


def _fit_to_total(x, lo, hi, total):
    """Clip to the limits, then move the difference onto the channels with room, in proportion to that room."""
    x = np.clip(x, lo, hi)
    gap = total - x.sum()
    room = (hi - x) if gap > 0 else (x - lo)
    if gap != 0 and room.sum() > 0:
        x = x + np.sign(gap) * min(abs(gap), room.sum()) * room / room.sum()
    return np.clip(x, lo, hi)


def _lagrangian_start(curves, lo, hi, total):
    """Bisect on lambda, the marginal ROI every channel is spent to; each channel's best reply is found on a grid."""
    grids = [np.linspace(low, high, 801) for low, high in zip(lo, hi)]
    values = [c.predict(g) for c, g in zip(curves, grids)]

    def reply(lam):
        return np.array([g[np.argmax(v - lam * g)] for g, v in zip(grids, values)])

    low, high = 0.0, max(float(np.max(c.marginal(g))) for c, g in zip(curves, grids)) + 1.0
    for _ in range(60):
        mid = (low + high) / 2
        if reply(mid).sum() >= total:
            low = mid
        else:
            high = mid
    return _fit_to_total(reply(low), lo, hi, total)


def optimise(curves: dict[str, Curve], total: float, bounds: dict[str, tuple[float | None, float | None]] | None = None,
             test_channels=(), test_cap: float = TEST_CAP) -> dict[str, float]:
    """The split of `total` with the most predicted revenue: spends exactly `total`, within each channel's
    (min, max) and with every test channel capped at `test_cap` of the total."""
    names = list(curves)
    if not names:
        return {}
    fitted = [curves[n] for n in names]
    lo, hi = _limits(names, float(total), bounds, test_channels, test_cap)
    if total <= 0:
        return {n: 0.0 for n in names}

    def revenue(x):
        return float(sum(c.predict(v) for c, v in zip(fitted, x)))

    starts = [_lagrangian_start(fitted, lo, hi, total), _fit_to_total(lo + (hi - lo) * 0.5, lo, hi, total)]
    scale = max(revenue(hi), 1.0)
    candidates = list(starts)
    for start in starts:
        result = minimize(
            lambda u: -revenue(u * total) / scale, start / total,
            jac=lambda u: -np.array([c.marginal(v * total) for c, v in zip(fitted, u)]) * total / scale,
            bounds=list(zip(lo / total, hi / total)), method="SLSQP",
            constraints=[{"type": "eq", "fun": lambda u: u.sum() - 1.0, "jac": lambda u: np.ones_like(u)}],
            options={"maxiter": 300, "ftol": 1e-12},
        )
        if np.all(np.isfinite(result.x)):
            candidates.append(_fit_to_total(result.x * total, lo, hi, total))
    best = max(candidates, key=revenue)
    return {n: float(v) for n, v in zip(names, best)}


def todays_split_at(current: dict[str, float], total: float, channels) -> dict[str, float]:
    """Today's shares applied to another total: what the optimised split is compared with."""
    spent = sum(current.values())
    return {c: current.get(c, 0.0) * total / spent if spent else total / len(channels) for c in channels}


def predicted_revenue(curves: dict[str, Curve], allocation: dict[str, float]) -> float:
    return float(sum(curves[n].predict(v) for n, v in allocation.items() if n in curves))


def compare(curves: dict[str, Curve], current: dict[str, float], proposed: dict[str, float],
            per_order: dict[str, float] | None = None, test_channels=(), test_cap: float = TEST_CAP) -> pd.DataFrame:
    """The what-if table: per channel, predicted revenue, ROI and orders at today's spend and at the proposed one,
    with flags for a spend the curve never saw and a test channel over its cap. Orders are NaN for a channel
    whose revenue per order is unknown."""
    per_order = per_order or {}
    total = sum(proposed.values())
    rows = []
    for channel, curve in curves.items():
        now, new = float(current.get(channel, 0.0)), float(proposed.get(channel, 0.0))
        revenue_now, revenue_new = float(curve.predict(now)), float(curve.predict(new))
        order_value = per_order.get(channel, np.nan)
        rows.append({
            "channel": channel, "current_spend": now, "proposed_spend": new,
            "revenue_now": revenue_now, "revenue_new": revenue_new,
            "roi_now": revenue_now / now if now else np.nan, "roi_new": revenue_new / new if new else np.nan,
            "orders_now": revenue_now / order_value, "orders_new": revenue_new / order_value,
            "is_outside_history": curve.outside_range(new),
            "is_over_test_cap": channel in test_channels and new > test_cap * total * (1 + 1e-9),
        })
    return pd.DataFrame(rows)


class Move(NamedTuple):
    """Move `amount` from one channel to another; `revenue_gain` is the predicted revenue this adds."""

    from_channel: str
    to_channel: str
    amount: float
    revenue_gain: float


def suggestions(current: dict[str, float], proposed: dict[str, float], curves: dict[str, Curve],
                min_share: float = 0.001) -> list[Move]:
    """The proposal as a few plain moves, biggest first; moves under `min_share` of the budget are left out."""
    names = sorted(set(current) | set(proposed))
    state = {n: float(current.get(n, 0.0)) for n in names}
    change = {n: float(proposed.get(n, 0.0)) - state[n] for n in names}
    floor = min_share * max(sum(state.values()), sum(proposed.values()), 1e-12)

    def value(name, spend):
        return curves[name].predict(spend) if name in curves else 0.0

    moves = []
    while True:
        giver = min(names, key=lambda n: change[n])
        taker = max(names, key=lambda n: change[n])
        amount = min(-change[giver], change[taker])
        if amount <= floor:
            break
        gain = (value(taker, state[taker] + amount) - value(taker, state[taker])
                - value(giver, state[giver]) + value(giver, state[giver] - amount))
        moves.append(Move(giver, taker, amount, float(gain)))
        state[giver] -= amount
        state[taker] += amount
        change[giver] += amount
        change[taker] -= amount
    return moves


@dataclass(frozen=True)
class Plan:
    """A total budget, its best split, and what it is predicted to bring in."""

    total: float
    allocation: dict[str, float]
    revenue: float

    @property
    def roi(self) -> float:
        return self.revenue / self.total if self.total > 0 else float("nan")


def _plan(curves, total, bounds, test_channels, test_cap) -> Plan | None:
    """The best plan at `total`, or None where the limits cannot split it: a target search reads that as
    'not at this total', never as an error for the owner."""
    try:
        allocation = optimise(curves, total, bounds, test_channels, test_cap)
    except BudgetError:
        return None
    return Plan(float(total), allocation, predicted_revenue(curves, allocation))


def _floor_total(bounds) -> float:
    return float(sum((b[0] or 0.0) for b in (bounds or {}).values() if b))


def _ceiling_total(curves, bounds, test_channels=(), test_cap: float = TEST_CAP) -> float:
    """The largest total worth searching: far beyond the spend the curves have seen, but no more than the
    channels' maximums (and the test cap) can take."""
    ceiling = max(sum(c.max_spend for c in curves.values()) * 100.0, _floor_total(bounds), 1.0)
    return min(ceiling, _largest_total(curves, bounds, test_channels, test_cap, ceiling))


def _largest_total(curves, bounds, test_channels, test_cap, ceiling) -> float:
    """The largest total (up to `ceiling`) the channels' maximums can absorb. What they can take of a total
    less the total falls once it falls, so the totals they can take run from 0 to one edge: bisect for it."""
    tests, bounds = set(test_channels), bounds or {}

    def room(total):
        highs = [(bounds.get(n) or (None, None))[1] for n in curves]
        return sum(min(test_cap * total if n in tests else total, total if high is None else float(high))
                   for n, high in zip(curves, highs))

    if room(ceiling) >= ceiling:
        return ceiling
    low, high = 0.0, ceiling
    while high - low > 1e-9 * ceiling:
        mid = (low + high) / 2
        low, high = (mid, high) if room(mid) >= mid else (low, mid)
    return low


def min_total_for_revenue(curves: dict[str, Curve], target: float, bounds=None, test_channels=(),
                          test_cap: float = TEST_CAP, rel_tol: float = 1e-4) -> Plan | None:
    """The smallest budget whose best split is predicted to reach `target` revenue; None if no budget does."""
    low = _floor_total(bounds)
    start = _plan(curves, low, bounds, test_channels, test_cap)
    if start is not None and start.revenue >= target:
        return start
    ceiling = _ceiling_total(curves, bounds, test_channels, test_cap)
    high = min(max(sum(c.max_spend for c in curves.values()), low * 2, 1.0), ceiling)
    best = _plan(curves, high, bounds, test_channels, test_cap)
    while best is None or best.revenue < target:
        if high >= ceiling:
            return None
        low, high = high, min(high * 2, ceiling)
        best = _plan(curves, high, bounds, test_channels, test_cap)
    return _narrow(curves, low, high, best, lambda plan: plan.revenue >= target, True, bounds, test_channels, test_cap, rel_tol)


def split_for_roi(curves: dict[str, Curve], target_roi: float, bounds=None, test_channels=(),
                  test_cap: float = TEST_CAP, rel_tol: float = 1e-4) -> Plan | None:
    """The largest budget whose best split still returns at least `target_roi`; None if none does."""
    floor, ceiling = max(_floor_total(bounds), 1e-6), _ceiling_total(curves, bounds, test_channels, test_cap)
    grid = np.geomspace(floor, ceiling, 80)
    plans = [_plan(curves, t, bounds, test_channels, test_cap) for t in grid]
    good = [i for i, p in enumerate(plans) if p is not None and p.roi >= target_roi]
    if not good:
        return None
    i = good[-1]
    best = plans[i]
    if i == len(grid) - 1:
        return best
    return _narrow(curves, grid[i], grid[i + 1], best, lambda plan: plan.roi >= target_roi, False, bounds,
                   test_channels, test_cap, rel_tol)


def _narrow(curves, low, high, best, holds, holds_at_high, bounds, test_channels, test_cap, rel_tol) -> Plan | None:
    """Bisect the total between `low` and `high` to where `holds(plan)` switches; return the last plan
    found on the side where it holds (the high side for a revenue target, the low side for an ROI floor)."""
    while high - low > rel_tol * high:
        mid = (low + high) / 2
        plan = _plan(curves, mid, bounds, test_channels, test_cap)
        if (plan is not None and holds(plan)) == holds_at_high:
            high = mid
        else:
            low = mid
        if plan is not None and holds(plan):
            best = plan
    return best
