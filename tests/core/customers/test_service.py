"""The Customer tiers service on a four-customer shop worked out by hand, and which settings each part reads."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import date

import numpy as np
import pandas as pd
import pytest

from core.customers import service
from core.data import ingest
from core.platform.errors import WorkspaceReadOnly
from core.platform.services import settings_keys
from tests.conftest import ROOT, write_csv
from tests.core.customers.test_tier_lines import twenty_five_customers

# as_of defaults to 2024-06-01, the day after the last order (N1); the first paid order is X1 on 2023-11-01.
#   v1: 4 orders of 700 = 2,800, last 05-25 -> R 7, F 4, M 2,800: VIP
#   p1: 1 order of 800 on 05-01             -> R 31, M >= 500: Potential
#   n1: 1 order of 50 on 05-31              -> R 1, F 1, M 50: Normal
#   x1: 1 order of 5,000 on 2023-11-01      -> R 30+31+31+29+31+30+31 = 213 > 180: Churned
SHOP = """
    order_id,customer_id,order_time,order_total,status,currency
    X1,x1,2023-11-01 10:00,5000,paid,EUR
    V1,v1,2024-02-10 10:00,700,paid,EUR
    V2,v1,2024-03-10 10:00,700,paid,EUR
    V3,v1,2024-04-10 10:00,700,paid,EUR
    V4,v1,2024-05-25 10:00,700,paid,USD
    P1,p1,2024-05-01 10:00,800,paid,EUR
    N1,n1,2024-05-31 10:00,50,paid,EUR
