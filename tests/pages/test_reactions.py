"""Widgets that rerun only their own section (st.fragment, issue 16: reactions within half a second) still change
what that section shows, and the narrower work behind them gives the figures the whole work gives."""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.platform.workspace import Workspace
from core.products import service as products
from core.products.performance import product_names
from tests.conftest import ROOT
from tests.pages.conftest import show
from tests.pages.test_products_tiny import page, shop, stocked, table_with  # noqa: F401 - fixtures

APP = str(ROOT / "app.py")


def test_the_rules_follow_the_minimum_confidence(shop):  # noqa: F811 - the fixture
    at = page(shop)
    # four rules (tests/pages/test_products_tiny.py): Phone -> Case 12 / 24 = 50%, Case -> Phone 12 / 24 = 50%
    # (Case is in the a and c orders), Phone -> Charger 12 / 24 = 50%, Charger -> Phone 12 / 12 = 100%
    assert "From 37 orders, 24 of them with two or more different products: 4 rules meet both minimums." in [
        c.value for c in at.caption]
    at.slider(key="basket_confidence").set_value(55).run()
    assert not at.exception and not at.error
    assert "From 37 orders, 24 of them with two or more different products: 1 rules meet both minimums." in [
        c.value for c in at.caption]
    # the chosen product's partners and every rule: Charger -> Phone alone, in both
    tables = [d.value for d in at.dataframe if {"Bought", "Also bought"} <= set(d.value.columns)]
    assert [t[["Bought", "Also bought", "Confidence"]].values.tolist() for t in tables] == [
        [["Charger", "Phone", "100.0%"]]] * 2
    # every pair's support is 12 / 37 = 32%: the highest minimum the slider offers (5%) leaves all four
    at.slider(key="basket_confidence").set_value(0).run()
    at.slider(key="basket_support").set_value(5.0).run()
    assert "From 37 orders, 24 of them with two or more different products: 4 rules meet both minimums." in [
        c.value for c in at.caption]


@pytest.mark.parametrize("support", [0.0, 0.002, 0.01, 0.03])
@pytest.mark.parametrize("confidence", [0.0, 0.1, 0.3, 0.6])
def test_filtering_every_rule_gives_the_rules_the_query_finds(demo, support, confidence):
    """The page filters every rule; the reference is the query run with the minimums (its own pruning): the same
    rules with the same counts and measures, in the query's order."""
    workspace = Workspace(demo)
    every = products.every_rule(workspace)
    found = products.rules_meeting(every, support, confidence)
    reference = products.bought_together(workspace, support, confidence)
    assert (found.orders, found.multi_product_orders, found.missing) == (
        reference.orders, reference.multi_product_orders, reference.missing)
    figures = ["antecedent", "consequent", "count_orders_together", "count_antecedent_orders", "count_consequent_orders",
               "support", "confidence", "lift"]
    pair = ["antecedent", "consequent"]
    pd.testing.assert_frame_equal(found.table[figures].sort_values(pair).reset_index(drop=True),
                                  reference.table[figures].sort_values(pair).reset_index(drop=True),
                                  check_dtype=False)  # edge: no rule left, the query's empty columns are untyped
    # names: the query names a product only when it is the first product of a rule it keeps, so with a minimum
    # confidence a product that is only ever the second one shows its SKU there (demo: 1 of the 19 rules at the
    # defaults, 56 of 105 at no minimum support and 10%); from every rule each product has the latest name the
    # orders give it
    names = dict(zip(*product_names(workspace).to_dict("list").values()))
    for side in ("antecedent", "consequent"):
        assert (found.table[f"{side}_name"] == found.table[side].map(names).fillna(found.table[side])).all()
        named = reference.table[f"{side}_name"] != reference.table[side]
        merged = reference.table[named].merge(found.table, on=pair, suffixes=("", "_found"))
        assert (merged[f"{side}_name"] == merged[f"{side}_name_found"]).all()
    # the query's order: strongest lift first, then more orders together, then by name and SKU
    ordered = found.table.sort_values(["lift", "count_orders_together", "antecedent_name", "consequent_name", *pair],
                                      ascending=[False, False, True, True, True, True], kind="stable")
    assert ordered.index.tolist() == found.table.index.tolist()
    assert len(reference.table) <= len(every.table)


