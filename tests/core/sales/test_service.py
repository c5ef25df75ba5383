"""The Sales service on the tiny shop of tiny_shop.py, every figure worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pandas as pd
import pytest

from core.diagnosis import service as diagnosis
from core.platform.i18n import Message
from core.platform.services import settings_keys
from core.sales import service
from tests.core.sales.tiny_shop import load_orders, same

MONTHS = [
    # Jan: J1 100 + J2 50; c1 and c2 order for the first time
    {"period": "2024-01", "gmv": 150.0, "orders": 2, "customers": 2, "new_customers": 2, "returning_customers": 0,
     "aov": 75.0},
    # Feb: F1 80 - 30 refunded + F3 70 (F2 cancelled); c2 ordered in Jan, c5 is new
    {"period": "2024-02", "gmv": 120.0, "orders": 2, "customers": 2, "new_customers": 1, "returning_customers": 1,
     "aov": 60.0},
    # Mar: M1 60 + M2 40 + M3 120; c1 back after February's gap, c3 new (its February order was cancelled), c4 new
    {"period": "2024-03", "gmv": 220.0, "orders": 3, "customers": 3, "new_customers": 2, "returning_customers": 1,
     "aov": 220 / 3},
    # Apr: A1 30 + A3 110 (A2 cancelled); c5 and c2 both ordered before
    {"period": "2024-04", "gmv": 140.0, "orders": 2, "customers": 2, "new_customers": 0, "returning_customers": 2,
     "aov": 70.0},
]


def test_sales_by_month_over_all_the_orders(tiny):
    result = service.sales(tiny, "month")
    assert (result.start, result.end, result.currency) == (date(2024, 1, 5), date(2024, 4, 20), "USD")
    assert same(result.records(), MONTHS)
    assert list(result.periods.columns) == [*service.SALES_FIELDS[:1], "period_start", *service.SALES_FIELDS[1:]]


def test_sales_by_week_lists_every_week_from_monday_even_without_orders(tiny):
    result = service.sales(tiny, "week", date(2024, 3, 22), date(2024, 4, 20))
    assert result.records() == [
        # Mar 22-24 (the week of Monday Mar 18, cut by the start): no orders, so no average order value
        {"period": "2024-03-18", "gmv": 0.0, "orders": 0, "customers": 0, "new_customers": 0, "returning_customers": 0,
         "aov": None},
        # M3 120: c4's first order
        {"period": "2024-03-25", "gmv": 120.0, "orders": 1, "customers": 1, "new_customers": 1, "returning_customers": 0,
         "aov": 120.0},
        # A1 30: c5 ordered in February
        {"period": "2024-04-01", "gmv": 30.0, "orders": 1, "customers": 1, "new_customers": 0, "returning_customers": 1,
         "aov": 30.0},
        # A2 was cancelled: nothing counts
        {"period": "2024-04-08", "gmv": 0.0, "orders": 0, "customers": 0, "new_customers": 0, "returning_customers": 0,
         "aov": None},
        # A3 110: c2, a customer since January
        {"period": "2024-04-15", "gmv": 110.0, "orders": 1, "customers": 1, "new_customers": 0, "returning_customers": 1,
         "aov": 110.0},
    ]


def test_a_period_cut_by_the_range_counts_only_its_days_inside(tiny):
    # March from the 5th: M2 (Mar 2) is outside; M1 60 (c1, returning) and M3 120 (c4, new)
    (march,) = service.sales(tiny, "month", date(2024, 3, 5), date(2024, 3, 31)).records()
    assert march == {"period": "2024-03", "gmv": 180.0, "orders": 2, "customers": 2, "new_customers": 1,
                     "returning_customers": 1, "aov": 90.0}
    # one day: F1, 80 net of the 30 refunded, c2's second order
    assert service.sales(tiny, "day", date(2024, 2, 3), date(2024, 2, 3)).records() == [
        {"period": "2024-02-03", "gmv": 50.0, "orders": 1, "customers": 1, "new_customers": 0, "returning_customers": 1,
         "aov": 50.0}]


def test_gmv_is_the_diagnosis_kpi(tiny):
    start, end = date(2024, 1, 22), date(2024, 4, 20)
    months = service.sales(tiny, "month", start, end).records()
    assert sum(m["gmv"] for m in months) == diagnosis.diagnose(tiny, start, end).current.gmv == 480.0


def test_an_unknown_grain_is_refused(tiny):
    with pytest.raises(Message) as refused:
        service.sales(tiny, "year")
    assert refused.value.key == "sales.error.grain"


def figures(result) -> dict[str, tuple]:
    return {f.key: (f.value, f.before, f.change, f.missing) for f in result.figures}


def test_overview_of_a_quarter_against_the_one_before(tiny):
    result = service.overview(tiny, date(2024, 1, 22), date(2024, 4, 20))
    assert (result.previous_start, result.previous_end) == (date(2023, 10, 24), date(2024, 1, 21))
    assert not result.previous_covered  # the orders start on Jan 5
    assert result.currency == "USD" and result.has_orders and result.missing == ()
    assert same(figures(result), {
        # kept orders now: F1 50 (80 - 30), F3 70, M2 40, M1 60, M3 120, A1 30, A3 110; before: J1 100, J2 50
        "gmv": (480.0, 150.0, 480 / 150 - 1, None),
        "orders": (7, 2, 7 / 2 - 1, None),
        # F1 1 + 1, F3 2, M2 1, M1 1, M3 2, A1 1, A3 1; before J1 2, J2 1
        "units": (10, 3, 10 / 3 - 1, None),
        "aov": (480 / 7, 75.0, 480 / 7 / 75 - 1, None),
        "customers": (5, 2, 5 / 2 - 1, None),
        # new: c5 (Feb 28), c3 (Mar 2; its cancelled F2 does not count), c4 (Mar 25); returning: c2, c1
        "new_customers": (3, 2, 3 / 2 - 1, None),
        "returning_customers": (2, 0, None, None),
        "returning_rate": (0.4, 0.0, 40.0, None),  # 2 of 5 against 0 of 2: +40 points
        "refunded_orders": (1, 0, None, None),  # F1
        "refunded_amount": (30.0, 0.0, None, None),
        "cancelled_orders": (2, 0, None, None),  # F2 200 and A2 90
        "cancelled_amount": (290.0, 0.0, None, None),
    })
    rate = next(f for f in result.figures if f.key == "returning_rate")
    assert rate.in_points and rate.unit == "rate"
    assert [f.key for f in result.figures if f.lower_is_better] == [
        "refunded_orders", "refunded_amount", "cancelled_orders", "cancelled_amount"]


def test_top_sellers_with_their_growth(tiny):
    result = service.overview(tiny, date(2024, 1, 22), date(2024, 4, 20))
    products = result.top_products
    # Mug: F1 60 + M3 2 x 60, before J1 2 x 50; Lamp: M1 60 + A3 110 (F2 cancelled), nothing before;
    # Tea: F1 20 + F3 2 x 35 + A1 30, before J2 50; Cocoa: M2 40
    assert products[["sku", "product_name", "units", "sales", "sales_before"]].values.tolist() == [
        ["S1", "Mug", 3, 180, 100], ["S3", "Lamp", 2, 170, 0], ["S2", "Tea", 4, 120, 50], ["S4", "Cocoa", 1, 40, 0]]
    assert same(products["sales_growth"].tolist(), [0.8, float("nan"), 1.4, float("nan")])
    categories = result.top_categories
    # Food = Tea 120 + Cocoa 40 against Tea's 50
    assert categories[["category", "units", "sales", "sales_before"]].values.tolist() == [
        ["Kitchen", 3, 180, 100], ["Home", 2, 170, 0], ["Food", 5, 160, 50]]
    assert same(categories["sales_growth"].tolist(), [0.8, float("nan"), 2.2])


def test_an_order_counts_on_its_earliest_line_though_its_lines_straddle_the_period(workspace, tmp_path):
    # An order's time is its earliest line's, whatever the later lines say (the queries leave out lines older
    # than the period before joining them to their orders: this pins what that must not move). P1 is placed
    # on Mar 31 with a line on Apr 1; P2 on Apr 30 with a line on May 1; c3's March order was cancelled.
    shop = load_orders(workspace, tmp_path, """
        order_id,customer_id,order_time,order_total,refunded_amount,status,sku,product_name,category,quantity,unit_price,currency
        P1,c1,2024-03-31 23:00,30,0,completed,S1,Mug,Kitchen,1,10,USD
        P1,c1,2024-04-01 01:00,30,0,completed,S2,Tea,Food,1,20,USD
        P4,c3,2024-03-15 10:00,50,0,cancelled,S3,Lamp,Home,1,50,USD
        P3,c1,2024-04-10 10:00,20,0,completed,S2,Tea,Food,1,20,USD
        P5,c3,2024-04-15 10:00,10,0,completed,S1,Mug,Kitchen,1,10,USD
        P6,c1,2024-04-20 10:00,20,0,completed,S2,Tea,Food,1,20,USD
        P2,c2,2024-04-30 22:00,70,0,completed,S1,Mug,Kitchen,2,10,USD
        P2,c2,2024-05-01 02:00,70,0,completed,S3,Lamp,Home,1,50,USD
    """)
    result = service.overview(shop, date(2024, 4, 1), date(2024, 4, 30))
    assert (result.previous_start, result.previous_end) == (date(2024, 3, 2), date(2024, 3, 31))
    found = figures(result)
    # April: P3 20, P5 10, P6 20, P2 70 (both lines, May 1's too); March: P1 30 (both lines, April 1's too)
    assert found["gmv"][:2] == (120.0, 30.0) and found["orders"][:2] == (4, 1)
    assert found["units"][:2] == (6, 2)  # P3 1, P5 1, P6 1, P2 2 + 1; P1 1 + 1
    # April's customers: c1 (P3, P6; back: P1 in March), c3 (new: P4 was cancelled), c2 (new)
    assert found["customers"][:2] == (3, 1)
    assert found["new_customers"][:2] == (2, 1) and found["returning_customers"][:2] == (1, 0)
    assert found["cancelled_orders"][:2] == (0, 1) and found["cancelled_amount"][:2] == (0.0, 50.0)
    # Lamp: P2's May 1 line 50 (P4 cancelled); Tea: P3 20 + P6 20, before P1's April 1 line 20;
    # Mug: P5 10 + P2 2 x 10, before P1's 10
    assert result.top_products[["sku", "units", "sales", "sales_before"]].values.tolist() == [
        ["S3", 1, 50, 0], ["S2", 2, 40, 20], ["S1", 3, 30, 10]]
    assert same(result.top_products["sales_growth"].tolist(), [float("nan"), 1.0, 2.0])
    assert result.top_categories[["category", "units", "sales", "sales_before"]].values.tolist() == [
        ["Home", 1, 50, 0], ["Food", 2, 40, 20], ["Kitchen", 3, 30, 10]]


def test_a_period_without_orders_has_no_average_and_no_rate(tiny):
    result = service.overview(tiny, date(2024, 1, 6), date(2024, 1, 19))
    found = figures(result)
    assert found["gmv"][:1] == (0.0,) and found["orders"][:1] == (0,)
    # the period before, Dec 23 - Jan 5, holds J1: 100, c1's first order
    assert found["aov"] == (None, 100.0, None, "sales.missing.no_orders")
    assert found["returning_rate"] == (None, 0.0, None, "sales.missing.no_customers")
    assert not result.has_orders
    assert result.missing == (("sales.missing.no_orders", ("aov",)), ("sales.missing.no_customers", ("returning_rate",)))
    assert result.top_products.empty and result.top_categories.empty


def test_an_export_without_refunds_status_products_or_categories_says_so(workspace, tmp_path):
    bare = load_orders(workspace, tmp_path, """
        order_id,customer_id,order_time,order_total
        B1,b1,2024-05-01 09:00,40
        B2,b1,2024-05-03 09:00,60
    """)
    result = service.overview(bare, date(2024, 5, 1), date(2024, 5, 3))
    found = figures(result)
    for key in ("refunded_orders", "refunded_amount"):
        assert found[key] == (None, None, None, "sales.missing.needs_refunds")
    for key in ("cancelled_orders", "cancelled_amount"):
        assert found[key] == (None, None, None, "sales.missing.needs_status")
    assert result.missing == (("sales.missing.needs_refunds", ("refunded_orders", "refunded_amount")),
                              ("sales.missing.needs_status", ("cancelled_orders", "cancelled_amount")))
    assert result.products_missing == "sales.missing.needs_products"
    assert result.categories_missing == "sales.missing.needs_categories"
    assert result.currency is None
    assert found["gmv"][0] == 100.0 and found["returning_customers"][0] == 0  # b1 is new: first order on May 1


def test_a_status_without_cancellations_counts_zero_cancellations(workspace, tmp_path):
    paid = load_orders(workspace, tmp_path, """
        order_id,customer_id,order_time,order_total,status
        P1,p1,2024-05-01 09:00,40,paid
    """)
    found = figures(service.overview(paid, date(2024, 5, 1), date(2024, 5, 1)))
    assert found["cancelled_orders"] == (0, 0, None, None) and found["cancelled_amount"] == (0.0, 0.0, None, None)


def test_cohorts_retention_and_lifetime_value(tiny):
    result = service.cohorts(tiny)
    assert result.currency == "USD"
    # first kept orders: c1, c2 in January; c5 in February; c3 (F2 cancelled) and c4 in March. April is the last month.
    assert same(result.records(), [
        # Jan: both; Feb: c2 (F1); Mar: c1 (M1); Apr: c2 (A3). Revenue 150, +50 (F1 net), +60, +110 over 2 customers
        {"cohort": "2024-01", "customers": 2, "retention": [1.0, 0.5, 0.5, 0.5],
         "revenue_per_customer": [75.0, 100.0, 130.0, 185.0]},
        # c5: F3 70 in Feb, nothing in Mar, A1 30 in Apr
        {"cohort": "2024-02", "customers": 1, "retention": [1.0, 0.0, 1.0], "revenue_per_customer": [70.0, 70.0, 100.0]},
        # c3 M2 40 and c4 M3 120 in Mar; c4's April order was cancelled
        {"cohort": "2024-03", "customers": 2, "retention": [1.0, 0.0], "revenue_per_customer": [80.0, 80.0]},
    ])
    assert result.grid.shape == (9, 5)
    assert list(result.grid.columns) == ["cohort", "months_since_first_order", "customers", "retention_rate",
                                         "revenue_per_customer"]


def test_repeat_purchase(tiny):
    repeat = service.cohorts(tiny).repeat
    # c1 (J1, M1), c2 (J2, F1, A3) and c5 (F3, A1) ordered twice; c3 and c4 once (their others were cancelled).
    # Days to the second order: c2 Jan 20 -> Feb 3 = 14, c5 Feb 28 -> Apr 1 = 33 (2024 has Feb 29),
    # c1 Jan 5 -> Mar 10 = 26 + 29 + 10 = 65; the median is 33.
    assert repeat == service.RepeatPurchase(customers=5, repeat_customers=3, repeat_rate=0.6, median_days_to_second_order=33.0)


def test_nobody_ordering_twice_has_no_median(workspace, tmp_path):
    once = load_orders(workspace, tmp_path, "order_id,customer_id,order_time,order_total\nO1,o1,2024-05-01 09:00,40\n")
    result = service.cohorts(once)
    assert result.repeat == service.RepeatPurchase(1, 0, 0.0, None)
    assert result.records() == [{"cohort": "2024-05", "customers": 1, "retention": [1.0], "revenue_per_customer": [40.0]}]


def test_a_workspace_without_orders(workspace):
    assert service.date_range(workspace) == diagnosis.DataRange(None, None)
    empty = service.sales(workspace, "month")
    assert empty.records() == [] and (empty.start, empty.end) == (None, None)
    cohorts = service.cohorts(workspace)
    assert cohorts.cohorts == () and cohorts.grid.empty
    assert cohorts.repeat == service.RepeatPurchase(0, 0, None, None)


def test_the_date_range_is_the_first_and_last_order_day(tiny):
    assert service.date_range(tiny) == diagnosis.DataRange(date(2024, 1, 5), date(2024, 4, 20))


def test_results_are_frozen_and_read_only_the_order_cleaning_choice(tiny):
    result = service.overview(tiny, date(2024, 3, 1), date(2024, 3, 31))
    with pytest.raises(FrozenInstanceError):
        result.currency = "EUR"
    with pytest.raises(FrozenInstanceError):
        result.figures[0].value = 0
    # issue 12: AOV and revenue per customer follow the price-outlier choice, so these list it
    assert all(settings_keys(f) == ("exclude_price_outliers",) for f in (service.overview, service.sales, service.cohorts))
    assert settings_keys(service.date_range) == ()
    assert isinstance(result.top_products, pd.DataFrame)


def test_the_suggested_grain_keeps_the_bars_readable():
    assert service.suggested_grain(date(2024, 1, 1), date(2024, 1, 30)) == "day"
    assert service.suggested_grain(date(2024, 1, 1), date(2024, 3, 30)) == "week"  # 90 days
    assert service.suggested_grain(date(2024, 1, 1), date(2024, 12, 31)) == "month"
