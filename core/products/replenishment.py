"""When to reorder and how much: per SKU, from expected daily demand, stock on hand and the supplier's
lead time, the reorder point for a chosen service level, the quantity to order and a status.

`plan` is pure (frames in, a frame out), so it is tested by hand and fed by whatever forecasts demand.
Expected demand (the lead feeds it from core/products/forecast.py's weekly forecast, see
`daily_from_weekly`): per SKU the mean units per day over the coming weeks and the standard deviation of
one day's units, days taken as independent, so lead-time demand has sd = daily sd x sqrt(lead time).

    safety stock    = z x daily sd x sqrt(lead time days), z the standard normal quantile of the service level
    reorder point   = daily demand x lead time days + safety stock
    days of cover   = on hand / daily demand (None without demand: the stock never runs out, no number of days)
    suggested order = when on hand <= reorder point: reorder point + order-cover days of demand - on hand,
                      rounded up to whole units; else 0
    status          = stockout_risk: on hand <= reorder point (a reorder point above 0: with no demand at all
                      there is nothing to run out of); overstock: more days of cover than `overstock_days`, or
                      stock that nothing is expected to sell; else ok
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from core.platform import queries
from core.platform.workspace import Workspace

SERVICE_LEVEL = 0.95  # chance of not running out while an order is on its way
LEAD_TIME_DAYS = 14  # the default when the inventory file gives none for a SKU
OVERSTOCK_DAYS = 90  # more cover than this ties up cash
ORDER_COVER_DAYS = 30  # an order brings stock up to the reorder point plus this many days of demand
INTERVAL_LEVEL = 0.80  # the forecast interval `daily_from_weekly` reads by default (10%..90%)

STOCKOUT_RISK, OK, OVERSTOCK = "stockout_risk", "ok", "overstock"
STATUSES = (STOCKOUT_RISK, OK, OVERSTOCK)  # catalog keys products.status.<status>

NEEDS_INVENTORY = "products.missing.needs_inventory"  # reason key: stock figures need the inventory file

COLUMNS = ["sku", "on_hand", "lead_time_days", "lead_time_from_file", "daily_demand", "daily_demand_sd",
           "days_of_cover", "safety_stock", "reorder_point", "suggested_order", "status"]


def stock(workspace: Workspace) -> pd.DataFrame:
    """sku, category, on_hand, lead_time_days (NaN: not in the file), unit_cost, listed_date per inventory SKU."""
    found = queries.frame(workspace, "products/stock_position")
    found["on_hand"] = found["on_hand"].astype("int64")
    found["lead_time_days"] = pd.to_numeric(found["lead_time_days"]).astype(float)  # a nullable integer: NaN, not NA
    return found


def missing_stock(workspace: Workspace) -> str | None:
    """The reason key when there is no inventory file to plan from, else None."""
    return NEEDS_INVENTORY if stock(workspace).empty else None


def daily_from_weekly(weekly: pd.DataFrame, level: float = INTERVAL_LEVEL) -> pd.DataFrame:
    """Daily demand from a weekly forecast: columns sku, units (mean units per week over the horizon),
    lower and upper (the central `level` interval of one week's units). Returns sku, daily_demand,
    daily_demand_sd.

    A week's sd is read off the interval as (upper - lower) / (2 z), z the normal quantile of
    (1 + level) / 2; a day's mean is a seventh of the week's and, days independent, its sd the week's
    over sqrt(7). Without an interval (lower/upper missing) the sd is NaN and `plan` counts no safety stock
    for it; the lead may pass the backtest error instead."""
    z = NormalDist().inv_cdf((1 + level) / 2)
    weekly_sd = (weekly["upper"] - weekly["lower"]).clip(lower=0) / (2 * z)
    return pd.DataFrame({
        "sku": weekly["sku"].to_numpy(),
        "daily_demand": weekly["units"].to_numpy(dtype=float) / 7,
        "daily_demand_sd": weekly_sd.to_numpy(dtype=float) / math.sqrt(7),
    })


def plan(demand: pd.DataFrame, stock: pd.DataFrame, lead_time_days: float = LEAD_TIME_DAYS,
         service_level: float = SERVICE_LEVEL, overstock_days: float = OVERSTOCK_DAYS,
         order_cover_days: float = ORDER_COVER_DAYS) -> pd.DataFrame:
    """One row per SKU of `stock` (sku, on_hand, lead_time_days: NaN/None for the default), with `demand`
    (sku, daily_demand, daily_demand_sd) joined on sku; a SKU the demand lacks is taken to sell nothing
    (the forecast covers every SKU that sold). Columns: COLUMNS; days_of_cover is NaN without demand.
    Stock-out risks first (largest order first), then ok, then overstock."""
    if not 0 < service_level < 1:
        raise ValueError("service_level must be between 0 and 1")
    if lead_time_days < 0 or overstock_days < 0 or order_cover_days < 0:
        raise ValueError("days must not be negative")
    z = NormalDist().inv_cdf(service_level)
    given = stock[["sku", "on_hand"]].copy()
    lead = pd.to_numeric(stock.get("lead_time_days", pd.Series(np.nan, index=stock.index)), errors="coerce")
    given["lead_time_from_file"] = lead.notna() & (lead >= 0)
    given["lead_time_days"] = lead.where(given["lead_time_from_file"], float(lead_time_days)).astype(float)
    rows = given.merge(demand[["sku", "daily_demand", "daily_demand_sd"]], on="sku", how="left")
    d = rows["daily_demand"].fillna(0.0).clip(lower=0).to_numpy(dtype=float)
    sd = rows["daily_demand_sd"].fillna(0.0).clip(lower=0).to_numpy(dtype=float)
    on_hand = rows["on_hand"].to_numpy(dtype=float)
    days = rows["lead_time_days"].to_numpy(dtype=float)

    safety = z * sd * np.sqrt(days)
    reorder_point = d * days + safety
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(d > 0, on_hand / d, np.nan)
    at_risk = (reorder_point > 0) & (on_hand <= reorder_point)
    # a hair under a whole unit is that unit: 12.0000000001 from float arithmetic is an order of 12, not 13
    wanted = np.ceil(reorder_point + order_cover_days * d - on_hand - 1e-9)
    order = np.where(at_risk, np.maximum(wanted, 0), 0).astype(np.int64)
    over = ~at_risk & (np.where(d > 0, cover > overstock_days, on_hand > 0))
    status = np.where(at_risk, STOCKOUT_RISK, np.where(over, OVERSTOCK, OK))

    result = pd.DataFrame({
        "sku": rows["sku"], "on_hand": rows["on_hand"], "lead_time_days": days,
        "lead_time_from_file": rows["lead_time_from_file"].astype(bool), "daily_demand": d,
        "daily_demand_sd": sd, "days_of_cover": cover, "safety_stock": safety, "reorder_point": reorder_point,
        "suggested_order": order, "status": status,
    }, columns=COLUMNS)
    rank = result["status"].map({s: i for i, s in enumerate(STATUSES)})
    return (result.assign(_rank=rank).sort_values(["_rank", "suggested_order", "sku"], ascending=[True, False, True])
            .drop(columns="_rank").reset_index(drop=True))
