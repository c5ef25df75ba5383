"""Guardrails: the optimiser stays where its curves can be trusted.

A curve knows only the spend it has seen, and a curve that explains little knows little at all. So by
default each channel is kept between half its lowest and one and a half times its highest monthly spend
(scaled by the plan's months), and a channel whose curve explains less than POOR_FIT_R2 of its revenue is
held at its current spend. The owner may free either; the owner's own minimum and maximum apply on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.budget.allocation import BudgetError
from core.budget.response_curves import POOR_FIT_R2, Curve

HISTORY_LOW_FACTOR = 0.5
HISTORY_HIGH_FACTOR = 1.5
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Guardrails:
    """How far the optimiser may go: within the history range (unless `keep_in_history` is off) and with
    the `held` channels at their current spend (None: the channels whose curve is a poor fit)."""

    keep_in_history: bool = True
    low_factor: float = HISTORY_LOW_FACTOR
    high_factor: float = HISTORY_HIGH_FACTOR
    held: tuple[str, ...] | None = None


DEFAULT = Guardrails()  # within the history range, poor fits held
FREE = Guardrails(keep_in_history=False, held=())  # the optimiser as it was: only the owner's limits


def poor_fits(curves: dict[str, Curve]) -> tuple[str, ...]:
    """Channels whose curve explains less than POOR_FIT_R2 of their revenue: held by default."""
    return tuple(channel for channel, curve in curves.items() if curve.r2 < POOR_FIT_R2)


def held_channels(curves: dict[str, Curve], rails: Guardrails) -> tuple[str, ...]:
    return poor_fits(curves) if rails.held is None else tuple(c for c in rails.held if c in curves)


def channel_limits(curves: dict[str, Curve], current: dict[str, float],
                   bounds: dict[str, tuple[float | None, float | None]] | None, rails: Guardrails,
                   caps: dict[str, float] | None = None) -> pd.DataFrame:
    """Per channel: the history range, whether it is held, and the (low, high) the optimiser may use, which
    is the owner's limits intersected with the history range (or with the current spend, for a held channel).
    A test channel's cap (`caps`) wins over the guardrails' floor, never over the owner's minimum.
    Raises BudgetError, naming the channel, when that intersection is empty."""
    bounds, held, caps = bounds or {}, set(held_channels(curves, rails)), caps or {}
    rows = []
    for channel, curve in curves.items():
        own_low, own_high = bounds.get(channel) or (None, None)
        history_low, history_high = curve.min_spend * rails.low_factor, curve.max_spend * rails.high_factor
        low, high = own_low or 0.0, own_high
        if channel in held:
            spend = float(current.get(channel, 0.0))
            if low > spend + _TOLERANCE * max(spend, 1.0) or (high is not None and high < spend - _TOLERANCE * max(spend, 1.0)):
                raise BudgetError("budget.held_outside_limits", channel=channel, spend=f"{spend:,.0f}",
                                  low=f"{low:,.0f}", high="∞" if high is None else f"{high:,.0f}")
            low = high = spend
        elif rails.keep_in_history:
            low, high = max(low, history_low), history_high if high is None else min(high, history_high)
            if low > high + _TOLERANCE * max(high, 1.0):
                raise BudgetError("budget.limits_outside_history", channel=channel, low=f"{own_low or 0:,.0f}",
                                  high="∞" if own_high is None else f"{own_high:,.0f}",
                                  history_low=f"{history_low:,.0f}", history_high=f"{history_high:,.0f}")
        if channel in caps and low > caps[channel]:
            low = max(own_low or 0.0, caps[channel])
        rows.append({"channel": channel, "history_low": history_low, "history_high": history_high,
                     "held": channel in held, "low": low, "high": high, "own_low": own_low or 0.0})
    return pd.DataFrame(rows, columns=["channel", "history_low", "history_high", "held", "low", "high", "own_low"])


def check_total(table: pd.DataFrame, total: float, rails: Guardrails) -> None:
    """The guarded channels must be able to take the whole total: say so before the optimiser does, and why."""
    tolerance = _TOLERANCE * max(total, 1.0)
    if table.empty or not (rails.keep_in_history or table["held"].any()) or table["own_low"].sum() > total + tolerance:
        return  # not the guardrails' doing: the optimiser's own check speaks of the owner's limits
    least = float(table["low"].sum())
    most = float("inf") if table["high"].isna().any() else float(table["high"].sum())
    if least > total + tolerance or most < total - tolerance:
        raise BudgetError("budget.guarded_total", total=f"{total:,.0f}", low=f"{least:,.0f}",
                          high="∞" if most == float("inf") else f"{most:,.0f}")


def as_bounds(limits: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """The optimiser's (minimum, maximum) per channel from channel_limits; no maximum stays None."""
    return {row.channel: (float(row.low), None if pd.isna(row.high) else float(row.high)) for row in limits.itertuples()}
