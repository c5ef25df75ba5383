"""The Customer tiers page on a four-customer shop whose every number is worked out by hand."""

from __future__ import annotations

from core.data import ingest
from core.platform import settings
from tests.conftest import write_csv
from tests.pages.conftest import page_for

# as_of defaults to 2024-06-01, the day after the last order; the first paid order is on 2023-11-01.
#   v1: 4 orders of 700 = 2,800, last 05-25 -> R 7, F 4: VIP
#   p1: 1 order of 800 on 05-01             -> R 31, M >= 500: Potential
#   n1: 1 order of 50 on 05-31              -> R 1: Normal
#   x1: 1 order of 5,000 on 2023-11-01      -> R 213 > 180: Churned
SHOP = """
    order_id,customer_id,order_time,order_total,status,currency
    X1,x1,2023-11-01 10:00,5000,paid,EUR
    V1,v1,2024-02-10 10:00,700,paid,EUR
    V2,v1,2024-03-10 10:00,700,paid,EUR
    V3,v1,2024-04-10 10:00,700,paid,EUR
    V4,v1,2024-05-25 10:00,700,paid,EUR
    P1,p1,2024-05-01 10:00,800,paid,EUR
    N1,n1,2024-05-31 10:00,50,paid,EUR
"""


def load(workspace, tmp_path, text=SHOP):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", text), kind="orders")
    return page_for(workspace.path, "pages.customer_tiers").run()


def table_with(at, column: str):
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_tiers_movement_and_lists_by_hand(workspace, tmp_path):
    at = load(workspace, tmp_path)
    assert not at.exception and not at.error
    assert at.title[0].value == "Customer tiers"
    shares = table_with(at, "Reference share")
    assert shares["Tier"].tolist() == ["VIP", "Potential", "Normal", "Churned"]
    assert shares["Customers"].tolist() == [1, 1, 1, 1] and shares["Share"].tolist() == ["25.0%"] * 4
    assert "Tier thresholds (saved for this workspace; money in EUR)" in [e.label for e in at.expander]
    assert table_with(at, "Segment")["Customers"].sum() == 4
    # compared with 2024-03-03 (90 days earlier): x1 was Normal (R 123) and is now Churned; v1 was Potential
    # (one order of 700, R 22) and is now VIP; p1 and n1 had not ordered yet
    moved = table_with(at, "VIP")
    assert moved.loc["Normal", "Churned"] == 1 and moved.loc["Potential", "VIP"] == 1
    assert moved.loc["New customer", "Potential"] == 1 and moved.loc["New customer", "Normal"] == 1
    assert moved.to_numpy().sum() == 4
    # 4 customers are too few to group (10 needed); 2 active at the cutoff are too few to learn churn from
    infos = [i.value for i in at.info]
    assert "Only 4 customers; grouping needs at least 10." in infos
    assert any(i.startswith("Only 2 active customers to learn from (1 stopped buying, 1 kept buying)") for i in infos)
    assert not at.metric
    # VIPs order 4 times a year (4 orders over less than a year, counted as one): the default plan keeps the caps
    assert at.success[-1].value.startswith("The plan respects the contact caps")
    assert len(at.get("vega_lite_chart")) == 2  # tier shares, movement; no lift chart without a churn model
    assert at.caption[-1].value == "Customers: 4"
    at.selectbox(key="export_tier").set_value("VIP").run()
    assert at.caption[-1].value == "Customers: 1"


def test_saved_thresholds_and_plan_come_back(workspace, tmp_path):
    at = load(workspace, tmp_path)
    at.number_input(key="threshold_churned_after_days").set_value(250)
    at.button(key="save_thresholds").click().run()
    # x1's 213 days are no longer past the line, and too long ago for Potential: Normal
    assert table_with(at, "Reference share")["Customers"].tolist() == [1, 1, 2, 0]
    assert settings.get(workspace, "tiers.thresholds")["churned_after_days"] == 250

    at.session_state["plan_editor"] = {"edited_rows": {1: {"sms_per_month": 4}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert "Potential: 4 SMS a month breaks the cap of 2." in [w.value for w in at.warning]
    at.button(key="save_plan").click().run()
    assert settings.get(workspace, "tiers.plan")[1]["sms_per_month"] == 4


def test_a_workspace_without_orders_says_what_is_missing(workspace):
    at = page_for(workspace.path, "pages.customer_tiers").run()
    assert at.title[0].value == "Customer tiers"
    assert at.info[0].value.startswith("This needs data that the workspace does not have yet: Orders")
    assert not at.dataframe and not at.get("vega_lite_chart")


def test_only_cancelled_orders_say_so(workspace, tmp_path):
    at = load(workspace, tmp_path, "order_id,customer_id,order_time,order_total,status\nA1,c1,2024-05-01,100,cancelled")
    assert not at.exception and not at.error
    assert at.info[0].value.startswith("No paid order names a customer yet")
    assert not at.dataframe


def test_a_single_day_of_orders_has_no_movement(workspace, tmp_path):
    # both orders on 2024-05-01: as_of is 05-02, and there is no day between the first order and as_of
    at = load(workspace, tmp_path, "order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01,100\nA2,c2,2024-05-01,900")
    assert not at.exception and not at.error
    assert "The orders span a single day: there is no earlier date to compare tiers with yet." in [i.value for i in at.info]
    # c2 bought once for 900 a day ago (R 1, M >= 500): Potential; c1 for 100: Normal
    assert table_with(at, "Reference share")["Customers"].tolist() == [0, 1, 1, 0]
    assert len(at.get("vega_lite_chart")) == 1  # tier shares only
