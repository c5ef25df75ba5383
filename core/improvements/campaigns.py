"""Customer campaigns, measured: the playbook's touch plan (表7) judged by what the customers did.

When a tier list goes out (SMS, call, email, push), a random share of it, the holdout, is kept back and not
contacted. What the contacted customers bought within 7 and 30 days, against what the holdout bought in the
same days, is the campaign's lift: the part of the buying the touch caused, not what those customers would
have bought anyway. The counting is SQL (campaign_results.sql); the interval and the test are worked out here:

* lift = rate contacted - rate holdout, with Newcombe's hybrid score interval (method 10: Wilson intervals of
  each rate, combined), which keeps its 95% coverage for the small holdouts and low rates campaigns have,
  where the Wald interval does not (statsmodels' confint_proportions_2indep(method="newcomb") agrees);
* p-value: the two-sided two-proportion z-test with the pooled rate (statsmodels' proportions_ztest).

Recording a campaign does not move the data version (it is the owner's note, like the register): results
read the campaign tables on every call; a cache must key on `version` as well.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from statistics import NormalDist

import numpy as np
import pandas as pd

from core.platform.i18n import Message
from core.platform.queries import frame
from core.platform.transactions import transaction
from core.platform.workspace import Workspace

DEFAULT_HOLDOUT_SHARE = 0.1
MAX_HOLDOUT_SHARE = 0.5  # more held back than contacted would measure the holdout, not the touch
WINDOWS = (7, 30)  # days after the send day the playbook judges a touch on
CONFIDENCE = 0.95
CHANNELS = ("sms", "call", "email", "push")  # suggested; the owner may type any other
# The touch plan's KPI targets (playbook 表7): share of contacted customers who buy; Normal has none.
TARGETS = {"VIP": 0.30, "Potential": 0.08, "Normal": None, "Churned": 0.10}
TIERS = tuple(TARGETS)

RESULT_COLUMNS = [
    "campaign_id", "tier", "channel", "sent_on", "window_days", "days_observed", "window_complete",
    "contacted", "holdout", "bought_contacted", "rate_contacted", "bought_holdout", "rate_holdout",
    "revenue_contacted", "revenue_holdout", "revenue_per_contacted", "revenue_per_holdout",
    "lift", "lift_low", "lift_high", "p_value", "missing",
]
KPI_COLUMNS = ["tier", "campaigns", "contacted", "bought_contacted", "conversion", "holdout", "bought_holdout",
               "conversion_holdout", "target", "target_met", "missing"]


class CampaignError(Message):
    """A campaign that cannot be recorded as given; nothing is written."""


@dataclass(frozen=True)
class Campaign:
    """One recorded touch: who is contacted and who is held back, fixed when the list is exported."""
    id: int
    tier: str
    channel: str
    sent_on: date
    holdout_share: float
    contacted: tuple[str, ...]
    holdout: tuple[str, ...]
    note: str | None = None


# ------------------------------------------------------------------------------------------- recording


def holdout_size(customers: int, share: float) -> int:
    """round(share x customers), halves up (5 customers at 10% hold one back, not none), and never the
    whole list: at least one customer is contacted."""
    size = math.floor(share * customers + 0.5 + 1e-9)
    return max(0, min(size, customers - 1))


def default_seed(customer_ids: list[str]) -> int:
    """A seed from the list itself (order and repeats ignored): the same list is split the same way again."""
    digest = hashlib.sha256("\x1f".join(sorted(set(customer_ids))).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def split(customer_ids: list[str], holdout_share: float, seed: int | None = None) -> tuple[list[str], list[str]]:
    """(contacted, holdout): a random holdout of `holdout_size` customers, reproducible from `seed`.
    The contacted keep the list's order (the exported file reads as the owner sorted it)."""
    unique = list(dict.fromkeys(customer_ids))
    size = holdout_size(len(unique), holdout_share)
    rng = np.random.default_rng(default_seed(unique) if seed is None else seed)
    ordered = sorted(unique)  # the draw does not depend on the list's order
    held = {ordered[i] for i in rng.choice(len(ordered), size=size, replace=False)}
    return [c for c in unique if c not in held], [c for c in ordered if c in held]


