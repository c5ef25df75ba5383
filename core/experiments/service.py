"""What the A/B testing page (and the CLI) ask of the experiments family, each answer a frozen result.

An experiment from the workspace: each variant against the control, with Holm's correction when there are
several, revenue per visitor when sums of squares are there, the daily running rates and every variant's
rate with its interval. Also numbers typed in by hand, the plan for the next test, and the test register.
No settings are read: the rules (10,000 users, 7 days, the sample-ratio check) live in `statistics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from core.experiments import register as test_register
from core.experiments import statistics as abtest
from core.experiments.statistics import Result, RevenueTest
from core.platform.i18n import translate
from core.platform.workspace import Workspace

CONTROL_NAMES = ("a", "control", "baseline", "对照组", "对照")
DuplicateTestId = test_register.DuplicateTestId  # saving the register refuses an id used twice; the page says so
SRM_ALPHA = abtest.SRM_ALPHA  # the page names the sample-ratio threshold it applies
TRAFFIC_WINDOW_DAYS = 28  # the planner's daily traffic: the average over the last four weeks
REGISTER_SHARES = test_register.SHARES  # register columns holding a share of 1 (rates, confidence): shown as %


@dataclass(frozen=True)
class Comparison:
    variant: str
    result: Result
    adjusted_p: float
    revenue: RevenueTest | None


@dataclass(frozen=True)
class Experiment:
    name: str
    control: str
    variants: pd.DataFrame  # experiment_variants rows
    comparisons: tuple[Comparison, ...]
    daily: pd.DataFrame  # experiment_daily rows: running rates by day (empty without dates)
    rates: pd.DataFrame  # variant, rate, low, high: every variant's rate with its Wilson interval
    page: str | None
    variable: str | None
    days: int  # days with rows (0 when only start and end dates were given)
    first_day: date | None
    last_day: date | None
    has_revenue: bool  # some revenue was uploaded, tested or not

    @property
    def several(self) -> bool:
        """More than one variant against the control: the page shows the Holm table."""
        return len(self.comparisons) > 1

    @property
    def variant_names(self) -> list[str]:
        return [c.variant for c in self.comparisons]

    @property
    def has_daily(self) -> bool:
        """Rows per day were uploaded, so the running rates can be drawn."""
        return not self.daily.empty

    def comparison(self, variant: str) -> Comparison:
        return next(c for c in self.comparisons if c.variant == variant)


@dataclass(frozen=True)
class ByHand:
    """Four numbers typed in: B against A, and both rates with their intervals."""

    result: Result
    rates: pd.DataFrame


@dataclass(frozen=True)
class ExperimentPlan:
    baseline: float
    n_per_group: int
    daily_traffic: float  # average daily UV over the last TRAFFIC_WINDOW_DAYS days
    days: int | None  # None without traffic to reach
    minimum_users: int = abtest.MIN_USERS_PER_GROUP
    minimum_days: int = abtest.MIN_DAYS
    traffic_window_days: int = TRAFFIC_WINDOW_DAYS

    @property
    def below_minimum(self) -> bool:
        """The formula asks for fewer users than the playbook's floor per group."""
        return self.n_per_group < self.minimum_users

    def users_for_margin(self, margin: float) -> int:
        """Users to pin the baseline rate down to +/- margin (the playbook's n = z^2 p (1-p) / E^2)."""
        return abtest.margin_of_error_size(self.baseline, margin)


@dataclass(frozen=True)
class Register:
    """The test register as the page edits it: one row per test, in `columns` order."""

    table: pd.DataFrame
    columns: tuple[str, ...] = tuple(test_register.COLUMNS)


def experiment_names(workspace: Workspace) -> list[str]:
    with workspace.cursor() as cur:
        return [row[0] for row in cur.execute("select distinct experiment from usable_experiments order by 1").fetchall()]


def choose_control(variants: list[str]) -> str:
    """A variant called A / control / baseline, else the first in name order."""
    for variant in variants:
        if variant.strip().lower() in CONTROL_NAMES:
            return variant
    return sorted(variants)[0]


def experiment(workspace: Workspace, name: str, alpha: float = 0.05) -> Experiment:
    with workspace.cursor() as cur:
        variants = cur.execute("select * from experiment_variants where experiment = ? order by variant", [name]).fetchdf()
        daily = cur.execute("select * from experiment_daily where experiment = ? order by variant, date", [name]).fetchdf()
    control = choose_control(list(variants["variant"]))
    base = variants[variants["variant"] == control].iloc[0]
    others = variants[variants["variant"] != control]
    first_day, last_day = _day(variants["first_day"].min()), _day(variants["last_day"].max())
    planned_end = _day(variants["planned_end"].max())
    counted_days = int(variants["count_days"].max())
    days = counted_days or None  # rows per day; else the span start..end
    raw = [abtest.z_test(int(base["users"]), int(base["conversions"]), int(r.users), int(r.conversions))[1]
           for r in others.itertuples()]
    # several variants against one control: Holm keeps the family's false-positive rate at alpha
    decision = abtest.holm(raw) if len(raw) > 1 else raw
    comparisons = []
    for row, decision_p in zip(others.itertuples(), decision):
        result = abtest.analyse(
            int(base["users"]), int(base["conversions"]), int(row.users), int(row.conversions), alpha=alpha,
            days=days, first_day=first_day, last_day=last_day, planned_end=planned_end,
            variables=int(variants["count_variables"].max()), decision_p_value=decision_p,
            all_group_users=[int(u) for u in variants["users"]],
        )
        revenue = None
        if pd.notna(base["revenue_sq"]) and pd.notna(row.revenue_sq):
            revenue = abtest.welch_from_sums(int(base["users"]), float(base["revenue"]), float(base["revenue_sq"]),
                                             int(row.users), float(row.revenue), float(row.revenue_sq), alpha)
        comparisons.append(Comparison(row.variant, result, decision_p, revenue))
    rates = rate_table([(str(r.variant), int(r.users), int(r.conversions)) for r in variants.itertuples()], alpha)
    return Experiment(
        name, control, variants, tuple(comparisons), daily, rates, page=_first(variants["page"]),
        variable=_first(variants["variables"]), days=counted_days, first_day=first_day, last_day=last_day,
        has_revenue=bool(variants["revenue"].notna().any()),
    )


