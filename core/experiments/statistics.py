"""A/B test statistics a marketer can defend: rates, lift with intervals, a two-proportion z-test,
the Bayesian chance that B beats A, a sample-ratio check, Holm for several variants, Welch's t-test
on revenue per visitor, and the playbook's guardrails turned into one verdict with its reason.

Conventions: the interval is for rate_b - rate_a with the unpooled standard error, the relative one
for rate_b / rate_a - 1 on the log scale; the z-test pools
the two groups under the null; confidence = 1 - p (two-sided). Priors are Beta(1, 1).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy import special, stats

from core.platform.i18n import Message

MIN_USERS_PER_GROUP = 10_000
MIN_DAYS = 7
SRM_ALPHA = 0.001
VERDICTS = ("b_wins", "a_wins", "no_difference", "keep_testing", "invalid")


class InputError(Message):
    """Numbers that cannot describe an experiment (conversions above users, no users)."""


def check_counts(users: int, conversions: int, group: str) -> None:
    if users is None or conversions is None or users != users or conversions != conversions:
        raise InputError("ab.error.missing", group=group)
    if users <= 0:
        raise InputError("ab.error.no_users", group=group)
    if conversions < 0:
        raise InputError("ab.error.negative", group=group)
    if conversions > users:
        raise InputError("ab.error.conversions_above_users", group=group, conversions=conversions, users=users)


def z_test(users_a: int, conv_a: int, users_b: int, conv_b: int) -> tuple[float, float]:
    """Two-sided two-proportion z-test with the pooled standard error: (z, p)."""
    pooled = (conv_a + conv_b) / (users_a + users_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / users_a + 1 / users_b))
    if se == 0:
        return 0.0, 1.0
    z = (conv_b / users_b - conv_a / users_a) / se
    return z, 2 * stats.norm.sf(abs(z))


def diff_interval(users_a: int, conv_a: int, users_b: int, conv_b: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wald interval for rate_b - rate_a with the unpooled standard error."""
    rate_a, rate_b = conv_a / users_a, conv_b / users_b
    se = math.sqrt(rate_a * (1 - rate_a) / users_a + rate_b * (1 - rate_b) / users_b)
    margin = stats.norm.ppf(1 - alpha / 2) * se
    return rate_b - rate_a - margin, rate_b - rate_a + margin


def relative_interval(users_a: int, conv_a: int, users_b: int, conv_b: int, alpha: float = 0.05) -> tuple[float, float] | None:
    """Interval for rate_b / rate_a - 1: a Wald interval on the log of the ratio (Katz), so the uncertainty
    in A's rate counts too. None when either group has no conversions (the log ratio is undefined)."""
    if conv_a == 0 or conv_b == 0:
        return None
    ratio = (conv_b / users_b) / (conv_a / users_a)
    se = math.sqrt(1 / conv_b - 1 / users_b + 1 / conv_a - 1 / users_a)
    margin = stats.norm.ppf(1 - alpha / 2) * se
    return ratio * math.exp(-margin) - 1, ratio * math.exp(margin) - 1


def prob_b_beats_a(users_a: int, conv_a: int, users_b: int, conv_b: int) -> float:
    """P(rate_B > rate_A) under Beta(1 + conversions, 1 + non-conversions) posteriors, exactly.

    The closed form for Beta posteriors with whole-number parameters sums one term per success of
    one group; we sum over the group with fewer conversions (P(B > A) = 1 - P(A > B)). A numeric
    integral drifted when one posterior was far narrower than the other."""
    if conv_b <= conv_a:
        return _beats(1 + conv_a, 1 + users_a - conv_a, 1 + conv_b, 1 + users_b - conv_b)
    return 1.0 - _beats(1 + conv_b, 1 + users_b - conv_b, 1 + conv_a, 1 + users_a - conv_a)


def _beats(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """P(X_B > X_A) for X ~ Beta: sum over i < alpha_b of
    B(alpha_a + i, beta_a + beta_b) / ((beta_b + i) B(1 + i, beta_b) B(alpha_a, beta_a))."""
    i = np.arange(alpha_b, dtype=float)
    terms = (special.betaln(alpha_a + i, beta_a + beta_b) - np.log(beta_b + i)
             - special.betaln(1 + i, beta_b) - special.betaln(alpha_a, beta_a))
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(terms)))))


def srm_p_value(users: list[int], planned_shares: list[float] | None = None) -> float:
    """Chi-square goodness of fit of the observed split against the planned one (equal unless given)."""
    total = sum(users)
    shares = planned_shares or [1 / len(users)] * len(users)
    expected = [total * s / sum(shares) for s in shares]
    return float(stats.chisquare(users, expected).pvalue)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, (len(p_values) - rank) * p_values[index])
        adjusted[index] = min(1.0, running)
    return adjusted


