"""Everything the Budget page shows, each part a frozen result the page only lays out.

The overview (returns per month, curves, saved roles) is cached on the data and the saved roles; the
what-if, the optimiser and the targets answer the page's widgets at once from the overview's curves, and
take the roles as the owner has them on screen, saved or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.budget import allocation, analysis_matrix, channel_returns, guardrails, matrix_export, response_curves, steps
from core.budget import roles as channel_roles
from core.budget.allocation import Move, Plan
from core.budget.guardrails import Guardrails
from core.budget.response_curves import Curve
from core.customers import service as customers
from core.data import service as data
from core.platform.i18n import Message
from core.platform.services import reads_settings, settings_keys
from core.platform.workspace import Workspace

# The rules, once each; the page quotes them in its texts.
DROP_ROI, DROP_MONTHS = channel_returns.DROP_ROI, channel_returns.DROP_MONTHS
TEST_CAP = allocation.TEST_CAP
MIN_POINTS = response_curves.MIN_POINTS
POOR_FIT_R2 = response_curves.POOR_FIT_R2
HISTORY_LOW_FACTOR, HISTORY_HIGH_FACTOR = guardrails.HISTORY_LOW_FACTOR, guardrails.HISTORY_HIGH_FACTOR
DEFAULT_RAILS = guardrails.DEFAULT  # within the history range, poor fits held
FREE = guardrails.FREE  # no history range and nothing held: only the owner's limits
ROLES, ROLE_SHARES = channel_roles.ROLES, channel_roles.ROLE_SHARES
MATRIX_DAYS = analysis_matrix.DAYS
HORIZONS = (1, 3)  # months a plan covers: the next month or the next quarter
TARGET_UPLIFT = 1.1  # the revenue target starts 10% above what the best split predicts
DEFAULT_ROI_TARGET = 3.0
NEW_TIER = "New"  # a buyer with no orders before the period (named so by the matrix query)


@dataclass(frozen=True)
class BudgetOverview:
    """The channels' past: monthly returns, the drop rule's verdict, a fitted curve each, and their roles."""

    months: pd.DataFrame  # channel_returns.channel_months: one row per channel and month
    roi_by_month: pd.DataFrame  # channel (rows) x month "YYYY-MM" (columns): ROI
    losing_money: pd.DataFrame  # the same shape: ROI below DROP_ROI
    latest: pd.DataFrame  # each channel's latest month, with `action` (a catalog key)
    latest_month: str  # "YYYY-MM"
    has_shop_figures: bool  # the shop's own visitors or orders are known for some channel
    drop_candidates: tuple[str, ...]
    roi_last_3: dict[str, float]
    curves: dict[str, Curve]
    curve_points: dict[str, pd.DataFrame]  # each channel's monthly (spend, revenue) points
    current: dict[str, float]  # last month's spend per channel
    revenue_per_order: dict[str, float]  # NaN where the spend sheet reports no orders
    saved_roles: dict[str, str]  # the saved role of each channel, or the guess from its name
    currency: str | None = None  # the shop's currency, for every amount the page shows

    @property
    def channels(self) -> list[str]:
        return list(self.curves)


@dataclass(frozen=True)
class Period:
    """The curves and today's split stretched over the months a plan covers."""

    months_ahead: int
    curves: dict[str, Curve]
    current: dict[str, float]  # last month's split, spent every month of the period
    current_total: float
    revenue_per_order: dict[str, float]

    @property
    def channels(self) -> list[str]:
        return list(self.curves)


@dataclass(frozen=True)
class Playbook:
    """The playbook's split by role, as shares and as amounts of a total."""

    shares: dict[str, float]
    amounts: dict[str, float]


@dataclass(frozen=True)
class WhatIf:
    """A proposed split against today's: per channel and in total."""

    proposed: dict[str, float]  # as compared: scaled to the total when it is held
    is_scaled: bool
    table: pd.DataFrame  # allocation.compare, plus the spend range each curve has seen (history_low, history_high)
    revenue_now: float
    revenue_new: float
    revenue_change: float
    roi_now: float
    roi_new: float
    roi_change: float
    orders_now: float | None  # None when no channel's revenue per order is known
    orders_new: float | None
    orders_change: float | None
    orders_partial: bool  # some channel's orders cannot be predicted
    base: float  # running costs, kept apart from the campaign
    campaign: float
    period_total: float