def by_hand(users_a: int, conv_a: int, users_b: int, conv_b: int, days: int | None = None, alpha: float = 0.05) -> ByHand:
    """Pure: no workspace, so the CLI's `abtest` and the page's typed-in numbers give the same answer."""
    users_a, conv_a, users_b, conv_b = int(users_a), int(conv_a), int(users_b), int(conv_b)
    result = abtest.analyse(users_a, conv_a, users_b, conv_b, alpha=alpha, days=None if days is None else int(days))
    return ByHand(result, rate_table([("A", users_a, conv_a), ("B", users_b, conv_b)], alpha))


def rate_table(rows: list[tuple[str, int, int]], alpha: float) -> pd.DataFrame:
    """Variant, rate and its Wilson interval: what the rates chart draws."""
    table = []
    for variant, users, conversions in rows:
        low, high = abtest.rate_interval(users, conversions, alpha)
        table.append({"variant": variant, "rate": conversions / users, "low": low, "high": high})
    return pd.DataFrame(table, columns=["variant", "rate", "low", "high"])


def plan_experiment(baseline: float, mde: float, *, relative: bool = False, alpha: float = 0.05, power: float = 0.8,
                    daily_traffic: float = 0.0, share_of_traffic: float = 1.0) -> ExperimentPlan:
    """Pure: users per group for a two-proportion test, and the days the traffic needs to bring them."""
    n = abtest.sample_size(baseline, mde, relative=relative, alpha=alpha, power=power)
    return ExperimentPlan(baseline, n, daily_traffic, abtest.duration_days(n, 2, daily_traffic, share_of_traffic))


def plan_next_experiment(workspace: Workspace, baseline: float, mde: float, relative: bool = False, alpha: float = 0.05,
                         power: float = 0.8, share_of_traffic: float = 1.0) -> ExperimentPlan:
    """The next test's plan at this shop's recent traffic."""
    return plan_experiment(baseline, mde, relative=relative, alpha=alpha, power=power,
                           daily_traffic=daily_traffic(workspace), share_of_traffic=share_of_traffic)


def daily_traffic(workspace: Workspace, days: int = TRAFFIC_WINDOW_DAYS) -> float:
    """Average daily UV over the last `days` days of traffic data (0 when there is none)."""
    with workspace.cursor() as cur:
        value = cur.execute(
            "select avg(uv) from daily_traffic where date > (select max(date) from daily_traffic) - ?::integer", [days]
        ).fetchone()[0]
    return float(value or 0)


def register(workspace: Workspace) -> Register:
    return Register(test_register.entries(workspace))


def save_register(workspace: Workspace, table: pd.DataFrame) -> None:
    """The edited register replaces the saved one; rows without a test id are dropped. Raises DuplicateTestId
    (naming the id) when two rows share one: nothing is written then."""
    test_register.replace_all(workspace, table)


def register_file(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The register as a download: headers in the reader's language, rates and confidence as percentages with
    two decimals ("99.20%", as on screen, not 0.992), sizes as whole numbers, blanks empty."""
    rows = table.copy()
    for column in REGISTER_SHARES:
        rows[column] = [None if value is None or pd.isna(value) else f"{float(value):.2%}" for value in rows[column]]
    rows["sample_size"] = rows["sample_size"].astype("Int64")
    return rows.rename(columns={column: translate(f"ab.log.{column}", lang) for column in rows.columns})


def log_result(workspace: Workspace, name: str, variant: str, alpha: float = 0.05, lang: str = "en") -> str:
    """Add (or update) one variant's verdict in the register; the conclusion is written in `lang`. Returns its test id."""
    found = experiment(workspace, name, alpha)
    entry = _entry(found, found.comparison(variant), lang)
    test_register.add_all(workspace, [entry])
    return entry["test_id"]


def log_every_experiment(workspace: Workspace, alpha: float = 0.05, lang: str = "en") -> list[str]:
    """Every variant of every experiment into the register in one go (the demo's finished tests). Returns the ids."""
    entries = [_entry(found, comparison, lang)
               for found in (experiment(workspace, name, alpha) for name in experiment_names(workspace))
               for comparison in found.comparisons]
    test_register.add_all(workspace, entries)
    return [entry["test_id"] for entry in entries]


def _entry(found: Experiment, comparison: Comparison, lang: str) -> dict:
    """A register row: one per experiment, or one per variant (name:variant) when several share a control."""
    test_id = f"{found.name}:{comparison.variant}" if found.several else found.name
    conclusion = translate(f"ab.verdict.{comparison.result.verdict}", lang, b=comparison.variant, a=found.control)
    return test_register.entry_from(
        test_id, comparison.result, page=found.page, variable=found.variable, version_a=found.control,
        version_b=comparison.variant, first_day=found.first_day, last_day=found.last_day, conclusion=conclusion)


def _first(values: pd.Series) -> str | None:
    values = values.dropna()
    return None if values.empty else str(values.iloc[0])


def _day(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