@dataclass(frozen=True)
class RevenueTest:
    """Welch's t-test on revenue per visitor, from sums and sums of squares."""

    rpv_a: float
    rpv_b: float
    diff: float
    ci_low: float
    ci_high: float
    p_value: float


def welch_from_sums(n_a: int, sum_a: float, sq_a: float, n_b: int, sum_b: float, sq_b: float, alpha: float = 0.05) -> RevenueTest:
    for group, n in (("A", n_a), ("B", n_b)):
        if n < 2:
            raise InputError("ab.error.too_few_for_variance", group=group, users=n)
    mean_a, mean_b = sum_a / n_a, sum_b / n_b
    var_a = max(0.0, (sq_a - n_a * mean_a**2) / (n_a - 1))
    var_b = max(0.0, (sq_b - n_b * mean_b**2) / (n_b - 1))
    se2_a, se2_b = var_a / n_a, var_b / n_b
    se = math.sqrt(se2_a + se2_b)
    diff = mean_b - mean_a
    if se == 0:
        return RevenueTest(mean_a, mean_b, diff, diff, diff, 1.0 if diff == 0 else 0.0)
    dof = (se2_a + se2_b) ** 2 / (se2_a**2 / (n_a - 1) + se2_b**2 / (n_b - 1))
    t = diff / se
    margin = stats.t.ppf(1 - alpha / 2, dof) * se
    return RevenueTest(mean_a, mean_b, diff, diff - margin, diff + margin, float(2 * stats.t.sf(abs(t), dof)))


@dataclass(frozen=True)
class Result:
    users_a: int
    conv_a: int
    users_b: int
    conv_b: int
    alpha: float
    rate_a: float
    rate_b: float
    abs_lift: float
    rel_lift: float | None
    ci_low: float
    ci_high: float
    rel_ci_low: float | None
    rel_ci_high: float | None
    z: float
    p_value: float
    confidence: float
    prob_b_beats_a: float
    srm_p_value: float
    verdict: str
    decision_p_value: float  # p the verdict rests on: Holm-adjusted when several variants share a control
    reasons: list[tuple[str, dict]] = field(default_factory=list)  # catalog keys with parameters
    days: int | None = None
    due: date | None = None  # when the verdict may be called, if not yet

    @property
    def required_confidence(self) -> float:
        return 1 - self.alpha

    @property
    def split_mismatch(self) -> bool:
        """The sample-ratio check failed: the groups' sizes are not the planned split."""
        return self.srm_p_value < SRM_ALPHA

    @property
    def confidence_text(self) -> str:
        return format_confidence(self.confidence)

    @property
    def lift_points(self) -> tuple[float, float, float]:
        """The lift and its interval in percentage points, as the page writes them."""
        return self.abs_lift * 100, self.ci_low * 100, self.ci_high * 100

    def as_dict(self) -> dict:
        data = asdict(self)
        data["reasons"] = [key for key, _ in self.reasons]
        data["due"] = None if self.due is None else self.due.isoformat()
        return data


def analyse(users_a: int, conv_a: int, users_b: int, conv_b: int, *, alpha: float = 0.05, planned_share_b: float = 0.5,
            days: int | None = None, first_day: date | None = None, last_day: date | None = None,
            planned_end: date | None = None, variables: int = 1, min_users: int = MIN_USERS_PER_GROUP, min_days: int = MIN_DAYS,
            decision_p_value: float | None = None, all_group_users: list[int] | None = None) -> Result:
    """Everything about B against A, and the verdict with its reasons (see `_decide`).

    With more than two variants, pass the Holm-adjusted p as `decision_p_value` and every group's
    users as `all_group_users`, so significance and the sample-ratio check cover the whole test."""
    check_counts(users_a, conv_a, "A")
    check_counts(users_b, conv_b, "B")
    if not 0 < alpha < 1:
        raise InputError("ab.error.alpha", alpha=alpha)
    if not 0 < planned_share_b < 1:
        raise InputError("ab.error.split", share=planned_share_b)
    rate_a, rate_b = conv_a / users_a, conv_b / users_b
    z, p = z_test(users_a, conv_a, users_b, conv_b)
    low, high = diff_interval(users_a, conv_a, users_b, conv_b, alpha)
    rel_low, rel_high = relative_interval(users_a, conv_a, users_b, conv_b, alpha) or (None, None)
    planned = [1 - planned_share_b, planned_share_b]
    srm = srm_p_value(all_group_users) if all_group_users else srm_p_value([users_a, users_b], planned)
    decision_p = p if decision_p_value is None else decision_p_value
    if days is None and first_day is not None and last_day is not None:
        days = (last_day - first_day).days + 1
    verdict, reasons, due = _decide(
        srm_p=srm, smallest=min(users_a, users_b), abs_lift=rate_b - rate_a, decision_p=decision_p, alpha=alpha,
        days=days, first_day=first_day, last_day=last_day, planned_end=planned_end, variables=variables,
        min_users=min_users, min_days=min_days)
    return Result(
        users_a, conv_a, users_b, conv_b, alpha, rate_a, rate_b, rate_b - rate_a,
        (rate_b - rate_a) / rate_a if rate_a else None, low, high, rel_low, rel_high,
        z, p, 1 - p, prob_b_beats_a(users_a, conv_a, users_b, conv_b), srm, verdict, decision_p, reasons, days, due,
    )


