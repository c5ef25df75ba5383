"""Experiments from a workspace: control, Holm across variants, revenue per visitor, running rates."""

from __future__ import annotations

import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from core.experiments import register as ab_log

from core.experiments import service as experiments

from core.data import ingest
from tests.conftest import table, write_csv


def test_choose_control_by_name_then_order():
    assert experiments.choose_control(["B", "A"]) == "A"
    assert experiments.choose_control(["treatment", "Control"]) == "Control"
    assert experiments.choose_control(["v2", "v1"]) == "v1"


def test_three_variants_are_holm_corrected_against_the_control(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "e.csv", """
        experiment,variant,users,conversions,start_date,end_date
        banner,A,12000,300,2024-05-01,2024-05-14
        banner,B,12000,360,2024-05-01,2024-05-14
        banner,C,12000,330,2024-05-01,2024-05-14
    """))
    result = experiments.analyse(workspace, "banner")
    assert result.control == "A" and [c.variant for c in result.comparisons] == ["B", "C"]
    raw = [proportions_ztest([conv, 300], [12000, 12000])[1] for conv in (360, 330)]
    assert [c.result.p_value for c in result.comparisons] == pytest.approx(raw)
    assert [c.adjusted_p for c in result.comparisons] == pytest.approx(list(multipletests(raw, method="holm")[1]))
    # B's raw p = 0.0177 would pass alone; Holm doubles the smaller p to 0.035, still below 0.05
    assert [c.result.verdict for c in result.comparisons] == ["b_wins", "no_difference"]


def test_revenue_per_visitor_needs_sums_of_squares(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "users.csv", "experiment,variant,user_id,converted,revenue\n" + "\n".join(
        [f"t,A,a{i},{int(i < 5)},{10 if i < 5 else 0}" for i in range(50)] + [f"t,B,b{i},{int(i < 10)},{12 if i < 10 else 0}" for i in range(50)])))
    comparison = experiments.analyse(workspace, "t").comparisons[0]
    assert comparison.revenue.rpv_a == pytest.approx(1.0) and comparison.revenue.rpv_b == pytest.approx(2.4)


def test_running_rates_by_day(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "e.csv", """
        experiment,variant,date,users,conversions
        t,A,2024-05-01,100,10
        t,A,2024-05-02,300,10
        t,B,2024-05-01,100,5
    """))
    daily = experiments.analyse(workspace, "t").daily
    rates = daily[daily["variant"] == "A"]["cumulative_rate"].tolist()
    assert rates == pytest.approx([0.10, 20 / 400])


def test_the_log_keeps_one_row_per_test_and_saves_edits(workspace):
    from core.experiments.statistics import analyse

    result = analyse(12000, 300, 12000, 360, days=14)
    entry = ab_log.entry_from("t1", result, page="checkout", variable="button", version_a="grey", version_b="green",
                              first_day="2024-05-01", last_day="2024-05-14", conclusion="B wins.")
    ab_log.add(workspace, entry)
    ab_log.add(workspace, {**entry, "conclusion": "B wins, shipped"})
    log = ab_log.entries(workspace)
    assert log[["test_id", "sample_size", "rate_a", "rate_b", "conclusion"]].values.tolist() == [
        ["t1", 24000, 0.025, 0.03, "B wins, shipped"]]
    edited = log.copy()
    edited.loc[len(edited)] = {**entry, "test_id": "t2", "page": "home"}
    edited.loc[len(edited)] = {c: None for c in ab_log.COLUMNS}  # an empty row the editor added
    ab_log.replace_all(workspace, edited)
    assert table(workspace, "select test_id, page from ab_test_log order by 1") == [("t1", "checkout"), ("t2", "home")]
