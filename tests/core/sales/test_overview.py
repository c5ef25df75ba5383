"""The overview's figures from a period's sums: changes, rates in points, and honest gaps."""

from __future__ import annotations

from datetime import date

from core.platform.i18n import catalog
from core.sales import over_time, overview
from core.sales.coverage import Coverage

FULL = Coverage(date(2024, 1, 1), date(2024, 1, 31), carries_status=True, carries_refunds=True,
                carries_products=True, carries_categories=True)
NOW = {"gmv": 300.0, "orders": 3.0, "units": 5.0, "customers": 2.0, "new_customers": 1.0, "returning_customers": 1.0,
       "refunded_orders": 1.0, "refunded_amount": 20.0, "cancelled_orders": 0.0, "cancelled_amount": 0.0,
       "revenue_for_averages": 300.0, "orders_for_averages": 3.0}  # no price outliers: averages count everything
NOTHING = dict.fromkeys(NOW, 0.0)


def by_key(figures) -> dict:
    return {f.key: f for f in figures}


def test_the_previous_period_has_the_same_length():
    assert overview.previous(date(2024, 3, 1), date(2024, 3, 31)) == (date(2024, 1, 30), date(2024, 2, 29))
    assert overview.previous(date(2024, 3, 1), date(2024, 3, 1)) == (date(2024, 2, 29), date(2024, 2, 29))


def test_changes_are_relative_and_the_rate_moves_in_points():
    before = {**NOW, "gmv": 200.0, "orders": 4.0, "customers": 4.0, "returning_customers": 1.0,
              "revenue_for_averages": 200.0, "orders_for_averages": 4.0}
    found = by_key(overview.figures(NOW, before, FULL))
    assert found["gmv"].change == 0.5 and found["orders"].change == -0.25
    assert found["aov"].value == 100.0 and found["aov"].before == 50.0 and found["aov"].change == 1.0
    # 1 of 2 returning against 1 of 4: 50% against 25%, +25 points
    assert (found["returning_rate"].value, found["returning_rate"].change, found["returning_rate"].in_points) == (0.5, 25.0, True)


def test_nothing_before_gives_no_change_and_nothing_now_gives_no_average():
    found = by_key(overview.figures(NOTHING, NOW, FULL))
    assert found["gmv"].value == 0.0 and found["gmv"].change == -1.0
    assert found["aov"].value is None and found["aov"].missing == overview.NO_ORDERS and found["aov"].change is None
    assert found["returning_rate"].missing == overview.NO_CUSTOMERS
    again = by_key(overview.figures(NOW, NOTHING, FULL))
    assert again["gmv"].change is None and again["aov"].before is None and again["aov"].missing is None


def test_an_export_without_refunds_or_status_leaves_those_figures_empty():
    bare = Coverage(date(2024, 1, 1), date(2024, 1, 31), False, False, False, False)
    found = by_key(overview.figures(NOW, NOW, bare))
    assert [(found[k].value, found[k].missing) for k in ("refunded_orders", "refunded_amount")] == [
        (None, overview.NEEDS_REFUNDS)] * 2
    assert [(found[k].value, found[k].missing) for k in ("cancelled_orders", "cancelled_amount")] == [
        (None, overview.NEEDS_STATUS)] * 2
    assert found["gmv"].value == 300.0


def test_every_figure_reason_and_grain_has_its_words():
    en = catalog("en")
    keys = [f"sales.figure.{f.key}" for f in overview.figures(NOW, NOW, FULL)]
    keys += [overview.NO_ORDERS, overview.NO_CUSTOMERS, overview.NEEDS_REFUNDS, overview.NEEDS_STATUS]
    keys += [f"sales.by.{g}" for g in over_time.GRAINS] + [f"chart.sales_by.{g}" for g in over_time.GRAINS]
    assert [key for key in keys if key not in en] == []
