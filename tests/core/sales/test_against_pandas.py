"""The Sales service against an independent pandas computation on a larger generated shop: the demo shop's
generator (`python -m core sample --rows 5000`), loaded like an upload, recomputed from the raw CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from core.__main__ import main as cli
from core.data import ingest
from core.platform.workspace import Workspace
from core.sales import service
from tests.core.sales.tiny_shop import same

CANCELLED = ("cancelled", "canceled", "voided", "failed", "交易关闭", "已取消", "订单关闭")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(workspace, order lines as pandas read them from the CSV)."""
    folder = tmp_path_factory.mktemp("sample")
    assert cli(["sample", "--rows", "5000", "--out", str(folder)]) == 0
    csv = folder / "orders.csv"
    workspace = Workspace(folder / "sample.duckdb")
    ingest.load(workspace, csv, kind="orders")
    lines = pd.read_csv(csv, parse_dates=["order_time"])
    return workspace, lines


def orders_of(lines: pd.DataFrame) -> pd.DataFrame:
    orders = lines.groupby("order_id").agg(customer_id=("customer_id", "first"), ordered_at=("order_time", "min"),
                                           order_total=("order_total", "first"), refunded=("refunded_amount", "first"),
                                           status=("status", "first"))
    orders["day"] = orders["ordered_at"].dt.normalize()
    orders["revenue"] = orders["order_total"] - orders["refunded"]
    orders["cancelled"] = orders["status"].str.lower().isin(CANCELLED)
    return orders


