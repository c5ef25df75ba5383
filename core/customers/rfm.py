"""Customer tiers: who buys recently, often and for a lot (RFM), and which of the four tiers they are in.

Recency, frequency and monetary value come from `sql/queries/customers/customer_rfm.sql`, aggregated in DuckDB:
orders before the `as_of` day only, cancelled orders left out, revenue net of refunds. Recency is whole
days from the last order's date to `as_of`, so an order the day before counts as 1.

Tiers. The playbook's table (VIP: R <= 30 days, F >= 4, M >= 2,000; Potential: R 31-90, F 2-3,
M 500-1,999; Normal: R 91-180, F 1, M 100-499; Churned: R > 180) leaves gaps: a customer who bought once
for 5,000 yesterday fits no row. So the rule is applied in this order and the first match wins, which
puts every customer in exactly one tier:

1. Churned   if R > 180 (`churned_after_days`);
2. VIP       if R <= 30 and F >= 4 and M >= 2,000;
3. Potential if R <= 90 and (F >= 2 or M >= 500);
4. Normal    otherwise (bought within 180 days but not enough, or not recently enough, for the above).

The numbers are `Thresholds`. Which ones are in force (the money lines scaled to the shop by default, the
playbook's above, or the owner's saved under "tiers.thresholds") is `tier_lines`' question.
`tier_rules(thresholds)` gives the same rule as catalog keys with parameters, for the page.

Segments. Each customer also gets a named segment from the quintile scores: r_score against
fm = floor((f_score + m_score) / 2), looked up in `SEGMENT_GRID` (every one of the 25 cells is named):

    fm:   1               2                   3                   4          5
    r=5   new_customers   potential_loyalist  potential_loyalist  champions  champions
    r=4   promising       potential_loyalist  potential_loyalist  loyal      loyal
    r=3   about_to_sleep  about_to_sleep      need_attention      loyal      loyal
    r=2   hibernating     hibernating         at_risk             at_risk    cant_lose
    r=1   lost            lost                at_risk             at_risk    cant_lose

Quintiles are ntile(5) with ties split by customer_id (`fifths`), so two customers with the same frequency can sit
in neighbouring fifths; the tiers, which use the raw numbers, are what to act on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from core.data.service import DATE_RANGE_SETTINGS, ORDER_SETTINGS
from core.platform import queries, settings
from core.platform.i18n import Message
from core.platform.remembered import remembered
from core.platform.workspace import Workspace

SETTINGS_KEY = "tiers.thresholds"
TIERS = ("VIP", "Potential", "Normal", "Churned")  # best first
REFERENCE_SHARES = {"VIP": 0.08, "Potential": 0.22, "Normal": 0.45, "Churned": 0.25}
GOAL_KEYS = {tier: f"rfm.goal.{tier.lower()}" for tier in TIERS}
VIP_GOAL_AMOUNT = 2500  # the playbook's VIP goal quotes this order value, in its money: scaled like the VIP line
COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "segment", "tier"]

SEGMENTS = ("champions", "loyal", "potential_loyalist", "new_customers", "promising", "need_attention",
            "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost")
SEGMENT_GRID = {  # r_score -> segment for fm = 1..5
    5: ("new_customers", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
}
CHANGES = ("up", "down", "same", "new", "gone")
MOVEMENT_LOOKBACK_DAYS = 90  # the movement table compares with this many days earlier by default
# the later day's columns of numbers_on_two_days, as customer_rfm.sql names them
AFTER = {"customer_id": "customer_id", "recency_days_after": "recency_days", "frequency_after": "frequency",
         "monetary_after": "monetary"}


class RfmError(Message):
    """Input the tiers cannot use: a bad date, window or threshold."""


@dataclass
class Thresholds:
    """The playbook's tier lines; Normal is what is left, so it needs none of its own."""

    vip_max_recency_days: int = 30
    vip_min_frequency: int = 4
    vip_min_monetary: float = 2000
    potential_max_recency_days: int = 90
    potential_min_frequency: int = 2
    potential_min_monetary: float = 500
    churned_after_days: int = 180

    def __post_init__(self):
        # money lines are amounts, whole or not (scaled lines rarely are): one type for the page's inputs
        self.vip_min_monetary = float(self.vip_min_monetary)
        self.potential_min_monetary = float(self.potential_min_monetary)

    def check(self) -> Thresholds:
        """Recency lines must nest (VIP inside Potential inside not-Churned) and nothing may be negative."""
        if min(asdict(self).values()) < 0 or not (
                self.vip_max_recency_days <= self.potential_max_recency_days <= self.churned_after_days):
            raise RfmError("rfm.bad_thresholds", vip=self.vip_max_recency_days,
                           potential=self.potential_max_recency_days, churned=self.churned_after_days)
        return self