@dataclass(frozen=True)
class Caution:
    """Why a prediction next to a move is rough: `kind` is "outside_history" (the curve extrapolates),
    "poor_fit" (the curve explains little) or "stopped_early" (its fit ran out of work before it settled);
    `message` says it in the owner's words."""

    channel: str
    kind: str
    message: Message


@dataclass(frozen=True)
class Suggestion:
    """A move of the proposal, the cautions on both its channels, and what the receiving channel is then
    predicted to bring in, with the curve's band."""

    move: Move
    cautions: tuple[Caution, ...]
    target_revenue: float
    target_low: float
    target_high: float


@dataclass(frozen=True)
class Optimised:
    """The best split of a total within the guardrails, against today's shares of the same total."""

    total: float
    allocation: dict[str, float]
    # channel, current_spend, proposed_spend, revenue_new, revenue_low, revenue_high, marginal_roi, history_low,
    # history_high (the range the guardrails allow), held, seen_low, seen_high (the spend the curve has seen),
    # is_outside_history (beyond it: the curve extrapolates), is_poor_fit, r2, stopped_early (its fit ran out of work)
    table: pd.DataFrame
    revenue: float
    revenue_today: float  # today's shares of the same total
    revenue_gain: float
    suggestions: tuple[Suggestion, ...]
    revenue_target: float  # where the revenue target starts
    rails: Guardrails

    @property
    def moves(self) -> tuple[Move, ...]:
        return tuple(s.move for s in self.suggestions)


@reads_settings(channel_roles.ROLES_KEY)
def overview(workspace: Workspace) -> BudgetOverview:
    """The channels' returns, curves and roles; refuses a workspace without a spend sheet."""
    months = channel_returns.channel_months(workspace)
    if months.empty:
        raise Message("error.no_spend")
    roi = months.pivot(index="channel", columns="month", values="roi")
    roi.columns = [str(month)[:7] for month in roi.columns]
    drops = channel_returns.drop_candidates(months)
    latest = months.sort_values("month").groupby("channel").tail(1).reset_index(drop=True)
    latest["action"] = [channel_returns.suggested_action(r, c in drops) for c, r in zip(latest["channel"], latest["roi"])]
    curves = channel_returns.channel_curves(months)
    return BudgetOverview(
        months=months, roi_by_month=roi, losing_money=roi.lt(DROP_ROI), latest=latest,
        latest_month=str(latest["month"].max())[:7],
        has_shop_figures=bool(latest["site_uv"].notna().any() or latest["shop_orders"].notna().any()),
        drop_candidates=tuple(drops), roi_last_3=channel_returns.roi_last_3(months), curves=curves,
        curve_points={channel: rows.reset_index(drop=True) for channel, rows in months.groupby("channel")},
        current=channel_returns.last_month_spend(months), revenue_per_order=channel_returns.revenue_per_order(months),
        saved_roles=channel_roles.load_roles(workspace, list(curves)), currency=data.shop_currency(workspace),
    )


def save_roles(workspace: Workspace, roles: dict[str, str]) -> None:
    """Keep the owner's roles for this workspace (setting "budget.roles"); refuses unknown roles and the demo."""
    channel_roles.save_roles(workspace, roles)


def plan_period(overview: BudgetOverview, months_ahead: int) -> Period:
    """The overview's curves and last month's split over a plan of `months_ahead` months."""
    curves, current = channel_returns.over_period(overview.curves, overview.current, months_ahead)
    return Period(months_ahead, curves, current, float(sum(current.values())), overview.revenue_per_order)


def playbook(period: Period, roles: dict[str, str], total: float) -> Playbook:
    """The playbook's split for these roles, and what it gives each channel of `total`."""
    shares = channel_roles.default_split(roles, period.current)
    return Playbook(shares, {channel: share * total for channel, share in shares.items()})


