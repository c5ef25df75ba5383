"""The conversion funnel: where users leave, how many, and what usually causes it.

A stage that loses more than 40% of the users who reached it is a leak (the playbook's line).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace

LEAK_THRESHOLD = 0.40

# The playbook's usual causes, by the step a user fails to take next.
CAUSES_BY_KEYWORD = (
    (("home", "landing", "首页"), "funnel.cause.slow_first_screen"),
    (("category", "list", "search", "类目", "列表", "搜索"), "funnel.cause.category_tree"),
    (("detail", "product", "详情", "商品"), "funnel.cause.size_guidance"),
    (("cart", "购物车", "加购"), "funnel.cause.stock_accuracy"),
    (("checkout", "order", "结算", "下单"), "funnel.cause.shipping_fees"),
)
CAUSES_BY_POSITION = [key for _, key in CAUSES_BY_KEYWORD]


def cause_for(stage: str, position: int) -> str:
    """The likely cause of users leaving `stage`: by its name, else by its place in a standard funnel."""
    name = stage.lower()
    for words, key in CAUSES_BY_KEYWORD:
        if any(word in name for word in words):
            return key
    return CAUSES_BY_POSITION[position] if position < len(CAUSES_BY_POSITION) else "funnel.cause.generic"


def analyse(stages: pd.DataFrame) -> pd.DataFrame:
    """Add `flagged` and `cause` to a funnel table with stage, entered, lost and loss_rate columns."""
    table = stages.reset_index(drop=True).copy()
    table["flagged"] = table["loss_rate"].fillna(0) > LEAK_THRESHOLD
    table["cause"] = [
        cause_for(stage, position) if flagged else None
        for position, (stage, flagged) in enumerate(zip(table["stage"], table["flagged"]))
    ]
    return table


def from_counts(stage_names: list[str], users: list[int]) -> pd.DataFrame:
    """A funnel from plain numbers (the playbook's example, a typed-in funnel)."""
    frame = pd.DataFrame({"step": range(1, len(users) + 1), "stage": stage_names, "entered": users})
    next_entered = frame["entered"].shift(-1)
    frame["lost"] = frame["entered"] - next_entered
    frame["loss_rate"] = frame["lost"] / frame["entered"]
    frame["conversion_from_top"] = frame["entered"] / frame["entered"].iloc[0]
    return analyse(frame)


def segments(workspace: Workspace) -> list[str]:
    """The segments a funnel can be shown for, 'all' first; several segments without an 'all' row
    are added up as 'all' (as `funnel` does), so the first choice is always the default funnel."""
    with workspace.cursor() as cur:
        found = [row[0] for row in cur.execute(
            "select distinct segment from funnel_stages order by segment = 'all' desc, segment").fetchall()]
    return ["all", *found] if len(found) > 1 and "all" not in found else found


def funnel(workspace: Workspace, segment: str | None = None, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One segment's funnel for a period. Without an 'all' segment, the segments are added up."""
    table = queries.frame(workspace, "diagnosis/funnel", start=start, end=end)
    if table.empty:
        return table
    available = set(table["segment"])
    if segment is None:
        segment = "all" if "all" in available or len(available) > 1 else next(iter(available))
    if segment == "all" and "all" not in available:
        summed = table.groupby("step", as_index=False).agg(stage=("stage", "first"), entered=("entered", "sum"))
        return from_counts(list(summed["stage"]), list(summed["entered"]))
    chosen = table[table["segment"] == segment].drop(columns="segment")
    return analyse(chosen)


def by_segment(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Every segment's funnel side by side, for the device/channel split."""
    table = queries.frame(workspace, "diagnosis/funnel", start=start, end=end)
    return table[table["segment"] != "all"].reset_index(drop=True)


def has_dates(workspace: Workspace) -> bool:
    with workspace.cursor() as cur:
        return cur.execute("select count(date) > 0 from funnel_stages").fetchone()[0]


def against(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Each stage's loss rate now and in an earlier period, matched by step (empty without an earlier funnel)."""
    columns = ["step", "stage", "loss_rate", "loss_rate_before"]
    if now.empty or before.empty:
        return pd.DataFrame(columns=columns)
    earlier = before[["step", "loss_rate"]].rename(columns={"loss_rate": "loss_rate_before"})
    return now[["step", "stage", "loss_rate"]].merge(earlier, on="step", how="left")[columns]


def split(workspace: Workspace, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """`by_segment`, or nothing when there are fewer than two segments to set side by side."""
    table = by_segment(workspace, start, end)
    return table if table["segment"].nunique() > 1 else table.iloc[0:0]