def tier_rules(thresholds: Thresholds | None = None) -> list[tuple[str, str, dict]]:
    """The assignment rule in the order it is applied: (tier, catalog key, parameters)."""
    t = thresholds or Thresholds()
    return [
        ("Churned", "rfm.rule.churned", {"days": t.churned_after_days}),
        ("VIP", "rfm.rule.vip", {"days": t.vip_max_recency_days, "orders": t.vip_min_frequency, "amount": t.vip_min_monetary}),
        ("Potential", "rfm.rule.potential", {"days": t.potential_max_recency_days, "orders": t.potential_min_frequency,
                                             "amount": t.potential_min_monetary}),
        ("Normal", "rfm.rule.normal", {}),
    ]


def load_thresholds(workspace: Workspace) -> Thresholds:
    """The owner's saved lines over the playbook defaults; keys from an older version are ignored.
    Whether they are in force is `tier_lines.in_force`'s answer."""
    saved = settings.get(workspace, SETTINGS_KEY) or {}
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{key: value for key, value in saved.items() if key in known})


def save_thresholds(workspace: Workspace, thresholds: Thresholds) -> None:
    """Save the owner's lines; saved values without a choice of lines are the owner's, so they come into force."""
    settings.put(workspace, SETTINGS_KEY, asdict(thresholds.check()))


def _in_force(workspace: Workspace) -> Thresholds:
    from core.customers import tier_lines  # which lines apply builds on this module's Thresholds

    return tier_lines.in_force(workspace).thresholds


def assign_tiers(frame: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.Series:
    """The tier for each row of a frame with recency_days, frequency and monetary (rule in the docstring)."""
    codes = _tier_codes(frame["recency_days"], frame["frequency"], frame["monetary"], thresholds)
    # categories, not text: a new day on Customer tiers compares and counts 326k tiers four times (VIPs, shares,
    # the at-risk list, the export), 0.006-0.008 s each as text
    return pd.Series(pd.Categorical.from_codes(codes, TIERS), index=frame.index)


def _tier_codes(recency, frequency, monetary, thresholds: Thresholds | None = None) -> np.ndarray:
    """Each customer's tier as its place in TIERS (0 = VIP ... 3 = Churned)."""
    t = (thresholds or Thresholds()).check()
    r, f, m = (np.asarray(x) for x in (recency, frequency, monetary))
    conditions = [
        r > t.churned_after_days,
        (r <= t.vip_max_recency_days) & (f >= t.vip_min_frequency) & (m >= t.vip_min_monetary),
        (r <= t.potential_max_recency_days) & ((f >= t.potential_min_frequency) | (m >= t.potential_min_monetary)),
    ]
    return np.select(conditions, [TIERS.index(tier) for tier in ("Churned", "VIP", "Potential")], default=TIERS.index("Normal"))


def assign_segments(frame: pd.DataFrame) -> pd.Series:
    """The named segment for each row of a frame with r_score, f_score and m_score (grid in the docstring)."""
    grid = np.array([[SEGMENTS.index(name) for name in SEGMENT_GRID[r]] for r in (1, 2, 3, 4, 5)])
    r = frame["r_score"].to_numpy(dtype=int)
    fm = (frame["f_score"].to_numpy(dtype=int) + frame["m_score"].to_numpy(dtype=int)) // 2
    codes = grid[r - 1, fm - 1] if len(frame) else np.array([], dtype=int)
    # categories, not text: the page's summary groups 326k customers by them in a third of the time
    return pd.Series(pd.Categorical.from_codes(codes, SEGMENTS), index=frame.index)


@remembered(*DATE_RANGE_SETTINGS)
def order_span(workspace: Workspace) -> tuple[date | None, date | None]:
    """The first and last day with a paid order (kept per data version: a day's tiers and the page ask for it)."""
    with workspace.cursor() as cur:
        first, last = cur.execute(
            "select min(ordered_at), max(ordered_at) from order_summary where not is_cancelled and customer_id is not null"
        ).fetchone()
    as_day = lambda value: value.date() if isinstance(value, datetime) else value  # noqa: E731
    return as_day(first), as_day(last)


def movement_from(first: date | None, as_of: date) -> tuple[date, date, date] | None:
    """The earlier days the movement may compare `as_of` with (earliest, by default, latest): any day after the
    first order and before `as_of`, by default MOVEMENT_LOOKBACK_DAYS earlier if history goes back that far.
    None when there is no such day."""
    if first is None or first + timedelta(days=1) > as_of - timedelta(days=1):
        return None
    earliest = first + timedelta(days=1)
    return earliest, max(earliest, as_of - timedelta(days=MOVEMENT_LOOKBACK_DAYS)), as_of - timedelta(days=1)


def default_as_of(workspace: Workspace) -> date | None:
    """The day after the last order, so the whole history counts; None without orders.

    Read from the order lines themselves: an order's time is its first line's, so the maximum is the same
    and it skips building every order."""
    with workspace.cursor() as cur:
        last = cur.execute("select max(order_time) from usable_orders").fetchone()[0]
    return None if last is None else pd.Timestamp(last).date() + timedelta(days=1)


def customers(workspace: Workspace, as_of: date | None = None, window_days: int | None = None,
              thresholds: Thresholds | None = None) -> pd.DataFrame:
    """One row per customer who ordered in the window before `as_of`, with scores, segment and tier.

    `window_days` keeps orders from the `window_days` days before `as_of` (None: all history).
    Thresholds default to the lines in force for the workspace (`tier_lines.in_force`).
    """
    _check_window(window_days)
    as_of = as_of or default_as_of(workspace)
    if as_of is None:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})
    table = scores(workspace, as_of, None if window_days is None else int(window_days))
    return table.assign(tier=assign_tiers(table, thresholds or _in_force(workspace)))


