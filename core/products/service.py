"""The Products page's one door to core, and the CLI's: how each product sells, what sells together, what
will sell in the coming weeks, and what to reorder. Orders alone give the first three; stock figures need
the inventory file, and without it the replenishment plan says so instead of guessing.

No setting is read: every figure here follows from the data and the arguments, so results cache on the
data version alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from core.data.service import shop_currency
from core.diagnosis.service import DataRange
from core.platform.i18n import translate
from core.products import basket, forecast, replenishment
from core.products import performance as product_performance
from core.products.forecast import Forecasts
from core.products.performance import Performance
from core.sales import service as sales

Rules = basket.Rules
CrossSell = basket.CrossSell
STATUSES = replenishment.STATUSES
DEFAULT_MIN_SUPPORT, DEFAULT_MIN_CONFIDENCE = basket.DEFAULT_MIN_SUPPORT, basket.DEFAULT_MIN_CONFIDENCE
SLOW_DAYS = product_performance.SLOW_DAYS
HORIZON, MIN_HORIZON, MAX_HORIZON = 8, forecast.MIN_HORIZON, forecast.MAX_HORIZON
LEAD_TIME_DAYS, SERVICE_LEVEL = replenishment.LEAD_TIME_DAYS, replenishment.SERVICE_LEVEL
OVERSTOCK_DAYS, ORDER_COVER_DAYS = replenishment.OVERSTOCK_DAYS, replenishment.ORDER_COVER_DAYS
NEEDS_INVENTORY = replenishment.NEEDS_INVENTORY
SUPPLIER_COLUMNS = ("sku", "product_name", "on_hand", "lead_time_days", "daily_demand", "days_of_cover",
                    "reorder_point", "suggested_order", "status")


def date_range(workspace) -> DataRange:
    """The first and last day with an order: a period is picked inside it."""
    return sales.date_range(workspace)


@dataclass(frozen=True)
class ProductView:
    performance: Performance
    currency: str | None  # the shop's currency code, None when the orders name none


def products(workspace, start: date, end: date, slow_days: int = SLOW_DAYS) -> ProductView:
    """Each product and category in start..end against the period before, ABC classes, slow movers, new."""
    return ProductView(product_performance.performance(workspace, start, end, slow_days), shop_currency(workspace))


def bought_together(workspace, min_support: float = DEFAULT_MIN_SUPPORT,
                    min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Rules:
    """Rules one product -> one product meeting both minimums, strongest lift first (see basket.py)."""
    return basket.rules(workspace, min_support, min_confidence)


def every_rule(workspace) -> Rules:
    """Every pair's rules, no minimums: the page reads the rules meeting its sliders' minimums from it
    (`rules_meeting`), so moving a slider filters instead of counting the orders again."""
    return basket.rules(workspace, 0.0, 0.0)


def rules_meeting(every: Rules, min_support: float = DEFAULT_MIN_SUPPORT,
                  min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Rules:
    """The rules of `every` (`every_rule`) meeting both minimums: the rules `bought_together` gives for them.
    The query keeps a rule when its support and confidence reach the minimums, and leaves out products below
    the minimum support only because no pair of theirs could reach it; the counts, names and order of the
    rules left do not depend on the minimums."""
    table = every.table
    kept = table[(table["support"] >= float(min_support)) & (table["confidence"] >= float(min_confidence))]
    return Rules(every.orders, every.multi_product_orders, float(min_support), float(min_confidence),
                 kept.reset_index(drop=True), every.missing)


def cross_sell(workspace, top: int = 5) -> CrossSell:
    """What to recommend to customers worth growing: the strongest pairs, read the way shoppers follow them."""
    return basket.cross_sell_suggestions(workspace, top)


@dataclass(frozen=True)
class Demand:
    forecasts: Forecasts
    history: pd.DataFrame  # sku, week_start, units: the weeks each forecast learnt from
    names: pd.DataFrame  # sku, product_name: what the owner calls each SKU

    def of(self, sku: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """One SKU's history and forecast, for its chart."""
        return (self.history[self.history["sku"] == sku].reset_index(drop=True),
                self.forecasts.forecasts[self.forecasts.forecasts["sku"] == sku].reset_index(drop=True))


def demand(workspace, horizon: int = HORIZON, as_of: date | None = None) -> Demand:
    """Weekly units per SKU for the next `horizon` weeks with an 80% band, each SKU's method and its measured
    accuracy; `as_of` defaults to the day after the last order, and only orders before it are used."""
    return demand_for(workspace, demand_history(workspace, as_of), horizon)


@dataclass(frozen=True)
class DemandHistory:
    as_of: date | None  # the day the forecast starts; None without orders
    weekly: pd.DataFrame | None  # forecast.weekly_units before as_of; None without orders
    names: pd.DataFrame  # sku, product_name


def demand_history(workspace, as_of: date | None = None) -> DemandHistory:
    """What a forecast of any horizon learns from, read once (`demand_for`): moving the horizon forecasts again
    without reading the orders again. `as_of` as for `demand`."""
    if as_of is None:
        last = sales.date_range(workspace).last
        as_of = None if last is None else last + timedelta(days=1)
    weekly = None if as_of is None else forecast.weekly_units(workspace, as_of)
    return DemandHistory(as_of, weekly, product_performance.product_names(workspace))


