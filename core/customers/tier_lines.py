"""Which tier lines are in force and why: scaled to the shop (the default), the playbook's, or the owner's.

The playbook's money lines (VIP from 2,000 spent, Potential from 500) are amounts in its currency (CNY) for
its shop. Compared as plain numbers with a USD shop whose orders average 37, they leave VIP nearly empty.
So by default the tier rule (docs/decisions/0002) keeps the playbook's recency and frequency lines and sets
the two money lines from the shop's own spend:

- VIP from the spend the top 8% of customers reach (the playbook's VIP share): the 92nd percentile;
- Potential from the spend the top 30% reach (VIP 8% + Potential 22%): the 70th percentile.

Percentiles interpolate linearly between the two nearest customers (numpy's and pandas' default, DuckDB's
quantile_cont) over every customer with a counted order in the whole history, so one shop has one set of
lines: tiers on an earlier date and movement between dates use the same lines. Below 25 customers the top
8% would be fewer than two customers; the playbook's lines stay in force then, and the page says why.

Amounts quoted in the texts (the Potential coupon, the VIP goal) follow the line of their tier: the
playbook's amount times line in force / playbook line, rounded to a friendly number (`friendly`).

Saved under rfm.SETTINGS_KEY beside the owner's values: {"lines": "scaled" | "playbook" | "custom", ...}.
Values saved without "lines" (before this choice existed, or by rfm.save_thresholds) are the owner's: custom.
See docs/decisions/0006-tier-money-scaled-to-the-shop.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from core.customers import rfm
from core.customers import touch_plan as playbook
from core.data.service import ORDER_SETTINGS
from core.platform import queries, settings
from core.platform.money import money
from core.platform.remembered import remembered
from core.platform.workspace import Workspace

CHOICES = ("scaled", "playbook", "custom")
DEFAULT_CHOICE = "scaled"
CHOICE_FIELD = "lines"
PLAYBOOK = rfm.Thresholds()
PLAYBOOK_CURRENCY = "CNY"
VIP_TOP_SHARE = rfm.REFERENCE_SHARES["VIP"]  # 8%
POTENTIAL_TOP_SHARE = rfm.REFERENCE_SHARES["VIP"] + rfm.REFERENCE_SHARES["Potential"]  # 30%
MIN_CUSTOMERS_TO_SCALE = 25  # so the top 8% holds at least two customers
FRIENDLY_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10)  # times a power of ten


@dataclass(frozen=True)
class Spend:
    """How the shop's customers spread by spend (all history)."""

    customers: int
    vip_cutoff: float | None  # the spend the top 8% reach
    potential_cutoff: float | None  # the spend the top 30% reach
    vip_reach: float | None  # share of customers at or above the VIP line measured
    potential_reach: float | None


@dataclass(frozen=True)
class TierLines:
    choice: str  # what the owner chose (or the page previews)
    in_force: str  # what applies: "scaled", "playbook" or "custom"; scaled falls back to the playbook's
    thresholds: rfm.Thresholds
    spend: Spend  # reach measured at the lines in force (at the playbook's when scaled: the contrast)
    has_custom: bool  # the owner has saved values of their own


def _saved(workspace: Workspace) -> dict:
    return settings.get(workspace, rfm.SETTINGS_KEY) or {}


def _has_values(saved: dict) -> bool:
    return any(f.name in saved for f in fields(rfm.Thresholds))


def saved_choice(workspace: Workspace) -> tuple[str, bool]:
    """(the lines chosen, whether the owner saved values of their own); scaled when nothing is saved."""
    saved = _saved(workspace)
    choice = saved.get(CHOICE_FIELD) or ("custom" if _has_values(saved) else DEFAULT_CHOICE)
    return (choice if choice in CHOICES else DEFAULT_CHOICE), _has_values(saved)


def choose(workspace: Workspace, choice: str) -> None:
    """Put a set of lines in force; the owner's values stay saved for when they switch back."""
    if choice not in CHOICES:
        raise rfm.RfmError("rfm.bad_lines", value=choice)
    settings.put(workspace, rfm.SETTINGS_KEY, {**_saved(workspace), CHOICE_FIELD: choice})