def _check_window(window_days: int | None) -> None:
    if window_days is not None and (isinstance(window_days, bool) or int(window_days) != window_days or window_days < 1):
        raise RfmError("rfm.bad_window", value=window_days)


@remembered(*ORDER_SETTINGS)
def scores(workspace: Workspace, as_of: date, window_days: int | None) -> pd.DataFrame:
    """`customers` without the tier, in customer_id order: what the tier lines do not change, so switching lines
    (and the movement, groups and other pages asking for the same day) reuse it."""
    days = movement_from(order_span(workspace)[0], as_of)
    if days is None:
        window_start = None if window_days is None else as_of - timedelta(days=window_days)
        table = queries.long_frame(workspace, "customers/customer_rfm", as_of=as_of, window_start=window_start)
    else:
        # The page compares the day with an earlier one by default: one pass over the orders counts both days (the
        # numbers are kept for the movement), where a pass for this day alone cost 0.03-0.1 s as much again.
        both = numbers_on_two_days(workspace, days[1], as_of, window_days)
        table = both.loc[both["frequency_after"].to_numpy() > 0, list(AFTER)].rename(columns=AFTER)
    table = table.astype({"recency_days": "int64", "frequency": "int64", "monetary": "float64"})
    table["r_score"] = fifths(-table["recency_days"].to_numpy())  # the most recent in the top fifth
    table["f_score"] = fifths(table["frequency"].to_numpy())
    table["m_score"] = fifths(table["monetary"].to_numpy())
    table["segment"] = assign_segments(table)
    return table[COLUMNS[:-1]].reset_index(drop=True)


def fifths(values: np.ndarray) -> np.ndarray:
    """1-5 by rank, as SQL's ntile(5) over the values: equal fifths (the first ones one larger when the count
    does not divide by five), ties split by the rows' order (customer_id's, decision 0003).

    Without sorting: a value is in a later fifth than a boundary's value when it is larger, or equal and far
    enough down the rows among its equals. A partition finds the four boundary values: 0.01 s for 326k
    customers' three scores, where three stable sorts took 0.03-0.05 s (and DuckDB's three windows 0.08 s)."""
    values = np.asarray(values)
    count = len(values)
    size, larger = divmod(count, 5)
    # the sorted positions where the 2nd to 5th fifths start; a fifth left empty (under five values) starts nowhere
    starts = [start for start in np.cumsum([size + (i < larger) for i in range(4)]) if start < count]
    scores = np.ones(count, dtype="int64")
    for start, boundary in zip(starts, np.partition(values, starts)[starts] if starts else []):
        equal = values == boundary
        before_equals = np.count_nonzero(values < boundary)  # sorted positions taken by smaller values
        scores += (values > boundary) | (equal & (np.cumsum(equal) > start - before_equals))
    return scores