def test_the_reorder_plan_follows_the_default_lead_time(stocked):  # noqa: F811 - the fixture
    at = page(stocked)
    # Case and Lamp have no lead time in the file, so the default applies: 14 days, then 28.
    # Case sells 3 a week: its reorder point 3 / 7 x 14 = 6, then 3 / 7 x 28 = 12; the Lamp 1 / 112 a day:
    # 14 / 112 = 0.125 and 28 / 112 = 0.25, both shown as 0. Phone (21 days) and Charger (7 days) keep theirs.
    plan = table_with(at, "Reorder point").set_index("SKU")
    assert plan.loc["CA", ["Lead time (days)", "Reorder point"]].tolist() == ["14 (default)", "6"]
    at.number_input(key="restock_lead").set_value(28).run()
    assert not at.exception and not at.error
    plan = table_with(at, "Reorder point").set_index("SKU")
    assert plan.loc["CA", ["Lead time (days)", "Reorder point"]].tolist() == ["28 (default)", "12"]
    assert plan.loc["LA", ["Lead time (days)", "Reorder point"]].tolist() == ["28 (default)", "0"]
    assert plan.loc["PH", ["Lead time (days)", "Reorder point"]].tolist() == ["21", "6"]


def test_the_plan_from_a_forecast_read_once_is_the_plan(stocked):  # noqa: F811 - the fixture
    """The page plans from the forecast and stock it read once; the reference reads them for every plan."""
    for inputs in [(14, 0.95, 90, 30), (28, 0.80, 30, 7), (3, 0.99, 365, 60)]:
        held = products.stock(stocked)
        found = products.restock_from(products.demand(stocked, products.HORIZON), held, *inputs)
        reference = products.restock(stocked, *inputs)
        pd.testing.assert_frame_equal(found.plan, reference.plan)
        assert found.as_of == reference.as_of and found.missing is reference.missing is None


def test_without_the_inventory_file_the_plan_says_so_without_a_forecast(shop):  # noqa: F811 - the fixture
    held = products.stock(shop)
    assert held.missing == products.NEEDS_INVENTORY
    assert products.restock_from(None, held).missing == products.restock(shop).missing == products.NEEDS_INVENTORY


def test_the_groups_and_the_list_follow_their_boxes(demo):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/customer_tiers.py").run()
    shares = table_with(at, "Reference share").set_index("Tier")
    assert "Customers: 19,574" in [c.value for c in show(at, "lists").caption]  # the list of every tier first
    # three groups asked for: three rows, every customer in one of them
    show(at, "groups").selectbox(key="cluster_k").set_value(3).run()
    assert not at.exception and not at.error
    groups = table_with(at, "Description")
    assert len(groups) == 3 and groups["Customers"].sum() == 19_574
    # one tier's list: as many customers as the tier table counts for it, in the three groups chosen
    show(at, "lists").selectbox(key="export_tier").set_value("Potential").run()
    assert not at.exception and not at.error
    assert f"Customers: {shares.loc['Potential', 'Customers']:,}" in [c.value for c in at.caption]
    assert at.session_state["cluster_k"] == 3
    # edge case: a section left and opened again keeps its choices
    assert len(table_with(show(at, "groups"), "Description")) == 3
    assert show(at, "lists").selectbox(key="export_tier").value == "Potential"


def test_the_list_matches_groups_and_risk_to_customers_as_a_merge_does(demo):
    """The page matches groups and risk to the customers once per day, window and model (other tier lines only
    relabel the tiers); the reference merges them by customer for each tier with pandas."""
    from core.customers import service as customers

    workspace = Workspace(demo)
    view = customers.tiers(workspace, customers.as_of_choice(workspace).default)
    groups, model = customers.clusters(workspace, view.as_of, None, 3), customers.churn(workspace, view.as_of)
    group, risk = customers.group_of(view, groups), customers.churn_risk_of(view, model)
    merged = view.customers.merge(groups.labels, on="customer_id", how="left").merge(
        model.scores, on="customer_id", how="left")
    for tier in [None, *customers.TIERS]:
        found = customers.customer_list(view, group, risk, tier).rows
        reference = merged if tier is None else merged[merged["tier"] == tier]
        pd.testing.assert_frame_equal(found, reference[found.columns].reset_index(drop=True))
    assert risk[~pd.isna(risk)].size == model.scores["customer_id"].isin(view.customers["customer_id"]).sum() > 1000


