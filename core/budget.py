"""Marketing budget: which channels pay back, how revenue responds to spend, and where the money should go.

The playbook's rules: a channel whose ROI stayed below 1 for its last 3 months is a candidate to drop;
money moves to where the next unit of spend earns the most (equal marginal ROI); test channels get
at most 10% of the budget.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit, minimize

from core import queries, rfm, settings
from core.i18n import Message
from core.workspace import Workspace

DROP_ROI = 1.0
DROP_MONTHS = 3
MIN_POINTS = 6
POOR_FIT_R2 = 0.3  # below this the curve explains less than a third of the month-to-month variation
TEST_CAP = 0.10
_TINY = 1e-12


class BudgetError(Message):
    """Limits no split can meet."""


# --- monthly channel numbers -------------------------------------------------------------------

def channel_months(workspace: Workspace) -> pd.DataFrame:
    """Per channel and month: spend, revenue, clicks, orders, roi, cpc, cpa, conversion_rate (null when undefined)."""
    return queries.frame(workspace, "channel_months")


def drop_candidates(months: pd.DataFrame) -> list[str]:
    """Channels losing money in each of their last 3 months; one bad month, or a short history, is not enough."""
    candidates = []
    for channel, rows in months.sort_values("month").groupby("channel", sort=True):
        last = rows["roi"].tail(DROP_MONTHS)
        if len(last) == DROP_MONTHS and last.notna().all() and bool((last < DROP_ROI).all()):
            candidates.append(channel)
    return candidates


def suggested_action(roi: float, is_drop_candidate: bool) -> str:
    """The ROI table's action key: drop a channel losing money for 3 months, review one losing money now."""
    if is_drop_candidate:
        return "budget.action.drop"
    return "budget.action.keep_or_grow" if roi >= DROP_ROI else "budget.action.review"


# --- response curves ---------------------------------------------------------------------------

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


# --- the allocation ----------------------------------------------------------------------------

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
        raise BudgetError("budget.bad_limits", total=f"{total:,.0f}", low=f"{lo.sum():,.0f}", high=f"{hi.sum():,.0f}")
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
    grids = [np.linspace(l, h, 801) for l, h in zip(lo, hi)]
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
    floor = min_share * max(sum(state.values()), sum(proposed.values()), _TINY)

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
    try:
        allocation = optimise(curves, total, bounds, test_channels, test_cap)
    except ValueError:
        return None
    return Plan(float(total), allocation, predicted_revenue(curves, allocation))


def _floor_total(bounds) -> float:
    return float(sum((b[0] or 0.0) for b in (bounds or {}).values() if b))


def _ceiling_total(curves, bounds) -> float:
    return max(sum(c.max_spend for c in curves.values()) * 100.0, _floor_total(bounds), 1.0)


def min_total_for_revenue(curves: dict[str, Curve], target: float, bounds=None, test_channels=(),
                          test_cap: float = TEST_CAP, rel_tol: float = 1e-4) -> Plan | None:
    """The smallest budget whose best split is predicted to reach `target` revenue; None if no budget does."""
    low = _floor_total(bounds)
    start = _plan(curves, low, bounds, test_channels, test_cap)
    if start is not None and start.revenue >= target:
        return start
    high, ceiling = max(sum(c.max_spend for c in curves.values()), low * 2, 1.0), _ceiling_total(curves, bounds)
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
    floor, ceiling = max(_floor_total(bounds), 1e-6), _ceiling_total(curves, bounds)
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


# --- a starting split without history ----------------------------------------------------------

ROLE_SHARES = {"search": 0.40, "feed": 0.30, "social": 0.20, "testing": 0.10}
OTHER = "other"  # outside the playbook's split: such a channel keeps its current share
ROLES = (*ROLE_SHARES, OTHER)
ROLES_KEY = "budget.roles"
ROLE_WORDS = (  # checked in this order: a "search test" channel is a test
    ("testing", ("test", "测试")),
    ("search", ("search", "sem", "搜索")),
    ("feed", ("feed", "信息流", "ads")),
    ("social", ("social", "社交", "douyin", "tiktok", "wechat", "抖音", "微信")),
)


def role_for(channel: str) -> str:
    """A first guess from the channel's name; the owner corrects it in the page."""
    name = channel.lower()
    for role, words in ROLE_WORDS:
        if any(word in name for word in words):
            return role
    return OTHER


def load_roles(workspace: Workspace, channels) -> dict[str, str]:
    """Each channel's saved role, or the guess from its name; a saved role we no longer know is ignored."""
    saved = settings.get(workspace, ROLES_KEY) or {}
    return {c: saved[c] if saved.get(c) in ROLES else role_for(c) for c in channels}


def save_roles(workspace: Workspace, roles: dict[str, str]) -> None:
    unknown = sorted({role for role in roles.values() if role not in ROLES})
    if unknown:
        raise ValueError(f"unknown channel roles: {unknown}")
    settings.put(workspace, ROLES_KEY, dict(roles))


