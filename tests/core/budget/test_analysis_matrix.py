"""The analysis matrix on a shop small enough to check by hand, with and without customer tiers."""

from __future__ import annotations

import numpy as np
import pytest

from core.budget import analysis_matrix
from core.data import ingest
from tests.conftest import write_csv

# 10-day periods ending 2024-06-30: recent is 21-30 June, before is 11-20 June.
MATRIX_ORDERS = """
    order_id,customer_id,order_time,order_total,status,category,channel,quantity,unit_price
    v1,v,2024-06-01,600,paid,Bags,search,1,600
    v2,v,2024-06-02,600,paid,Bags,search,1,600
    v3,v,2024-06-03,600,paid,Bags,search,1,600
    v4,v,2024-06-04,600,paid,Bags,search,1,600
    v5,v,2024-06-15,200,paid,Bags,search,1,200
    v6,v,2024-06-25,300,paid,Bags,search,1,300
    v7,v,2024-06-26,999,cancelled,Bags,search,1,999
    m1,m,2024-06-12,150,paid,Bags,search,1,150
    m2,m,2024-06-22,400,paid,Bags,search,1,400
    n1,n,2024-06-25,100,paid,Shoes,feed,1,100
    c1,c,2023-01-01,50,paid,Shoes,feed,1,50
    c2,c,2024-06-30,80,paid,Shoes,feed,1,80
"""


def test_analysis_matrix_by_category_and_channel(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    matrix = analysis_matrix.analysis_matrix(workspace, days=10).set_index(["category", "channel"])
    assert "customer_tier" not in matrix.columns
    assert matrix["gmv"].to_dict() == pytest.approx({("Bags", "search"): 700, ("Shoes", "feed"): 180})
    assert matrix.loc[("Bags", "search"), "share_of_gmv"] == pytest.approx(700 / 880)
    assert matrix.loc[("Bags", "search"), "growth"] == pytest.approx(700 / 350 - 1)  # the cancelled 999 left out
    assert np.isnan(matrix.loc[("Shoes", "feed"), "growth"])  # nothing before: no growth figure, not infinity


def test_analysis_matrix_by_tier_uses_the_tier_at_each_period_start(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", MATRIX_ORDERS), kind="orders")
    matrix = analysis_matrix.analysis_matrix(workspace, days=10, by_tier=True).set_index(["category", "channel", "customer_tier"])
    # v is VIP at both starts (4+ orders, 2,400+, within 30 days); m was new on 11 June and Normal on 21 June
    # (one order of 150); c came back after 18 months, so counts as Churned; n is new
    assert matrix["gmv"].to_dict() == pytest.approx({
        ("Bags", "search", "VIP"): 300, ("Bags", "search", "Normal"): 400, ("Bags", "search", "New"): 0,
        ("Shoes", "feed", "New"): 100, ("Shoes", "feed", "Churned"): 80})
    assert matrix.loc[("Bags", "search", "VIP"), "growth"] == pytest.approx(0.5)
    assert matrix.loc[("Bags", "search", "New"), "growth"] == pytest.approx(-1.0)
    assert matrix["share_of_gmv"].sum() == pytest.approx(1.0)


def test_analysis_matrix_of_an_empty_workspace_is_empty(workspace):
    assert analysis_matrix.analysis_matrix(workspace, by_tier=True).empty


@pytest.mark.parametrize("share, growth, roi, stars", [
    (0.01, None, None, 1),  # nothing known: one star
    (0.05, 0.05, 1.5, 3),  # a 5% share counts, growth must beat 5%, ROI 1.5 is one star
    (0.049, 0.051, 2.99, 3),
    (0.05, 0.06, 3.0, 5),  # ROI 3 is two stars
    (0.5, float("nan"), float("nan"), 2),  # a missing growth or ROI adds nothing
])
def test_growth_stars_at_their_edges(share, growth, roi, stars):
    assert analysis_matrix.growth_stars(share, growth, roi) == stars