def test_the_slow_movers_follow_their_days_without_a_new_query(stocked, monkeypatch):  # noqa: F811 - the fixture
    # the lamp last sold on Mar 1, 108 days before Jun 17: slow at 60 days, not at 120; the products' query runs once
    from core.platform import queries

    asked = []
    frame = queries.frame

    def counted(workspace, name, **params):
        asked.append(name)
        return frame(workspace, name, **params)

    monkeypatch.setattr(queries, "frame", counted)
    at = page(stocked)
    assert table_with(at, "Stock value (cost)").values.tolist() == [["Lamp", "5", "$100", "2024-03-01"]]
    at.number_input(key="slow_days").set_value(120).run()
    assert not at.exception and not at.error
    assert not [d for d in at.dataframe if "Stock value (cost)" in d.value.columns]
    assert "No product in stock has gone this long without a sale." in [c.value for c in at.caption]
    at.number_input(key="slow_days").set_value(108).run()  # edge: exactly 108 days: slow again
    assert table_with(at, "Stock value (cost)")["Product"].tolist() == ["Lamp"]
    assert asked.count("products/product_performance") == 1


@pytest.mark.parametrize(("service", "page", "clicked"), [
    ("core.sales.service:overview", None, 90),  # the app opens on Sales
    ("core.products.service:products", "pages/products.py", 7),
])
def test_the_other_preset_periods_are_worked_out_before_they_are_clicked(monkeypatch, service, page, clicked):
    import importlib

    from pages.components import state

    module_name, name = service.split(":")
    module = importlib.import_module(module_name)
    asked = []
    worked_out = getattr(module, name)

    def counted(workspace, start, end):
        asked.append((end - start).days + 1)
        return worked_out(workspace, start, end)

    monkeypatch.setattr(module, name, functools.wraps(worked_out)(counted))
    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")  # page tests do not work ahead: as the app does
    at = AppTest.from_file(APP, default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    state._ahead.submit(lambda: None).result(timeout=60)  # the one thread working ahead is done
    assert sorted(asked) == [7, 30, 90]  # the period shown (30 days), then the two other presets, off the page
    key = "sales_preset" if page is None else "products_preset"
    at.segmented_control(key=key).set_value(clicked).run()
    assert not at.exception and not at.error
    assert sorted(asked) == [7, 30, 90]  # edge: the click found its period worked out already
    state._ahead.submit(lambda: None).result(timeout=60)  # nothing left running past the test


def test_the_other_windows_of_customer_tiers_are_worked_out_before_they_are_picked(monkeypatch):
    from collections import OrderedDict

    from core.customers import service as customers
    from pages.components import state

    asked = {"tiers": [], "movement": []}
    for name, window_at in (("tiers", 2), ("movement", 3)):  # where the window sits among the arguments
        worked_out = getattr(customers, name)

        def counted(*args, _name=name, _at=window_at, _worked_out=worked_out):
            asked[_name].append(args[_at])
            return _worked_out(*args)

        monkeypatch.setattr(customers, name, functools.wraps(worked_out)(counted))
    monkeypatch.setattr(state, "_asked_ahead", OrderedDict())  # nothing asked ahead by an earlier test
    monkeypatch.delenv("SHOPLENS_WAIT_FOR_MODELS")  # page tests do not work ahead: as the app does
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/customer_tiers.py").run()
    state._ahead.submit(lambda: None).result(timeout=60)  # the one thread working ahead is done
    every_window = sorted([None, 90, 180, 365], key=str)
    assert sorted(asked["tiers"], key=str) == every_window  # all history shown, then the three other windows
    assert asked["movement"] == []  # its section is not shown
    show(at, "movement")
    state._ahead.submit(lambda: None).result(timeout=60)
    assert sorted(asked["movement"], key=str) == every_window
    at.selectbox(key="tiers_window").set_value(180).run()
    assert not at.exception and not at.error
    # edge: the pick found its tiers and their movement worked out already
    assert sorted(asked["tiers"], key=str) == every_window and sorted(asked["movement"], key=str) == every_window
    state._ahead.submit(lambda: None).result(timeout=60)  # nothing left running past the test