def _checked(tier, channel, sent_on, customer_ids, holdout_share) -> tuple[str, str, date, list[str], float]:
    if not isinstance(tier, str) or not tier.strip():
        raise CampaignError("improvements.error.campaign_tier")
    if not isinstance(channel, str) or not channel.strip():
        raise CampaignError("improvements.error.campaign_channel")
    if isinstance(sent_on, datetime):
        sent_on = sent_on.date()
    elif isinstance(sent_on, str):
        try:
            sent_on = date.fromisoformat(sent_on.strip())
        except ValueError:
            raise CampaignError("improvements.error.campaign_date", value=sent_on) from None
    if not isinstance(sent_on, date):
        raise CampaignError("improvements.error.campaign_date", value=str(sent_on))
    try:
        share = float(holdout_share)
    except (TypeError, ValueError):
        raise CampaignError("improvements.error.campaign_holdout_share", value=str(holdout_share),
                            limit=f"{MAX_HOLDOUT_SHARE:.0%}") from None
    if not 0 <= share <= MAX_HOLDOUT_SHARE:  # NaN fails too
        raise CampaignError("improvements.error.campaign_holdout_share", value=str(holdout_share),
                            limit=f"{MAX_HOLDOUT_SHARE:.0%}")
    ids = [str(c).strip() for c in (customer_ids or []) if c is not None and not pd.isna(c) and str(c).strip()]
    if not ids:
        raise CampaignError("improvements.error.campaign_no_customers")
    return tier.strip(), channel.strip(), sent_on, ids, share


def record(workspace: Workspace, *, tier: str, channel: str, sent_on: date, customer_ids: list[str],
           holdout_share: float = DEFAULT_HOLDOUT_SHARE, seed: int | None = None, note: str | None = None) -> Campaign:
    """Record a touch: the list (repeats once), the channel and the day, and which customers are held back.
    All in one transaction; a wrong field raises CampaignError and writes nothing."""
    tier, channel, sent_on, ids, share = _checked(tier, channel, sent_on, customer_ids, holdout_share)
    contacted, held = split(ids, share, seed)
    members = pd.DataFrame({"customer_id": contacted + held,
                            "is_holdout": [False] * len(contacted) + [True] * len(held)})
    with transaction(workspace) as cur:
        campaign_id = cur.execute("select coalesce(max(id), 0) + 1 from campaigns").fetchone()[0]
        cur.execute("insert into campaigns (id, tier, channel, sent_on, holdout_share, note) values (?, ?, ?, ?, ?, ?)",
                    [campaign_id, tier, channel, sent_on, share, note])
        cur.register("new_campaign_customers", members)
        cur.execute("insert into campaign_customers select ?, customer_id, is_holdout from new_campaign_customers",
                    [campaign_id])
        cur.unregister("new_campaign_customers")
    return Campaign(int(campaign_id), tier, channel, sent_on, share, tuple(contacted), tuple(held), note)


def load(workspace: Workspace, campaign_id: int) -> Campaign:
    """A recorded campaign with its lists (to export the contact list again)."""
    with workspace.cursor() as cur:
        row = cur.execute("select id, tier, channel, sent_on, holdout_share, note from campaigns where id = ?",
                          [int(campaign_id)]).fetchone()
        if row is None:
            raise CampaignError("improvements.error.campaign_unknown", id=campaign_id)
        members = cur.execute("select customer_id, is_holdout from campaign_customers where campaign_id = ? "
                              "order by customer_id", [int(campaign_id)]).fetchall()
    return Campaign(int(row[0]), row[1], row[2], row[3], float(row[4]),
                    tuple(c for c, h in members if not h), tuple(c for c, h in members if h), row[5])


def listing(workspace: Workspace) -> pd.DataFrame:
    """Every campaign, newest send day first: id, tier, channel, sent_on, holdout_share, contacted, holdout, note."""
    with workspace.cursor() as cur:
        return cur.execute(
            """select c.id, c.tier, c.channel, c.sent_on, c.holdout_share,
                      count(m.customer_id) filter (where not m.is_holdout) as contacted,
                      count(m.customer_id) filter (where m.is_holdout) as holdout, c.note
               from campaigns c left join campaign_customers m on m.campaign_id = c.id
               group by all order by c.sent_on desc, c.id desc""").fetchdf()