def what_if(period: Period, roles: dict[str, str], proposed: dict[str, float], total: float, hold: bool = True,
            base: float = 0.0) -> WhatIf:
    """What the proposed split is predicted to bring against today's. Holding the total scales the
    proposal to `total`, so moving one slider takes from the others."""
    campaign = float(sum(proposed.values()))
    is_scaled = bool(hold and campaign > 0)
    if is_scaled:
        proposed = {channel: value * total / campaign for channel, value in proposed.items()}
        campaign = float(sum(proposed.values()))
    table = allocation.compare(period.curves, period.current, proposed, period.revenue_per_order,
                               test_channels=channel_roles.capped_channels(roles))
    table["history_low"] = [period.curves[c].min_spend for c in table["channel"]]
    table["history_high"] = [period.curves[c].max_spend for c in table["channel"]]
    revenue_now, revenue_new = float(table["revenue_now"].sum()), float(table["revenue_new"].sum())
    roi_now, roi_new = revenue_now / max(period.current_total, 1), revenue_new / max(campaign, 1)
    has_orders = bool(table["orders_new"].notna().any())  # a sum over the channels whose revenue per order is known
    orders_now = float(table["orders_now"].sum()) if has_orders else None
    orders_new = float(table["orders_new"].sum()) if has_orders else None
    return WhatIf(
        proposed=proposed, is_scaled=is_scaled, table=table,
        revenue_now=revenue_now, revenue_new=revenue_new, revenue_change=revenue_new - revenue_now,
        roi_now=roi_now, roi_new=roi_new, roi_change=roi_new - roi_now,
        orders_now=orders_now, orders_new=orders_new,
        orders_change=None if orders_new is None else orders_new - orders_now,
        orders_partial=bool(table["orders_new"].isna().any()),
        base=float(base), campaign=campaign, period_total=float(base) + campaign,
    )


def blank_limits(channels: list[str]) -> pd.DataFrame:
    """The limits table the owner fills in: no minimum and no maximum for any channel."""
    empty = [float("nan")] * len(channels)
    return pd.DataFrame({"channel": channels, "minimum": empty, "maximum": empty})