def _decide(*, srm_p: float, smallest: int, abs_lift: float, decision_p: float, alpha: float, days: int | None,
            first_day: date | None, last_day: date | None, planned_end: date | None, variables: int, min_users: int,
            min_days: int) -> tuple[str, list[tuple[str, dict]], date | None]:
    """The playbook's guardrails, in order of precedence, as (verdict, reasons, due):
    1. invalid: the split differs from the plan (sample-ratio mismatch, chi-square p < 0.001);
    2. invalid: more than one variable changed;
    3. keep testing: fewer than 10,000 users in a group, fewer than 7 days, or data ending before the
       planned end (at least 7 days after the first)
       (the numbers are provisional until then: early looks inflate false positives);
    4. B wins / A wins: confidence at least 1 - alpha (95%), by the sign of the difference;
    5. otherwise no significant difference."""
    reasons: list[tuple[str, dict]] = []
    if srm_p < SRM_ALPHA:
        reasons.append(("ab.reason.srm", {"p": f"{srm_p:.2g}"}))
    if variables > 1:
        reasons.append(("ab.reason.variables", {"count": variables}))
    if reasons:
        return "invalid", reasons, None
    if smallest < min_users:
        reasons.append(("ab.reason.small", {"users": f"{smallest:,}", "minimum": f"{min_users:,}"}))
    if days is not None and days < min_days:
        reasons.append(("ab.reason.short", {"days": days, "minimum": min_days}))
    due = None
    if first_day is not None and last_day is not None:
        due = max(first_day + timedelta(days=min_days - 1), planned_end or first_day)
        if last_day < due:
            reasons.append(("ab.reason.before_end", {"due": due}))
        else:
            due = None
    if reasons:
        return "keep_testing", reasons, due
    confidence = {"confidence": format_confidence(1 - decision_p), "needed": f"{1 - alpha:.0%}"}
    if decision_p < alpha:
        return ("b_wins" if abs_lift > 0 else "a_wins"), [("ab.reason.significant", confidence)], None
    return "no_difference", [("ab.reason.not_significant", confidence)], None


def format_confidence(confidence: float) -> str:
    """99.997% reads as certainty when rounded to 100.0%: say > 99.99% instead."""
    return "> 99.99%" if confidence > 0.9999 else f"{confidence:.2%}"


def sample_size(baseline: float, mde: float, *, relative: bool = False, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per group to detect a change from `baseline` to baseline + mde (or x (1 + mde) when
    relative), two-sided at `alpha` with `power`, by the common two-proportion formula:
    n = (z(1-a/2) sqrt(2 pbar (1-pbar)) + z(power) sqrt(p1(1-p1) + p2(1-p2)))^2 / (p2 - p1)^2."""
    p1 = baseline
    p2 = baseline * (1 + mde) if relative else baseline + mde
    if not 0 < p1 < 1 or not 0 < p2 < 1:
        raise InputError("ab.error.rates", p1=f"{p1:.4g}", p2=f"{p2:.4g}")
    if p1 == p2:
        raise InputError("ab.error.zero_effect")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise InputError("ab.error.alpha_power")
    pbar = (p1 + p2) / 2
    top = (stats.norm.ppf(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar))
           + stats.norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    return math.ceil(top**2 / (p2 - p1) ** 2)


def margin_of_error_size(rate: float, margin: float, confidence: float = 0.95) -> int:
    """The playbook's n = z^2 p (1-p) / E^2: users needed to estimate one rate within +/- E."""
    if not 0 < rate < 1 or margin <= 0:
        raise InputError("ab.error.margin")
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    return math.ceil(z**2 * rate * (1 - rate) / margin**2)


def duration_days(n_per_group: int, groups: int, daily_users: float, share_of_traffic: float = 1.0) -> int | None:
    """Days to reach the sample at the given daily traffic to the tested page (never under 7)."""
    reaching = daily_users * share_of_traffic
    if reaching <= 0:
        return None
    return max(MIN_DAYS, math.ceil(n_per_group * groups / reaching))


def rate_interval(users: int, conversions: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson interval for one conversion rate (stays inside 0-1 with few conversions)."""
    z = stats.norm.ppf(1 - alpha / 2)
    rate = conversions / users
    centre = (rate + z**2 / (2 * users)) / (1 + z**2 / users)
    half = z * math.sqrt(rate * (1 - rate) / users + z**2 / (4 * users**2)) / (1 + z**2 / users)
    return centre - half, centre + half