def delete(workspace: Workspace, campaign_id: int) -> None:
    """Forget a campaign recorded by mistake, with its lists."""
    load(workspace, campaign_id)  # unknown ids are refused by name
    with transaction(workspace) as cur:
        cur.execute("delete from campaign_customers where campaign_id = ?", [int(campaign_id)])
        cur.execute("delete from campaigns where id = ?", [int(campaign_id)])


def version(workspace: Workspace) -> tuple[int, int]:
    """(campaigns, their highest id): with the data version, what campaign results depend on."""
    with workspace.cursor() as cur:
        count, top = cur.execute("select count(*), coalesce(max(id), 0) from campaigns").fetchone()
    return int(count), int(top)


# ------------------------------------------------------------------------------------------- statistics


def _z(confidence: float = CONFIDENCE) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(count: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for one rate."""
    z = _z(confidence)
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(count1: int, n1: int, count2: int, n2: int,
                      confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for rate1 - rate2."""
    p1, p2 = count1 / n1, count2 / n2
    low1, high1 = wilson(count1, n1, confidence)
    low2, high2 = wilson(count2, n2, confidence)
    diff = p1 - p2
    return (diff - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
            diff + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2))


def two_proportion_p_value(count1: int, n1: int, count2: int, n2: int) -> float | None:
    """Two-sided z-test of equal rates with the pooled rate; None when nobody or everybody bought (no spread)."""
    pooled = (count1 + count2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if spread <= 0:
        return None
    z = (count1 / n1 - count2 / n2) / math.sqrt(spread)
    return math.erfc(abs(z) / math.sqrt(2))


# ------------------------------------------------------------------------------------------- results


def _windows(windows) -> list[int]:
    try:
        days = sorted({int(w) for w in windows})
    except (TypeError, ValueError):
        raise CampaignError("improvements.error.campaign_window", value=str(windows)) from None
    if not days or days[0] < 1:
        raise CampaignError("improvements.error.campaign_window", value=str(windows))
    return days


def results(workspace: Workspace, windows=WINDOWS) -> pd.DataFrame:
    """One row per campaign and window (oldest campaign first), columns RESULT_COLUMNS:

    contacted / holdout: customers in each group; bought_*: how many placed a non-cancelled order from the send
    day to before send day + window; rate_* = bought / customers; revenue_*: what they paid (net of refunds)
    in those days, and per customer of the group; lift = rate_contacted - rate_holdout with its 95% interval
    (lift_low, lift_high; Newcombe) and the z-test's p_value. days_observed: the window cut at the last order
    day; window_complete is False while it is cut, and the figures then cover only the days observed.
    `missing` names why a figure is empty (NaN or None): improvements.campaign.not_observed (no order data from the send day
    on: every figure None), .no_holdout (nobody held back: no holdout rate, lift or test), .no_variation
    (everybody or nobody bought in both groups: the test has nothing to go on, p_value None)."""
    counts = frame(workspace, "improvements/campaign_results", windows=_windows(windows))
    if counts.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    keys = ["campaign_id", "tier", "channel", "sent_on", "window_days", "days_observed", "window_complete"]
    contacted = counts[~counts["is_holdout"]].set_index(keys)
    held = counts[counts["is_holdout"]].set_index(keys)
    rows = [_result_row(key, contacted.loc[key], held.loc[key]) for key in contacted.index]
    table = _typed(pd.DataFrame(rows, columns=RESULT_COLUMNS), counts=("bought_contacted", "bought_holdout"))
    table["sent_on"] = pd.to_datetime(table["sent_on"]).dt.date
    return table.sort_values(["sent_on", "campaign_id", "window_days"], ignore_index=True)


def _typed(table: pd.DataFrame, counts=(), flags=()) -> pd.DataFrame:
    """Counts that may be missing as nullable integers, yes/no figures and reasons keeping None (not NaN)."""
    for column in counts:
        table[column] = table[column].astype("Int64")
    for column in (*flags, "missing"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def _result_row(key, contacted, held) -> dict:
    row = dict(zip(["campaign_id", "tier", "channel", "sent_on", "window_days", "days_observed", "window_complete"],
                   key))
    n1, x1, n2, x2 = int(contacted["customers"]), int(contacted["buyers"]), int(held["customers"]), int(held["buyers"])
    row.update(campaign_id=int(row["campaign_id"]), window_days=int(row["window_days"]),
               days_observed=int(row["days_observed"]), window_complete=bool(row["window_complete"]),
               contacted=n1, holdout=n2)
    empty = dict.fromkeys(["bought_contacted", "rate_contacted", "bought_holdout", "rate_holdout", "revenue_contacted",
                           "revenue_holdout", "revenue_per_contacted", "revenue_per_holdout", "lift", "lift_low",
                           "lift_high", "p_value"])
    row.update(empty, missing=None)
    if row["days_observed"] == 0:
        row["missing"] = "improvements.campaign.not_observed"
        return row
    row.update(bought_contacted=x1, revenue_contacted=float(contacted["revenue"]))
    if n1:
        row.update(rate_contacted=x1 / n1, revenue_per_contacted=float(contacted["revenue"]) / n1)
    if n2 == 0 or n1 == 0:
        row["missing"] = "improvements.campaign.no_holdout"
        return row
    row.update(bought_holdout=x2, rate_holdout=x2 / n2, revenue_holdout=float(held["revenue"]),
               revenue_per_holdout=float(held["revenue"]) / n2, lift=x1 / n1 - x2 / n2)
    row["lift_low"], row["lift_high"] = newcombe_interval(x1, n1, x2, n2)
    row["p_value"] = two_proportion_p_value(x1, n1, x2, n2)
    if row["p_value"] is None:
        row["missing"] = "improvements.campaign.no_variation"
    return row


def tier_kpis(workspace: Workspace, window: int = 30) -> pd.DataFrame:
    """Per tier (the playbook's four, then any other a campaign named), columns KPI_COLUMNS: the conversion of
    the contacted customers pooled over the tier's campaigns whose `window` is complete (bought / contacted
    summed over campaigns), the holdout's alongside, the playbook's target and whether it is met
    (conversion >= target). Campaigns still inside their window are left out: their figures would still grow.
    `missing`: improvements.campaign.no_measured_campaign (conversion None), or .no_target (Normal: the
    playbook sets none; target_met None)."""
    table = results(workspace, windows=(window,))
    measured = table[table["window_complete"]] if not table.empty else table
    tiers = list(TIERS) + sorted(set(measured["tier"]) - set(TIERS)) if not measured.empty else list(TIERS)
    rows = []
    for tier in tiers:
        part = measured[measured["tier"] == tier] if not measured.empty else measured
        target = TARGETS.get(tier)
        row = dict.fromkeys(KPI_COLUMNS)
        row.update(tier=tier, campaigns=len(part), target=target)
        if part.empty:
            row["missing"] = "improvements.campaign.no_measured_campaign"
            rows.append(row)
            continue
        contacted, bought = int(part["contacted"].sum()), int(part["bought_contacted"].sum())
        row.update(contacted=contacted, bought_contacted=bought, conversion=bought / contacted)
        with_holdout = part[part["holdout"] > 0]
        if not with_holdout.empty:
            held, held_bought = int(with_holdout["holdout"].sum()), int(with_holdout["bought_holdout"].sum())
            row.update(holdout=held, bought_holdout=held_bought, conversion_holdout=held_bought / held)
        if target is None:
            row["missing"] = "improvements.campaign.no_target"
        else:
            row["target_met"] = bool(row["conversion"] >= target)
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=KPI_COLUMNS), counts=("contacted", "bought_contacted", "holdout",
                                                                  "bought_holdout"), flags=("target_met",))


