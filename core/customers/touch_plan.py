"""The touch plan per tier (the playbook's table) and the contact caps it must respect.

Caps: at most 2 SMS a month and 1 phone call a quarter per customer; a VIP's discounts over a year
at most 15% of what that customer spends. The discount share is the offer's percentage times the
share of the customer's orders that can use an offer: min(offers a year, orders a year) / orders a year.
The cap is a share, so it fits any shop; in money it follows the VIP line in force.

The Potential coupon ("spend 300, save 50") is in the playbook's money: its texts take the amounts as
parameters, scaled like the Potential line (tier_lines.money_texts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from core.platform import settings
from core.platform.workspace import Workspace

SMS_PER_MONTH_CAP = 2
CALLS_PER_QUARTER_CAP = 1
VIP_DISCOUNT_SHARE_CAP = 0.15
COUPON_SPEND, COUPON_SAVE = 300, 50  # the Potential coupon, in the playbook's money
TIERS = ("VIP", "Potential", "Normal", "Churned")
SETTINGS_KEY = "tiers.plan"
TEXT_COLUMNS = ("channel", "content", "schedule", "owner", "kpi")
COUNT_COLUMNS = ("sms_per_month", "calls_per_quarter", "offers_per_year", "discount_percent")


@dataclass
class Touch:
    tier: str
    channel: str
    content: str
    schedule: str
    owner: str
    kpi: str
    sms_per_month: float = 0
    calls_per_quarter: float = 0
    offers_per_year: float = 0
    discount_percent: float = 0


# Default texts are catalog keys, shown in the user's language; text the owner types is kept as typed.
DEFAULT_PLAN = [
    Touch("VIP", "plan.vip.channel", "plan.vip.content", "plan.vip.schedule", "plan.owner.account_manager",
          "plan.vip.kpi", calls_per_quarter=1, offers_per_year=4, discount_percent=10),
    Touch("Potential", "plan.potential.channel", "plan.potential.content", "plan.potential.schedule",
          "plan.owner.crm", "plan.potential.kpi", sms_per_month=2, offers_per_year=12,
          discount_percent=round(100 * COUPON_SAVE / COUPON_SPEND, 1)),
    Touch("Normal", "plan.normal.channel", "plan.normal.content", "plan.normal.schedule", "plan.owner.crm",
          "plan.normal.kpi", offers_per_year=4, discount_percent=5),
    Touch("Churned", "plan.churned.channel", "plan.churned.content", "plan.churned.schedule", "plan.owner.crm",
          "plan.churned.kpi", offers_per_year=2, discount_percent=20),
]


def load_plan(workspace: Workspace) -> list[Touch]:
    saved = settings.get(workspace, SETTINGS_KEY)
    if not saved:
        return [Touch(**asdict(t)) for t in DEFAULT_PLAN]
    return from_rows(saved)


def from_rows(rows: list[dict]) -> list[Touch]:
    """Touches from table rows (saved JSON or the page's editor); columns from an older version are ignored."""
    names = {f.name for f in fields(Touch)}
    return [Touch(**{k: v for k, v in row.items() if k in names}) for row in rows]


def save_plan(workspace: Workspace, plan: list[Touch]) -> None:
    settings.put(workspace, SETTINGS_KEY, [asdict(t) for t in plan])


def cap_warnings(plan: list[Touch], vip_orders_per_year: float | None) -> list[tuple[str, dict]]:
    """(catalog key, params) for every cap the plan breaks."""
    warnings = []
    for touch in plan:
        if touch.sms_per_month > SMS_PER_MONTH_CAP:
            warnings.append(("plan.warn.sms", {"tier": touch.tier, "count": touch.sms_per_month, "cap": SMS_PER_MONTH_CAP}))
        if touch.calls_per_quarter > CALLS_PER_QUARTER_CAP:
            warnings.append(("plan.warn.calls", {"tier": touch.tier, "count": touch.calls_per_quarter,
                                                 "cap": CALLS_PER_QUARTER_CAP}))
        if touch.tier == "VIP" and vip_orders_per_year:
            share = vip_discount_share(touch, vip_orders_per_year)
            if share > VIP_DISCOUNT_SHARE_CAP:
                warnings.append(("plan.warn.vip_discount", {"share": f"{share:.0%}", "cap": f"{VIP_DISCOUNT_SHARE_CAP:.0%}"}))
    return warnings


def vip_discount_share(touch: Touch, orders_per_year: float) -> float:
    used = min(touch.offers_per_year, orders_per_year) / orders_per_year
    return touch.discount_percent / 100 * used


def vip_orders_per_year(customers, as_of: date, first_order_day: date, window_days: int | None) -> float | None:
    """How often a VIP orders in a year, the base of the discount cap: the VIPs' average order count over
    the years the counted orders span (the window, or all history but at least a year). None without VIPs."""
    orders = customers["frequency"].to_numpy()[(customers["tier"] == "VIP").to_numpy()]
    if not len(orders):
        return None
    years = max(1.0, (as_of - first_order_day).days / 365) if window_days is None else window_days / 365
    return float(orders.mean() / years)