def tier_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Customers and share per tier, best first, beside the playbook's reference share and the tier's goal."""
    counts = frame["tier"].value_counts().reindex(list(TIERS), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({
        "tier": list(TIERS),
        "customers": counts.astype("int64").to_numpy(),
        "share": (counts / total).to_numpy() if total else np.zeros(len(TIERS)),
        "reference_share": [REFERENCE_SHARES[tier] for tier in TIERS],
        "goal": [GOAL_KEYS[tier] for tier in TIERS],
    })


class Movement(NamedTuple):
    customers: pd.DataFrame  # customer_id, tier_before, tier_after, change
    summary: pd.DataFrame  # counts: tier_before (rows, "new" last) x tier_after (columns, "gone" last if any)


def movement(workspace: Workspace, as_of_before: date, as_of_after: date, window_days: int | None = None,
             thresholds: Thresholds | None = None) -> Movement:
    """How customers moved between tiers from one date to a later one.

    change is up/down/same by tier order VIP > Potential > Normal > Churned; "new" for customers with no
    counted order by the earlier date; "gone" for those a window leaves without orders at the later date.
    """
    if as_of_before >= as_of_after:
        raise RfmError("rfm.bad_movement", before=as_of_before, after=as_of_after)
    _check_window(window_days)
    thresholds = thresholds or _in_force(workspace)
    both = numbers_on_two_days(workspace, as_of_before, as_of_after, None if window_days is None else int(window_days))
    missing = len(TIERS)  # the code of "no tier": new before, gone after
    codes = {side: np.where(both[f"frequency_{side}"].to_numpy() > 0,
                            _tier_codes(both[f"recency_days_{side}"].fillna(0), both[f"frequency_{side}"],
                                        both[f"monetary_{side}"], thresholds), missing)
             for side in ("before", "after")}
    before, after = codes["before"], codes["after"]
    change = np.select([before == missing, after == missing, after < before, after > before],  # lower code: better
                       [CHANGES.index(c) for c in ("new", "gone", "up", "down")], default=CHANGES.index("same"))
    customers = pd.DataFrame({"customer_id": both["customer_id"], "tier_before": _tier_names(before, missing),
                              "tier_after": _tier_names(after, missing), "change": pd.Categorical.from_codes(change, CHANGES)})
    counts = np.bincount(before * (missing + 1) + after, minlength=(missing + 1) ** 2).reshape(missing + 1, missing + 1)
    summary = pd.DataFrame(counts, index=[*TIERS, "new"], columns=[*TIERS, "gone"], dtype="int64")
    if not summary["gone"].any():
        summary = summary.drop(columns="gone")
    summary.index.name, summary.columns.name = "tier_before", "tier_after"
    return Movement(customers, summary)


def _tier_names(codes: np.ndarray, missing: int) -> pd.Categorical:
    """Tier codes as tier names, none where a customer has no tier (no order counted by that day)."""
    return pd.Categorical.from_codes(np.where(codes == missing, -1, codes), TIERS)


@remembered(*ORDER_SETTINGS)
def numbers_on_two_days(workspace: Workspace, before: date, after: date, window_days: int | None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer on both days (`customer_movement.sql`): what the tier
    lines do not change, so another set of lines only reassigns tiers."""
    starts = {f"{side}_window_start": None if window_days is None else day - timedelta(days=int(window_days))
              for side, day in (("before", before), ("after", after))}
    return queries.long_frame(workspace, "customers/customer_movement", before=before, after=after, **starts)


def segment_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Customers per named segment with their median recency and spending, the largest segment first."""
    counts = frame.groupby("segment", observed=True).agg(
        customers=("customer_id", "size"), recency_days=("recency_days", "median"), monetary=("monetary", "median"),
    ).reset_index()
    return counts.sort_values("customers", ascending=False).reset_index(drop=True)