"""
AS_OF = date(2024, 6, 1)
PLAN_KEY, TIERS_KEY = "tiers.plan", "tiers.thresholds"


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", SHOP), kind="orders")
    return workspace


def tiers_of(frame: pd.DataFrame) -> dict:
    return dict(zip(frame["customer_id"], frame["tier"]))


def test_each_part_lists_exactly_the_settings_it_reads():
    # issue 12: spend (monetary) follows the price-outlier choice too
    assert settings_keys(service.tiers) == (TIERS_KEY, "exclude_price_outliers")
    assert settings_keys(service.tiers_at) == (TIERS_KEY, "exclude_price_outliers")
    assert settings_keys(service.movement) == (TIERS_KEY, "exclude_price_outliers")
    assert settings_keys(service.touch_plan) == (PLAN_KEY,)
    # the model depends on nothing the page saves, only on whether price outliers leave spend
    assert settings_keys(service.churn) == ("exclude_price_outliers",)
    # groups use the raw numbers, never the tier lines; spend leaves price outliers out when the owner asks
    assert settings_keys(service.clusters) == ("exclude_price_outliers",)


def test_saving_the_plan_moves_neither_the_churn_nor_the_tiers_settings_version(shop):
    churn_keys, tier_keys, plan_keys = (settings_keys(f) for f in (service.churn, service.tiers, service.touch_plan))
    before = shop.settings_version(churn_keys), shop.settings_version(tier_keys)
    plan = service.touch_plan(shop).touches.to_dict("records")
    plan[3]["content"] = "Comeback gift"
    service.save_plan(shop, plan)
    assert (shop.settings_version(churn_keys), shop.settings_version(tier_keys)) == before
    assert shop.settings_version(plan_keys) == 1  # while the plan's own version did move
    assert service.touch_plan(shop).touches["content"].iloc[3] == "Comeback gift"

    service.save_thresholds(shop, {**service.tiers(shop, AS_OF).thresholds, "churned_after_days": 250})
    assert shop.settings_version(tier_keys) == 2
    assert shop.settings_version(churn_keys) == 0 and shop.settings_version(plan_keys) == 1


def test_tiers_by_hand(shop):
    assert service.default_as_of(shop) == AS_OF
    assert service.as_of_choice(shop) == service.DateChoice(default=AS_OF, earliest=date(2023, 11, 2), latest=AS_OF)
    view = service.tiers(shop, AS_OF)
    assert tiers_of(view.customers) == {"n1": "Normal", "p1": "Potential", "v1": "VIP", "x1": "Churned"}
    assert view.shares["customers"].tolist() == [1, 1, 1, 1] and view.shares["share"].tolist() == [0.25] * 4
    assert view.segments["customers"].sum() == 4 and view.segments["customers"].is_monotonic_decreasing
    assert view.currency == "EUR"  # 6 order lines in EUR, 1 in USD
    assert view.thresholds["vip_min_monetary"] == 2000 and [r[0] for r in view.rules] == ["Churned", "VIP", "Potential", "Normal"]
    # all history spans 2023-11-01..2024-06-01 = 213 days, counted as at least a year: 4 VIP orders / 1 year
    assert view.vip_orders_per_year == 4.0
    # compare with 90 days earlier (2024-03-03), any day from the day after the first order to the day before as_of
    assert view.movement_from == service.DateChoice(default=date(2024, 3, 3), earliest=date(2023, 11, 2),
                                                    latest=date(2024, 5, 31))
    with pytest.raises(FrozenInstanceError):
        view.as_of = date(2024, 1, 1)


def test_a_window_changes_the_tiers_and_the_vip_order_rate(shop):
    # 90 days before 06-01 is 03-03: v1 keeps 3 orders (2,100), too few for VIP, so nobody is VIP
    view = service.tiers(shop, AS_OF, 90)
    assert tiers_of(view.customers) == {"n1": "Normal", "p1": "Potential", "v1": "Potential"}
    assert view.vip_orders_per_year is None


def test_saved_thresholds_reach_tiers_and_tiers_at(shop):
    assert tiers_of(service.tiers_at(shop, AS_OF)) == {"n1": "Normal", "p1": "Potential", "v1": "VIP", "x1": "Churned"}
    service.save_thresholds(shop, {**service.tiers(shop, AS_OF).thresholds, "churned_after_days": 250})
    # x1's 213 days are no longer past the line; too long ago for Potential, so Normal
    assert tiers_of(service.tiers_at(shop, AS_OF))["x1"] == "Normal"
    assert list(service.tiers_at(shop, AS_OF).columns) == ["customer_id", "tier"]
    assert tiers_of(service.tiers(shop, AS_OF).customers)["x1"] == "Normal"


def test_movement_by_hand(shop):
    # on 03-03: x1 (R 123) Normal, v1 (one order of 700, R 22) Potential; p1 and n1 had not ordered yet
    moved = service.movement(shop, date(2024, 3, 3), AS_OF)
    assert moved.changes.to_dict() == {"up": 1, "down": 1, "new": 2}  # v1 up, x1 down; in the order of the chart
    assert moved.summary.loc["Normal", "Churned"] == 1 and moved.summary.loc["new", "Potential"] == 1


def test_too_little_to_learn_from_is_a_result_not_an_error(shop):
    # cutoff 03-03: x1 and v1 were active; x1 then bought nothing for 90 days, v1 bought on 03-10
    model = service.churn(shop, AS_OF)
    assert model.problem_key == "churn.error.too_small" and model.scores is None
    assert model.problem_params == {"customers": 2, "churned": 1, "stayed": 1, "needed": 200, "per_class": 20}
    assert model.horizon_days == 90
    groups = service.clusters(shop, AS_OF)
    assert (groups.problem_key, groups.problem_params) == ("cluster.error.too_few", {"customers": 4, "needed": 10})
    # without a model the at-risk list is empty and the export has no churn column
    view = service.tiers(shop, AS_OF)
    assert service.churn_risk_of(view, model) is None and service.at_risk(view, None).empty
    assert "churn_risk" not in service.customer_list(view, service.group_of(view, groups), None).rows


def test_at_risk_leaves_out_the_churned_tier(shop):
    view = service.tiers(shop, AS_OF)
    scores = pd.DataFrame({"customer_id": ["x1", "v1", "p1", "n1"], "churn_risk": [0.99, 0.6, 0.5, 0.1]})
    risky = service.at_risk(view, service.churn_risk_of(view, service.ChurnView(horizon_days=90, scores=scores)))
    # among v1, p1, n1 only v1 reaches the top fifth by spending (2,800 >= the 80th percentile 2,000);
    # x1 is riskier and spent more, but is Churned already
    assert risky["customer_id"].tolist() == ["v1"] and risky["churn_risk"].tolist() == [0.6]
    # edge: a model that scored nobody (no one bought in the year before): no risk for anyone, nobody listed
    nobody = service.churn_risk_of(view, service.ChurnView(horizon_days=90, scores=scores.iloc[:0]))
    assert np.isnan(nobody).all() and len(nobody) == 4 and service.at_risk(view, nobody).empty


def test_the_customer_list_joins_groups_and_risk_by_customer(shop):
    view = service.tiers(shop, AS_OF)
    groups = service.ClusterView(k=2, labels=pd.DataFrame({"customer_id": ["x1", "v1", "p1", "n1"], "cluster": [1, 0, 0, 1]}))
    model = service.ChurnView(horizon_days=90, scores=pd.DataFrame({"customer_id": ["v1", "p1"], "churn_risk": [0.6, 0.5]}))
    group, risk = service.group_of(view, groups), service.churn_risk_of(view, model)
    everyone = service.customer_list(view, group, risk)
    assert everyone.file_name == "customers-all.csv" and list(everyone.rows.columns) == [*service.EXPORT_COLUMNS, "churn_risk"]
    assert dict(zip(everyone.rows["customer_id"], everyone.rows["cluster"])) == {"n1": 1, "p1": 0, "v1": 0, "x1": 1}
    risk = everyone.rows.set_index("customer_id")["churn_risk"]
    assert risk.isna().to_dict() == {"n1": True, "p1": False, "v1": False, "x1": True}
    vips = service.customer_list(view, group, risk, "VIP")
    assert vips.file_name == "customers-vip.csv" and vips.rows["customer_id"].tolist() == ["v1"]


def test_the_plan_is_checked_against_the_caps(shop):
    saved = service.touch_plan(shop, vip_orders_per_year=4.0)
    assert saved.warnings == () and saved.touches["tier"].tolist() == list(service.TIERS)
    rows = saved.touches.to_dict("records")
    rows[1]["sms_per_month"] = 4
    rows[0]["old_column"] = "ignored"
    checked = service.check_plan(rows, 4.0)
    assert checked.warnings == (("plan.warn.sms", {"tier": "Potential", "count": 4, "cap": 2}),)
    service.save_plan(shop, rows)
    assert service.touch_plan(shop, 4.0).warnings == checked.warnings


def test_the_demo_refuses_saving(shop):
    with shop.cursor() as cur:
        shop.set_meta(cur, "is_demo", "true")
    with pytest.raises(WorkspaceReadOnly):
        service.save_plan(shop, service.touch_plan(shop).touches.to_dict("records"))
    with pytest.raises(WorkspaceReadOnly):
        service.save_thresholds(shop, service.tiers(shop, AS_OF).thresholds)


# -- which tier lines are in force ---------------------------------------------------------------------------
# 25 customers spending 10, 20, ..., 250 in USD (tests/core/customers/test_tier_lines.py works the lines out):
# scaled, VIP from 230.8 (c24, c25) and Potential from 178 (c18..c23); under the playbook's 2,000 and 500 nobody
# is VIP and only c24 and c25 (2+ orders) are Potential.
JUNE_END = date(2024, 7, 1)


@pytest.fixture
def shop25(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", twenty_five_customers()), kind="orders")
    return workspace


def test_tiers_use_the_scaled_lines_unless_another_set_is_chosen(shop25):
    assert settings_keys(service.lines_choice) == (TIERS_KEY,)
    assert service.lines_choice(shop25) == service.LinesChoice(choice="scaled", options=("scaled", "playbook"))
    view = service.tiers(shop25, JUNE_END)
    assert view.lines == "scaled" and view.currency == "USD"
    assert view.shares["customers"].tolist() == [2, 6, 17, 0]
    assert view.lines_note[0] == "tiers.lines.scaled" and view.lines_note[1]["vip"] == "$231"
    assert view.rules[1] == ("VIP", "rfm.rule.vip", {"days": 30, "orders": 4, "amount": "$231"})
    assert view.money_texts["plan.potential.content"] == {"spend": "$100", "save": "$20"}
    preview = service.tiers(shop25, JUNE_END, lines="playbook")  # a preview saves nothing
    assert preview.lines == "playbook" and preview.shares["customers"].tolist() == [0, 2, 23, 0]
    assert preview.money_texts["plan.potential.content"] == {"spend": "$300", "save": "$50"}
    assert service.lines_choice(shop25).choice == "scaled"


def test_choosing_lines_reaches_every_part_that_splits_by_tier(shop25):
    service.choose_lines(shop25, "playbook")
    assert service.lines_choice(shop25).choice == "playbook"
    assert service.tiers(shop25, JUNE_END).lines == "playbook"
    assert dict(zip(*service.tiers_at(shop25, JUNE_END).T.values))["c25"] == "Potential"
    # on 06-25, c24 had 3 orders (180) and c25 4 (200): under the playbook both Potential; on 07-01 still Potential
    assert service.movement(shop25, date(2024, 6, 25), JUNE_END).summary.loc["Potential", "Potential"] == 2
    # under the scaled lines c25 (4 orders, 200 < 230.8) was Potential on 06-25 and is VIP by 07-01
    moved = service.movement(shop25, date(2024, 6, 25), JUNE_END, lines="scaled").summary
    assert moved.loc["Potential", "VIP"] == 2  # c24 and c25, the two VIPs of 07-01; the playbook has no VIP
    service.save_thresholds(shop25, {**service.tiers(shop25, JUNE_END).thresholds, "vip_min_monetary": 245})
    assert service.lines_choice(shop25) == service.LinesChoice(choice="custom", options=service.LINES)
    assert service.tiers(shop25, JUNE_END).shares["customers"].tolist()[0] == 1  # only c25's 250 reaches 245
    service.choose_lines(shop25, "scaled")
    assert service.tiers(shop25, JUNE_END).shares["customers"].tolist()[0] == 2
    assert service.tiers(shop25, JUNE_END, lines="custom").thresholds["vip_min_monetary"] == 245


def test_the_demo_refuses_choosing_lines_but_previews_them(shop25):
    with shop25.cursor() as cur:
        shop25.set_meta(cur, "is_demo", "true")
    with pytest.raises(WorkspaceReadOnly):
        service.choose_lines(shop25, "playbook")
    assert service.tiers(shop25, JUNE_END, lines="playbook").lines == "playbook"


def test_the_rfm_command_writes_the_scaled_tiers_when_nothing_is_saved(tmp_path):
    ws = tmp_path / "cli.duckdb"
    orders = write_csv(tmp_path / "orders.csv", twenty_five_customers())
    assert subprocess.run([sys.executable, "-m", "core", "ingest", "--workspace", ws, orders], cwd=ROOT,
                          capture_output=True, timeout=120).returncode == 0
    out = tmp_path / "tiers.csv"
    done = subprocess.run([sys.executable, "-m", "core", "rfm", "--workspace", ws, "--out", out], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    tiers = pd.read_csv(out, encoding="utf-8-sig").set_index("customer_id")["tier"]
    assert tiers[["c24", "c25"]].tolist() == ["VIP", "VIP"] and (tiers == "VIP").sum() == 2


@pytest.mark.parametrize("given", [
    ["a", "b", "c", "d"],  # the tier view's customers in their order (groups; churn scores in customer_id order)
    ["d", "b", "a"],  # edge case: another order, one customer missing (scores kept before they were sorted)
])
def test_groups_and_risk_are_matched_to_the_customers_as_a_merge_matches_them(given):
    customers = pd.Series(["a", "b", "c", "d"], dtype="str")
    table = pd.DataFrame({"customer_id": pd.Series(given, dtype="str"), "churn_risk": [0.1 * (i + 1) for i in range(len(given))]})
    merged = pd.DataFrame({"customer_id": customers}).merge(table, on="customer_id", how="left")["churn_risk"]
    np.testing.assert_array_equal(service._aligned(customers, table, "churn_risk"), merged.to_numpy())