def capped_channels(roles: dict[str, str]) -> list[str]:
    """The channels whose budget the test cap limits."""
    return [channel for channel, role in roles.items() if role == "testing"]


def default_split(roles: dict[str, str], current: dict[str, float] | None = None) -> dict[str, float]:
    """The playbook's split by role (search 40%, feed 30%, social 20%, testing 10%), shared evenly within a role.

    'Other' channels keep their share of the current spend and the roles share the rest; a role nobody
    fills gives its weight to the filled ones in proportion. Shares sum to 1."""
    if not roles:
        return {}
    current = current or {}
    spent = sum(max(0.0, current.get(c, 0.0)) for c in roles)
    others = [c for c, role in roles.items() if role == OTHER]
    members = {role: [c for c, r in roles.items() if r == role] for role in ROLE_SHARES}
    filled = {role: share for role, share in ROLE_SHARES.items() if members[role]}
    if not filled:  # nothing to split by role: keep today's shares, or share evenly
        return {c: max(0.0, current.get(c, 0.0)) / spent if spent else 1 / len(roles) for c in roles}
    split = {c: max(0.0, current.get(c, 0.0)) / spent if spent else 0.0 for c in others}
    rest = 1 - sum(split.values())
    for role, share in filled.items():
        for name in members[role]:
            split[name] = rest * share / sum(filled.values()) / len(members[role])
    return {c: split[c] for c in roles}


def channel_curves(months: pd.DataFrame) -> dict[str, Curve]:
    """A response curve per channel from its monthly spend and attributed revenue."""
    return {channel: fit_curve(group["spend"].to_numpy(float), group["attributed_revenue"].to_numpy(float))
            for channel, group in months.groupby("channel")}


def last_month_spend(months: pd.DataFrame) -> dict[str, float]:
    """Each channel's spend in its latest month: the 'current' split the what-if compares with."""
    latest = months.sort_values("month").groupby("channel").tail(1)
    return dict(zip(latest["channel"], latest["spend"].astype(float)))


def _last_3_months(months: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each channel's totals over its last 3 months (NaN where a column was never filled)."""
    recent = months.sort_values("month").groupby("channel").tail(DROP_MONTHS)
    return recent.groupby("channel")[columns].sum(min_count=1)


def roi_last_3(months: pd.DataFrame) -> dict[str, float]:
    sums = _last_3_months(months, ["attributed_revenue", "spend"])
    return (sums["attributed_revenue"] / sums["spend"]).to_dict()


def revenue_per_order(months: pd.DataFrame) -> dict[str, float]:
    """Attributed revenue per attributed order over each channel's last 3 months (NaN without orders):
    turns predicted revenue into predicted orders."""
    sums = _last_3_months(months, ["attributed_revenue", "orders"])
    return (sums["attributed_revenue"] / sums["orders"].where(sums["orders"] > 0)).to_dict()


def growth_stars(share: float, growth: float | None, roi: float | None) -> int:
    """1-5 stars for where the next money should go: ROI counts most, then growth, then weight in GMV."""
    points = 1
    if roi is not None and roi == roi:
        points += 2 if roi >= 3 else 1 if roi >= 1.5 else 0
    if growth is not None and growth == growth:
        points += 1 if growth > 0.05 else 0
    points += 1 if share >= 0.05 else 0
    return min(5, points)


def tiers_at_period_starts(workspace: Workspace, until, days: int) -> pd.DataFrame:
    """Each buyer's tier on the first day of the recent period and of the one before (saved tier rules)."""
    starts = {"recent": until - timedelta(days=days), "before": until - timedelta(days=2 * days)}
    return pd.concat([rfm.customers(workspace, as_of=start)[["customer_id", "tier"]].assign(period=period)
                      for period, start in starts.items()], ignore_index=True)


def analysis_matrix(workspace: Workspace, days: int = 90, by_tier: bool = False) -> pd.DataFrame:
    """Category x channel (x customer tier) over the last `days` days: share of GMV, growth against the
    `days` before, channel ROI over its last 3 months, stars and an action key."""
    until = rfm.default_as_of(workspace)
    if until is None:
        return pd.DataFrame()
    tiers = tiers_at_period_starts(workspace, until, days) if by_tier else pd.DataFrame(
        {column: pd.Series(dtype="string") for column in ("customer_id", "tier", "period")})
    matrix = queries.frame(workspace, "category_channel_matrix", relations={"customer_tiers": tiers},
                           until=until, days=days, by_tier=by_tier)
    if matrix.empty:
        return matrix
    if not by_tier:
        matrix = matrix.drop(columns="customer_tier")
    months = channel_months(workspace)
    roi = roi_last_3(months) if not months.empty else {}
    matrix["roi"] = matrix["channel"].map(roi)
    matrix["stars"] = [growth_stars(s, g, r) for s, g, r in zip(matrix["share_of_gmv"], matrix["growth"], matrix["roi"])]
    matrix["action"] = ["budget.action." + ("invest" if s >= 4 else "keep" if s == 3 else "review" if s == 2 else "cut")
                        for s in matrix["stars"]]
    return matrix