def limits_from(table: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """The filled-in limits table as the optimiser's (minimum, maximum) per channel; an empty cell is no limit."""
    def value(cell):
        return None if pd.isna(cell) else float(cell)
    return {row.channel: (value(row.minimum), value(row.maximum)) for row in table.itertuples()}


def poor_fits(period: Period) -> tuple[str, ...]:
    """The channels held at their current spend by default: their curve explains less than POOR_FIT_R2."""
    return guardrails.poor_fits(period.curves)


def _guarded(period: Period, bounds, rails: Guardrails) -> dict[str, tuple[float | None, float | None]] | None:
    """The owner's limits intersected with the guardrails, for the targets (None where they leave no room:
    the optimiser above says why)."""
    try:
        return guardrails.as_bounds(guardrails.channel_limits(period.curves, period.current, bounds, rails))
    except allocation.BudgetError:
        return None


def _cautions(channel: str, spend: float, curve: Curve) -> list[Caution]:
    found = []
    if curve.outside_range(spend):
        found.append(Caution(channel, "outside_history", Message(
            "budget.caution.outside_history", channel=channel, spend=f"{spend:,.0f}", low=f"{curve.min_spend:,.0f}",
            high=f"{curve.max_spend:,.0f}")))
    if curve.is_poor_fit:
        found.append(Caution(channel, "poor_fit", Message("budget.caution.poor_fit", channel=channel, r2=f"{round(curve.r2, 2) + 0.0:.2f}")))
    if curve.stopped_early:
        found.append(Caution(channel, "stopped_early", Message("budget.caution.stopped_early", channel=channel)))
    return found


def optimise(period: Period, roles: dict[str, str], total: float,
             bounds: dict[str, tuple[float | None, float | None]] | None = None,
             rails: Guardrails = guardrails.DEFAULT) -> Optimised:
    """The split of `total` with the most predicted revenue within the guardrails, the owner's limits and the
    test cap, and the moves from today's shares of it, each with its cautions. Raises BudgetError for limits
    no split can meet."""
    curves = period.curves
    tests = channel_roles.capped_channels(roles)
    limits = guardrails.channel_limits(curves, period.current, bounds, rails, caps={c: TEST_CAP * total for c in tests})
    guardrails.check_total(limits, total, rails)
    best = allocation.optimise(curves, total, guardrails.as_bounds(limits), test_channels=tests)
    today = allocation.todays_split_at(period.current, total, curves)
    revenue, revenue_today = allocation.predicted_revenue(curves, best), allocation.predicted_revenue(curves, today)
    bands = {c: curves[c].band(v) for c, v in best.items()}
    table = pd.DataFrame({
        "channel": list(best), "current_spend": [float(period.current.get(c, 0.0)) for c in best],
        "proposed_spend": list(best.values()),
        "revenue_new": [float(curves[c].predict(v)) for c, v in best.items()],
        "revenue_low": [bands[c][0] for c in best], "revenue_high": [bands[c][1] for c in best],
        "marginal_roi": [float(curves[c].marginal(v)) for c, v in best.items()],
    })
    table = table.merge(limits[["channel", "history_low", "history_high", "held"]], on="channel", how="left")
    if not rails.keep_in_history:  # no range was kept: the one the guardrails would have stated
        table["history_low"] = [curves[c].min_spend * rails.low_factor for c in best]
        table["history_high"] = [curves[c].max_spend * rails.high_factor for c in best]
    table["seen_low"], table["seen_high"] = [curves[c].min_spend for c in best], [curves[c].max_spend for c in best]
    table["is_outside_history"] = [curves[c].outside_range(v) for c, v in best.items()]
    table["is_poor_fit"] = [curves[c].is_poor_fit for c in best]
    table["r2"] = [curves[c].r2 for c in best]
    table["stopped_early"] = [curves[c].stopped_early for c in best]
    moves = allocation.suggestions(today, best, curves)
    suggestions = tuple(
        Suggestion(move, tuple(_cautions(move.from_channel, best[move.from_channel], curves[move.from_channel])
                               + _cautions(move.to_channel, best[move.to_channel], curves[move.to_channel])),
                   float(curves[move.to_channel].predict(best[move.to_channel])),
                   float(bands[move.to_channel][0]), float(bands[move.to_channel][1]))
        for move in moves)
    return Optimised(total=float(total), allocation=best, table=table, revenue=revenue, revenue_today=revenue_today,
                     revenue_gain=revenue - revenue_today, suggestions=suggestions,
                     revenue_target=float(round(revenue * TARGET_UPLIFT)), rails=rails)


def budget_for_revenue(period: Period, roles: dict[str, str], target: float,
                       bounds: dict[str, tuple[float | None, float | None]] | None = None,
                       rails: Guardrails = guardrails.DEFAULT) -> Plan | None:
    """The smallest budget whose best split reaches `target` revenue; None when no budget within the limits
    and the guardrails does."""
    guarded = _guarded(period, bounds, rails)
    if guarded is None:
        return None
    return allocation.min_total_for_revenue(period.curves, target, guarded, test_channels=channel_roles.capped_channels(roles))


def budget_for_roi(period: Period, roles: dict[str, str], roi: float,
                   bounds: dict[str, tuple[float | None, float | None]] | None = None,
                   rails: Guardrails = guardrails.DEFAULT) -> Plan | None:
    """The largest budget whose best split still returns `roi`; None when no budget within the limits and
    the guardrails does."""
    guarded = _guarded(period, bounds, rails)
    if guarded is None:
        return None
    return allocation.split_for_roi(period.curves, roi, guarded, test_channels=channel_roles.capped_channels(roles))


@reads_settings(*settings_keys(customers.tiers_at))
def matrix(workspace: Workspace, days: int = MATRIX_DAYS, by_tier: bool = False) -> pd.DataFrame:
    """Category x channel (x customer tier) over the last `days` days, with stars and an action key; by tier,
    `tier_key` names each tier's catalog key. Empty without orders naming categories and channels.
    Reads the customers' tier lines (only the split by tier depends on them)."""
    table = analysis_matrix.analysis_matrix(workspace, days=days, by_tier=by_tier)
    if by_tier and not table.empty:
        table["tier_key"] = ["budget.tier_new" if tier == NEW_TIER else f"rfm.tier.{tier.lower()}"
                             for tier in table["customer_tier"]]
    return table



def matrix_file(matrix: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The matrix to download or write from the CLI: translated headers and actions, rounded numbers."""
    return matrix_export.matrix_table(matrix, lang)


def amount_step(span: float) -> float:
    """A round step (100, 500, 1,000...) for an amount input or slider covering `span`."""
    return steps.nice_step(span)