def pandas_sales(lines: pd.DataFrame, by: str, start: date, end: date) -> list[dict]:
    orders = orders_of(lines)
    kept = orders[~orders["cancelled"]]
    first = kept.groupby("customer_id")["day"].min()
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[by]
    floor = {"day": lambda d: d, "week": lambda d: d - pd.Timedelta(days=d.weekday()), "month": lambda d: d.replace(day=1)}[by]
    rows = []
    for bucket in pd.date_range(floor(start_ts), floor(end_ts), freq=freq):
        nxt = bucket + {"day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7), "month": pd.DateOffset(months=1)}[by]
        lo, hi = max(bucket, start_ts), min(nxt - pd.Timedelta(days=1), end_ts)
        inside = kept[(kept["day"] >= lo) & (kept["day"] <= hi)]
        customers = inside["customer_id"].unique()
        new = int((first[customers] >= lo).sum())
        gmv, count = float(inside["revenue"].sum()), len(inside)
        rows.append({"period": bucket.strftime("%Y-%m" if by == "month" else "%Y-%m-%d"), "gmv": gmv, "orders": count,
                     "customers": len(customers), "new_customers": new, "returning_customers": len(customers) - new,
                     "aov": gmv / count if count else None})
    return rows


def test_the_generated_shop_has_what_the_checks_need(shop):
    orders = orders_of(shop[1])
    assert orders["cancelled"].sum() > 50 and (orders["refunded"] > 0).sum() > 50
    assert orders["customer_id"].nunique() > 1000 and (orders.groupby("customer_id").size() > 1).sum() > 200


def test_sales_by_month_over_all_the_orders(shop):
    workspace, lines = shop
    result = service.sales(workspace, "month")
    expected = pandas_sales(lines, "month", result.start, result.end)
    assert len(expected) == 12 and same(result.records(), expected)


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_sales_over_a_range_cut_inside_weeks_and_months(shop, by):
    workspace, lines = shop
    start, end = date(2026, 2, 11), date(2026, 5, 20)  # a Wednesday to a Wednesday
    assert same(service.sales(workspace, by, start, end).records(), pandas_sales(lines, by, start, end))


def test_overview_figures(shop):
    workspace, lines = shop
    start, end = date(2026, 8, 2), date(2026, 8, 31)
    result = {f.key: (f.value, f.before) for f in service.overview(workspace, start, end).figures}
    orders = orders_of(lines)
    kept = orders[~orders["cancelled"]]
    first = kept.groupby("customer_id")["day"].min()

    def figures(lo: date, hi: date) -> dict[str, float]:
        lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
        placed = orders[(orders["day"] >= lo) & (orders["day"] <= hi)]
        inside = placed[~placed["cancelled"]]
        customers = inside["customer_id"].unique()
        new = int((first[customers] >= lo).sum())
        gmv = inside["revenue"].sum()
        return {"gmv": gmv, "orders": len(inside), "units": lines[lines["order_id"].isin(inside.index)]["quantity"].sum(),
                "aov": gmv / len(inside), "customers": len(customers), "new_customers": new,
                "returning_customers": len(customers) - new, "returning_rate": (len(customers) - new) / len(customers),
                "refunded_orders": int((inside["refunded"] > 0).sum()), "refunded_amount": inside["refunded"].sum(),
                "cancelled_orders": int(placed["cancelled"].sum()),
                "cancelled_amount": placed.loc[placed["cancelled"], "order_total"].sum()}

    now, before = figures(start, end), figures(start - timedelta(days=30), start - timedelta(days=1))
    assert same(result, {key: (float(now[key]), float(before[key])) for key in now})


def test_top_products_and_categories(shop):
    workspace, lines = shop
    start, end = date(2026, 6, 1), date(2026, 8, 31)
    result = service.overview(workspace, start, end)
    previous = (result.previous_start, result.previous_end)
    orders = orders_of(lines)
    kept = lines[lines["order_id"].isin(orders.index[~orders["cancelled"]])].copy()
    kept["day"] = kept["order_id"].map(orders["day"])
    kept["sales"] = kept["quantity"] * kept["unit_price"] - kept["line_discount"]

    def ranked(key: str, label: str) -> list[list]:
        inside = kept[(kept["day"] >= pd.Timestamp(start)) & (kept["day"] <= pd.Timestamp(end))]
        then = kept[(kept["day"] >= pd.Timestamp(previous[0])) & (kept["day"] <= pd.Timestamp(previous[1]))]
        now = inside.groupby(key).agg(label=(label, "min"), units=("quantity", "sum"), sales=("sales", "sum"))
        now["before"] = then.groupby(key)["sales"].sum().reindex(now.index).fillna(0)
        now = now.reset_index().sort_values(["sales", "label"], ascending=[False, True]).head(10)
        return [[r.label, float(r.units), r.sales, r.before] for r in now.itertuples()]

    products = result.top_products
    assert same(products[["product_name", "units", "sales", "sales_before"]].values.tolist(), ranked("sku", "product_name"))
    categories = result.top_categories
    assert same(categories[["category", "units", "sales", "sales_before"]].values.tolist(), ranked("category", "category"))
    growth = products["sales"] / products["sales_before"].replace(0, float("nan")) - 1
    assert same(products["sales_growth"].tolist(), growth.tolist())


def test_cohorts_and_repeat_purchase(shop):
    workspace, lines = shop
    result = service.cohorts(workspace)
    orders = orders_of(lines)
    kept = orders[~orders["cancelled"]].copy()
    kept["month"] = kept["ordered_at"].dt.to_period("M")
    kept["cohort"] = kept.groupby("customer_id")["month"].transform("min")
    last = orders["ordered_at"].max().to_period("M")
    expected = []
    for cohort, rows in kept.groupby("cohort"):
        size = rows["customer_id"].nunique()
        months = range((last - cohort).n + 1)
        expected.append({
            "cohort": str(cohort), "customers": size,
            "retention": [rows.loc[rows["month"] == cohort + k, "customer_id"].nunique() / size for k in months],
            "revenue_per_customer": [rows.loc[rows["month"] <= cohort + k, "revenue"].sum() / size for k in months],
        })
    assert len(expected) == 12 and same(result.records(), expected)

    ordered = kept.reset_index().sort_values(["customer_id", "ordered_at", "order_id"])
    counts = ordered.groupby("customer_id").size()
    days = ordered.groupby("customer_id")["day"].apply(lambda d: (d.iloc[1] - d.iloc[0]).days if len(d) > 1 else None).dropna()
    assert result.repeat == service.RepeatPurchase(
        customers=len(counts), repeat_customers=int((counts > 1).sum()), repeat_rate=(counts > 1).mean(),
        median_days_to_second_order=float(days.median()))