def demand_for(workspace, history: DemandHistory, horizon: int = HORIZON) -> Demand:
    """`demand` from its history (`demand_history`); without orders before as_of the forecast says so, as
    `forecast.forecast_workspace` does (which then reads nothing heavy)."""
    if history.weekly is None or history.weekly.empty:
        found = forecast.forecast_workspace(workspace, horizon, history.as_of)
    else:
        found = forecast.forecast(history.weekly, horizon, history.as_of)
    weekly = found.history if found.history is not None else pd.DataFrame(columns=["sku", "week_start", "units"])
    return Demand(found, weekly, history.names)


@dataclass(frozen=True)
class StockPlan:
    plan: pd.DataFrame  # replenishment.COLUMNS plus product_name, method; stock-out risks first
    as_of: date | None  # the day the forecast starts
    missing: str | None  # NEEDS_INVENTORY without stock figures; then `plan` is empty

    def counts(self) -> dict[str, int]:
        """SKUs per status, every status present."""
        return {status: int((self.plan["status"] == status).sum()) for status in STATUSES}


def expected_daily_demand(found: Forecasts, history: pd.DataFrame) -> pd.DataFrame:
    """sku, daily_demand, daily_demand_sd, method: from the forecast where there is one (the mean week over the
    horizon; a week's spread from the first week's band, which is the one-step error before it widens), else
    from the average week since the SKU's first sale, without a spread (too little history for one)."""
    rows = found.forecasts
    if rows.empty:
        weekly = pd.DataFrame(columns=["sku", "units", "lower", "upper", "method"])
    else:
        first = rows.sort_values("week_start").groupby("sku").first()
        mean = rows.groupby("sku")["units"].mean()
        spread = (first["high"] - first["units"]).clip(lower=0)  # low is cut at 0, high is not
        weekly = pd.DataFrame({"units": mean, "lower": mean - spread, "upper": mean + spread,
                               "method": first["method"]}).rename_axis("sku").reset_index()
    left = history[~history["sku"].isin(weekly["sku"])]
    average = left.groupby("sku")["units"].mean().rename("units").reset_index().assign(
        lower=float("nan"), upper=float("nan"), method="recent_average")
    weekly = pd.concat([weekly, average], ignore_index=True) if not average.empty else weekly
    daily = replenishment.daily_from_weekly(weekly, level=found.level)
    return daily.assign(method=weekly["method"].to_numpy())


@dataclass(frozen=True)
class Stock:
    on_hand: pd.DataFrame  # replenishment.stock: one row per inventory SKU; empty without the inventory file
    missing: str | None  # NEEDS_INVENTORY when there is no stock to plan from


def stock(workspace) -> Stock:
    """The inventory file's stock position, read once for every choice of the plan's inputs."""
    on_hand = replenishment.stock(workspace)
    return Stock(on_hand, NEEDS_INVENTORY if on_hand.empty else None)


def restock(workspace, lead_time_days: float = LEAD_TIME_DAYS, service_level: float = SERVICE_LEVEL,
            overstock_days: float = OVERSTOCK_DAYS, order_cover_days: float = ORDER_COVER_DAYS,
            horizon: int = HORIZON) -> StockPlan:
    """Per SKU in the inventory file: daily demand from the forecast, days of cover, the reorder point for the
    service level, the quantity to order and a status. `lead_time_days` is used where the file gives none."""
    held = stock(workspace)
    return restock_from(None if held.missing else demand(workspace, horizon), held, lead_time_days, service_level,
                        overstock_days, order_cover_days)


def restock_from(found: Demand | None, held: Stock, lead_time_days: float = LEAD_TIME_DAYS,
                 service_level: float = SERVICE_LEVEL, overstock_days: float = OVERSTOCK_DAYS,
                 order_cover_days: float = ORDER_COVER_DAYS) -> StockPlan:
    """`restock` from a forecast and a stock position already read (`demand`, `stock`): the page's inputs only
    change the plan, not what it is worked out from. `found` may be None when `held` is missing."""
    if held.missing:
        return StockPlan(pd.DataFrame(columns=[*replenishment.COLUMNS, "product_name", "method"]), None, held.missing)
    daily = expected_daily_demand(found.forecasts, found.history)
    plan = replenishment.plan(daily, held.on_hand, lead_time_days, service_level, overstock_days, order_cover_days)
    plan = plan.merge(found.names, on="sku", how="left").merge(daily[["sku", "method"]], on="sku", how="left")
    return StockPlan(plan, found.forecasts.as_of, None)


def supplier_file(plan: StockPlan, lang: str = "en", only_to_order: bool = True) -> pd.DataFrame:
    """The list for the supplier: SKUs to order (or all), headers in the reader's language, whole units and
    days, the status in words."""
    rows = plan.plan
    if only_to_order:
        rows = rows[rows["suggested_order"] > 0]
    rows = rows[list(SUPPLIER_COLUMNS)].copy()
    rows["daily_demand"] = rows["daily_demand"].round(2)
    rows["days_of_cover"] = rows["days_of_cover"].round(0).astype("Int64")
    rows["reorder_point"] = rows["reorder_point"].round(0).astype("Int64")
    rows["lead_time_days"] = rows["lead_time_days"].round(0).astype("Int64")
    rows["status"] = [translate(f"products.status.{status}", lang) for status in rows["status"]]
    return rows.rename(columns={column: translate(f"products.col.{column}", lang) for column in rows.columns})