# ------------------------------------------------------------------------------------------- tiers by month

MONTH_COLUMNS = ["month", "tier", "month_complete", "tier_customers", "customers_before_month", "repeat_buyers",
                 "repurchase_rate", "previous_month_buyers", "retained_buyers", "retention_rate",
                 "repurchase_missing", "retention_missing"]


def tier_month_rates(workspace: Workspace, tiers: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """Monthly repurchase and retention per tier for the last `months` calendar months of the order data
    (from the first order's month at the earliest), columns MONTH_COLUMNS, by month then tier.

    `tiers`: each customer's tier (customer_id, tier), as the Customer tiers page works them out; a customer
    counts in that one tier in every month (today's VIPs, followed back), so the rates say how each tier's
    customers buy, not how the tier's membership changed.
    * repurchase_rate = repeat_buyers / customers_before_month: of the tier's customers whose first paid order
      came before the month, the share who placed a paid order in it; a first order is not a repurchase.
    * retention_rate = retained_buyers / previous_month_buyers: of the tier's customers who bought in the month
      before, the share who bought in this month too.
    Cancelled orders count as no order. month_complete is False for a month the data ends inside (its rates
    are still growing). A rate is empty (NaN) with its reason (improvements.campaign.no_base_customers,
    .no_previous_buyers) when nobody could be counted."""
    if months < 1:
        raise CampaignError("improvements.error.campaign_months", value=months)
    if tiers is None or tiers.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    relation = tiers[["customer_id", "tier"]].astype(str)
    table = frame(workspace, "improvements/tier_month_rates", relations={"customer_tiers": relation}, months=int(months))
    if table.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    table["month"] = pd.to_datetime(table["month"]).dt.date
    table["repurchase_missing"] = [None if pd.notna(r) else "improvements.campaign.no_base_customers"
                                   for r in table["repurchase_rate"]]
    table["retention_missing"] = [None if pd.notna(r) else "improvements.campaign.no_previous_buyers"
                                  for r in table["retention_rate"]]
    order = {t: i for i, t in enumerate(TIERS)}
    table["_order"] = [order.get(t, len(order)) for t in table["tier"]]
    table = table.sort_values(["month", "_order", "tier"], ignore_index=True)
    return table[MONTH_COLUMNS]


# ------------------------------------------------------------------------------------------- the demo

DEMO_LISTS = (  # list rule (campaign_demo_lists.sql), tier, channel, sent on
    ("win_back", "Churned", "sms", date(2026, 8, 4)),
    ("top_spenders", "VIP", "call", date(2026, 9, 1)),
    ("one_order", "Potential", "sms", date(2026, 9, 15)),
)
DEMO_HOLDOUT_SHARE = 0.2  # a larger holdout than the default, so the demo's intervals are readable
DEMO_TOP_SPENDERS = 400


def demo_campaigns(workspace: Workspace) -> list[dict]:
    """The demo shop's campaigns, as keyword arguments for `record`: a Churned-like win-back SMS (last order 90
    to 180 days before), a call to VIP-like top spenders and an SMS to Potential-like one-order customers,
    sent in Aug and Sep 2026 so their 30-day windows are observed (the demo's orders end on 2026-10-31).

    The demo's orders were generated without any campaign: nobody was actually contacted, so the measured lift
    is near 0 and rarely significant. That is the honest reading of these lists, and what a touch that
    changes nothing looks like."""
    lists = frame(workspace, "improvements/campaign_demo_lists", win_back_on=DEMO_LISTS[0][3],
                  top_spenders_on=DEMO_LISTS[1][3], one_order_on=DEMO_LISTS[2][3], top_spenders=DEMO_TOP_SPENDERS)
    found = []
    for rule, tier, channel, sent_on in DEMO_LISTS:
        ids = sorted(lists.loc[lists["list_name"] == rule, "customer_id"].astype(str))
        if ids:
            found.append({"tier": tier, "channel": channel, "sent_on": sent_on, "customer_ids": ids,
                          "holdout_share": DEMO_HOLDOUT_SHARE})
    return found


def record_demo_campaigns(workspace: Workspace) -> list[Campaign]:
    """Record `demo_campaigns` (called by the demo build before the demo is marked read-only)."""
    return [record(workspace, **kwargs) for kwargs in demo_campaigns(workspace)]