@remembered(*ORDER_SETTINGS, size=8)
def spend(workspace: Workspace, vip_line: float, potential_line: float) -> Spend:
    """The spend the top 8% and 30% of customers reach, and the shares at or above the two lines given (kept: the
    tiers, their movement and every page that splits by tier ask for it)."""
    row = queries.frame(workspace, "customers/customer_spend", vip_quantile=1 - VIP_TOP_SHARE,
                        potential_quantile=1 - POTENTIAL_TOP_SHARE, vip_line=vip_line, potential_line=potential_line).iloc[0]
    return Spend(customers=int(row["customers"]), vip_cutoff=_number(row["vip_cutoff"]),
                 potential_cutoff=_number(row["potential_cutoff"]), vip_reach=_number(row["vip_reach"]),
                 potential_reach=_number(row["potential_reach"]))


def _number(value) -> float | None:
    """NULL (no customers) and NaN alike become None."""
    return None if value is None or value != value else float(value)


def can_scale(measured: Spend) -> bool:
    return measured.customers >= MIN_CUSTOMERS_TO_SCALE and (measured.potential_cutoff or 0) > 0


def in_force(workspace: Workspace, choice: str | None = None) -> TierLines:
    """The lines `choice` puts in force (None: the saved choice)."""
    saved, has_custom = saved_choice(workspace)
    choice = saved if choice is None else choice
    if choice not in CHOICES:
        raise rfm.RfmError("rfm.bad_lines", value=choice)
    lines = rfm.load_thresholds(workspace) if choice == "custom" else rfm.Thresholds()  # a copy: Thresholds is mutable
    measured = spend(workspace, lines.vip_min_monetary, lines.potential_min_monetary)
    if choice == "scaled" and can_scale(measured):
        scaled = replace(lines, vip_min_monetary=measured.vip_cutoff, potential_min_monetary=measured.potential_cutoff)
        return TierLines(choice, "scaled", scaled, measured, has_custom)
    return TierLines(choice, "playbook" if choice == "scaled" else choice, lines, measured, has_custom)


def friendly(amount: float) -> float:
    """A round amount near `amount` to quote in an offer: whole numbers below 10 (at least 1), above that the
    nearest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 times a power of ten (within about 15%)."""
    if amount < 9.5:
        return float(max(1, round(amount)))
    power = 10 ** math.floor(math.log10(amount))
    return float(min(FRIENDLY_STEPS, key=lambda step: abs(step * power - amount)) * power)


def _ratio(line: float, playbook_line: float) -> float:
    return line / playbook_line if line > 0 else 1.0


def money_texts(thresholds: rfm.Thresholds, currency: str | None) -> dict[str, dict]:
    """Catalog key -> parameters for the texts that quote money, scaled with the line of their tier."""
    vip = _ratio(thresholds.vip_min_monetary, PLAYBOOK.vip_min_monetary)
    potential = _ratio(thresholds.potential_min_monetary, PLAYBOOK.potential_min_monetary)
    cap = playbook.VIP_DISCOUNT_SHARE_CAP
    return {
        "plan.potential.content": {"spend": money(friendly(playbook.COUPON_SPEND * potential), currency),
                                   "save": money(friendly(playbook.COUPON_SAVE * potential), currency)},
        "rfm.goal.vip": {"amount": money(friendly(rfm.VIP_GOAL_AMOUNT * vip), currency)},
        "tiers.plan_vip_cap": {"cap": f"{cap:.0%}", "line": money(thresholds.vip_min_monetary, currency),
                               "amount": money(cap * thresholds.vip_min_monetary, currency)},
    }


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def explain(lines: TierLines, currency: str | None) -> tuple[str, dict]:
    """(catalog key, parameters) saying which lines are in force and why."""
    t, measured = lines.thresholds, lines.spend
    params = {"vip": money(t.vip_min_monetary, currency), "potential": money(t.potential_min_monetary, currency),
              "vip_top": f"{VIP_TOP_SHARE:.0%}", "potential_top": f"{POTENTIAL_TOP_SHARE:.0%}",
              "vip_reach": _share(measured.vip_reach), "potential_reach": _share(measured.potential_reach),
              "playbook_vip": f"{PLAYBOOK.vip_min_monetary:,.0f}", "playbook_currency": PLAYBOOK_CURRENCY,
              "customers": f"{measured.customers:,}", "needed": MIN_CUSTOMERS_TO_SCALE}
    if lines.in_force == "playbook" and lines.choice == "scaled":
        key = "tiers.lines.too_few" if measured.customers < MIN_CUSTOMERS_TO_SCALE else "tiers.lines.no_spend"
        return key, params
    return f"tiers.lines.{lines.in_force}", params
