"""Customer tiers: RFM by hand on tiny shops, the tier rule at every edge, shares, movement and the CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from core.customers import rfm
from core.customers.rfm import Thresholds
from core.data import ingest
from tests.conftest import ROOT, write_csv

# default as_of is 2024-05-31, the day after the last order (A5)
SHOP = """
    order_id,customer_id,order_time,order_total,refunded_amount,status,sku
    A1,c1,2024-05-01 09:00,100,0,paid,s1
    A2,c1,2024-05-20 18:30,300,50,paid,s1
    A3,c2,2024-03-01 12:00,1000,0,paid,s2
    A4,c2,2024-05-25 12:00,500,0,cancelled,s2
    A5,c3,2024-05-30 23:59,80,0,paid,s1
    A6,c4,2024-04-10 08:00,200,0,paid,s1
    A6,c4,2024-04-10 08:00,200,0,paid,s2
"""


@pytest.fixture
def shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders.csv", SHOP), kind="orders")
    return workspace


def by_customer(frame: pd.DataFrame) -> dict:
    return {r.customer_id: (r.recency_days, r.frequency, r.monetary) for r in frame.itertuples()}


def test_rfm_by_hand_with_cancelled_left_out_and_refunds_netted(shop):
    assert rfm.default_as_of(shop) == date(2024, 5, 31)
    table = rfm.customers(shop)
    assert list(table.columns) == rfm.COLUMNS
    # c1: 100 + (300 - 50), last 05-20; c2: the cancelled 05-25 order does not count; c4: one order of two lines
    assert by_customer(table) == {"c1": (11, 2, 350), "c2": (91, 1, 1000), "c3": (1, 1, 80), "c4": (51, 1, 200)}
    assert dict(zip(table["customer_id"], table["tier"])) == {"c1": "Potential", "c2": "Normal", "c3": "Normal", "c4": "Normal"}


def test_as_of_leaves_out_that_day_and_later(shop):
    table = rfm.customers(shop, as_of=date(2024, 5, 20))  # A2 at 18:30 on the 20th is not before the 20th
    assert by_customer(table) == {"c1": (19, 1, 100), "c2": (80, 1, 1000), "c4": (40, 1, 200)}
    assert rfm.customers(shop, as_of=date(2024, 1, 1)).empty


def test_the_day_after_the_first_order_is_counted_without_an_earlier_day(shop):
    # edge case: no day lies between the first order and 03-02 for the page to compare with, so the day is counted
    # by a pass of its own (other days share the pass that counts the page's earlier day too)
    assert rfm.movement_from(date(2024, 3, 1), date(2024, 3, 2)) is None
    assert by_customer(rfm.customers(shop, as_of=date(2024, 3, 2))) == {"c2": (1, 1, 1000)}
    assert rfm.movement_from(date(2024, 3, 1), date(2024, 3, 3)) == (date(2024, 3, 2),) * 3


def test_window_keeps_only_recent_orders(shop):
    # 30 days before 05-31 starts on 05-01, which is included
    assert by_customer(rfm.customers(shop, window_days=30)) == {"c1": (11, 2, 350), "c3": (1, 1, 80)}
    assert by_customer(rfm.customers(shop, window_days=29)) == {"c1": (11, 1, 250), "c3": (1, 1, 80)}
    for bad in (0, -5, 1.5):
        with pytest.raises(rfm.RfmError):
            rfm.customers(shop, window_days=bad)


def test_empty_workspace_gives_an_empty_table(workspace):
    assert rfm.default_as_of(workspace) is None
    table = rfm.customers(workspace)
    assert table.empty and list(table.columns) == rfm.COLUMNS


def test_quintile_scores(workspace, tmp_path):
    # k01..k10: k_i orders (11 - i) times, all on 2024-01-i, spending 100 * i in total
    lines = ["order_id,customer_id,order_time,order_total"]
    for i in range(1, 11):
        for n in range(11 - i):
            lines.append(f"O{i}-{n},k{i:02d},2024-01-{i:02d},{100 * i if n == 0 else 0}")
    ingest.load(workspace, write_csv(tmp_path / "q.csv", "\n".join(lines)), kind="orders")
    table = rfm.customers(workspace).set_index("customer_id")
    assert table.loc["k10", ["recency_days", "frequency", "monetary"]].tolist() == [1, 1, 1000]
    fifths = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert table["r_score"].tolist() == fifths  # the most recent score highest
    assert table["m_score"].tolist() == fifths
    assert table["f_score"].tolist() == fifths[::-1]  # k01 ordered most often
    # r 1 with fm (5 + 1) // 2 = 3 is at risk; r 5 with fm 3 a potential loyalist
    assert table.loc["k01", "segment"] == "at_risk" and table.loc["k10", "segment"] == "potential_loyalist"


@pytest.mark.parametrize(("recency", "frequency", "monetary", "tier"), [
    (30, 4, 2000, "VIP"),
    (0, 12, 90_000, "VIP"),
    (31, 4, 2000, "Potential"),  # R 30/31
    (30, 3, 2000, "Potential"),  # F 3/4
    (30, 4, 1999, "Potential"),  # M 1999/2000
    (30, 1, 1999, "Potential"),  # gap: one big recent order
    (30, 1, 499, "Normal"),  # gap: recent, once, small
    (30, 1, 500, "Potential"),
    (90, 2, 0, "Potential"),
    (90, 1, 500, "Potential"),
    (90, 1, 499.99, "Normal"),
    (91, 2, 5000, "Normal"),  # R 90/91
    (91, 9, 99_999, "Normal"),
    (180, 10, 99_999, "Normal"),
    (181, 10, 99_999, "Churned"),  # R 180/181
    (181, 1, 0, "Churned"),
    (0, 1, 0, "Normal"),
])
def test_tier_rule_at_every_edge(recency, frequency, monetary, tier):
    frame = pd.DataFrame({"recency_days": [recency], "frequency": [frequency], "monetary": [monetary]})
    assert rfm.assign_tiers(frame).tolist() == [tier]


def test_every_grid_point_lands_in_exactly_one_known_tier():
    grid = pd.MultiIndex.from_product([range(0, 400, 7), range(1, 8), range(0, 4000, 250)]).to_frame(
        index=False, name=["recency_days", "frequency", "monetary"])
    assert set(rfm.assign_tiers(grid)) == set(rfm.TIERS)
    assert [tier for tier, _, _ in rfm.tier_rules()] == ["Churned", "VIP", "Potential", "Normal"]


def test_every_score_pair_has_a_segment():
    scores = pd.MultiIndex.from_product([range(1, 6)] * 3).to_frame(index=False, name=["r_score", "f_score", "m_score"])
    segments = rfm.assign_segments(scores)
    assert segments.notna().all() and set(segments) == set(rfm.SEGMENTS)


def test_thresholds_are_saved_per_workspace_and_used(shop):
    assert rfm.load_thresholds(shop) == Thresholds()
    rfm.save_thresholds(shop, Thresholds(potential_min_monetary=100, churned_after_days=90))
    assert rfm.load_thresholds(shop) == Thresholds(potential_min_monetary=100, churned_after_days=90)
    tiers = dict(zip(*rfm.customers(shop)[["customer_id", "tier"]].T.values))
    assert tiers == {"c1": "Potential", "c2": "Churned", "c3": "Normal", "c4": "Potential"}
    with pytest.raises(rfm.RfmError):
        rfm.save_thresholds(shop, Thresholds(vip_max_recency_days=100))


def test_tier_shares_against_the_reference():
    shares = rfm.tier_shares(pd.DataFrame({"tier": ["VIP"] + ["Potential"] * 2 + ["Normal"] * 7}))
    assert shares["tier"].tolist() == ["VIP", "Potential", "Normal", "Churned"]
    assert shares["customers"].tolist() == [1, 2, 7, 0]
    assert shares["share"].tolist() == pytest.approx([0.1, 0.2, 0.7, 0.0])
    assert shares["reference_share"].tolist() == pytest.approx([0.08, 0.22, 0.45, 0.25])
    assert shares["goal"].tolist() == ["rfm.goal.vip", "rfm.goal.potential", "rfm.goal.normal", "rfm.goal.churned"]
    assert rfm.tier_shares(pd.DataFrame({"tier": []}))["share"].tolist() == [0, 0, 0, 0]


def test_movement_between_two_dates(shop):
    moved = rfm.movement(shop, date(2024, 5, 20), date(2024, 5, 31))
    rows = {r.customer_id: (r.tier_before, r.tier_after, r.change) for r in moved.customers.itertuples()}
    assert rows["c1"] == ("Normal", "Potential", "up")  # second order
    assert rows["c2"] == ("Potential", "Normal", "down")  # 91 days since the last order
    assert rows["c4"] == ("Normal", "Normal", "same")
    assert rows["c3"][1:] == ("Normal", "new") and pd.isna(rows["c3"][0])
    summary = moved.summary
    assert summary.loc["Normal", "Potential"] == 1 and summary.loc["Potential", "Normal"] == 1
    assert summary.loc["new", "Normal"] == 1 and summary.to_numpy().sum() == 4
    with pytest.raises(rfm.RfmError):
        rfm.movement(shop, date(2024, 5, 31), date(2024, 5, 31))


def test_movement_with_a_window_reports_customers_who_left_it(shop):
    # 30 days before 05-09 reach back to c4's order of 04-10; 30 days before 05-31 do not
    moved = rfm.movement(shop, date(2024, 5, 9), date(2024, 5, 31), window_days=30)
    rows = {r.customer_id: r.change for r in moved.customers.itertuples()}
    assert rows == {"c1": "up", "c3": "new", "c4": "gone"}
    assert moved.summary.loc["Normal", "gone"] == 1 and moved.summary["gone"].sum() == 1


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_writes_one_safe_row_per_customer(tmp_path):
    ws = tmp_path / "cli.duckdb"
    orders = write_csv(tmp_path / "orders.csv", SHOP + "\nA7,=cmd(),2024-05-02,2500,0,paid,s1\n")
    assert run("ingest", "--workspace", ws, orders).returncode == 0
    out = tmp_path / "tiers.csv"
    result = run("rfm", "--workspace", ws, "--as-of", "2024-05-31", "--out", out)
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "tier"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"'=cmd()", "c1", "c2", "c3", "c4"}
    assert by_id["'=cmd()"][1:4] == ["29", "1", "2500.0"] and by_id["'=cmd()"][7] == "Potential"
    windowed = run("rfm", "--workspace", ws, "--window-days", "30", "--out", out)
    assert windowed.returncode == 0 and "3 customer(s) as of 2024-05-31" in windowed.stdout


@pytest.mark.parametrize("args", [("--as-of", "31/05/2024"), ("--window-days", "0")])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args):
    ws = tmp_path / "cli.duckdb"
    assert run("ingest", "--workspace", ws, write_csv(tmp_path / "orders.csv", SHOP)).returncode == 0
    result = run("rfm", "--workspace", ws, *args, "--out", tmp_path / "x.csv")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("count", [0, 1, 3, 5, 7, 1_003])
@pytest.mark.parametrize("spread", ["ties", "distinct", "one value"])
def test_fifths_are_duckdbs_ntile_with_ties_in_row_order(count, spread):
    # the independent reference: SQL's ntile(5) ordered by the value, then the row (as customer_id orders them)
    rng = np.random.default_rng(count)
    values = {"ties": rng.integers(0, 6, count).astype(float),  # few values: ties everywhere
              "distinct": rng.random(count),  # edge case: each boundary value held by one row
              "one value": np.full(count, 7.0)}[spread]  # edge case: the rows' order alone decides
    con = duckdb.connect()
    con.register("numbered", pd.DataFrame({"value": values, "row": np.arange(count)}))
    expected = con.sql("select ntile(5) over (order by value, row) as score, row from numbered order by row").df()
    assert rfm.fifths(values).tolist() == expected["score"].tolist()
