"""The experiments service: an experiment from the workspace (control, Holm across variants, revenue per
visitor, running rates, rates with intervals), numbers typed in, the plan for the next test, the register."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from core.data import ingest
from core.experiments import register as ab_log
from core.experiments import service as experiments
from core.experiments import statistics as abtest
from core.platform.errors import WorkspaceReadOnly
from core.platform.workspace import Workspace
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
    result = experiments.experiment(workspace, "banner")
    assert result.control == "A" and [c.variant for c in result.comparisons] == ["B", "C"]
    raw = [proportions_ztest([conv, 300], [12000, 12000])[1] for conv in (360, 330)]
    assert [c.result.p_value for c in result.comparisons] == pytest.approx(raw)
    assert [c.adjusted_p for c in result.comparisons] == pytest.approx(list(multipletests(raw, method="holm")[1]))
    # B's raw p = 0.0177 would pass alone; Holm doubles the smaller p to 0.035, still below 0.05
    assert [c.result.verdict for c in result.comparisons] == ["b_wins", "no_difference"]


def test_revenue_per_visitor_needs_sums_of_squares(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "users.csv", "experiment,variant,user_id,converted,revenue\n" + "\n".join(
        [f"t,A,a{i},{int(i < 5)},{10 if i < 5 else 0}" for i in range(50)]
        + [f"t,B,b{i},{int(i < 10)},{12 if i < 10 else 0}" for i in range(50)])))
    comparison = experiments.experiment(workspace, "t").comparisons[0]
    assert comparison.revenue.rpv_a == pytest.approx(1.0) and comparison.revenue.rpv_b == pytest.approx(2.4)


def test_running_rates_by_day(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "e.csv", """
        experiment,variant,date,users,conversions
        t,A,2024-05-01,100,10
        t,A,2024-05-02,300,10
        t,B,2024-05-01,100,5
    """))
    daily = experiments.experiment(workspace, "t").daily
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


def _two_tests(workspace, tmp_path):
    """`hero`: B against A, each with rows on two days between 1 and 3 May; `banner`: two variants, totals only."""
    ingest.load(workspace, write_csv(tmp_path / "daily.csv", """
        experiment,variant,date,users,conversions,revenue,page,variable
        hero,A,2024-05-01,40,20,100,home,headline
        hero,A,2024-05-02,60,30,150,home,headline
        hero,B,2024-05-01,50,5,10,home,headline
        hero,B,2024-05-03,50,5,15,home,headline
    """))
    ingest.load(workspace, write_csv(tmp_path / "totals.csv", """
        experiment,variant,users,conversions,start_date,end_date
        banner,A,12000,300,2024-05-01,2024-05-14
        banner,B,12000,360,2024-05-01,2024-05-14
        banner,C,12000,330,2024-05-01,2024-05-14
    """), mode="append")


def test_an_experiment_comes_with_its_rates_days_and_facts(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    assert experiments.experiment_names(workspace) == ["banner", "hero"]
    hero = experiments.experiment(workspace, "hero")
    # A: 40 + 60 = 100 users, 20 + 30 = 50 conversions; B: 50 + 50 = 100 users, 5 + 5 = 10 conversions
    assert hero.rates[["variant", "rate"]].values.tolist() == [["A", 0.5], ["B", 0.1]]
    wilson = [proportion_confint(50, 100, method="wilson"), proportion_confint(10, 100, method="wilson")]
    assert hero.rates[["low", "high"]].values.ravel().tolist() == pytest.approx([bound for w in wilson for bound in w])
    # A has rows on 1 and 2 May, B on 1 and 3 May: two days counted per variant, first 1 May, last 3 May
    assert (hero.days, hero.first_day, hero.last_day) == (2, date(2024, 5, 1), date(2024, 5, 3))
    assert (hero.page, hero.variable, hero.has_revenue, hero.has_daily, hero.several) == ("home", "headline", True, True, False)
    assert hero.variant_names == ["B"] and hero.comparison("B").result.conv_b == 10
    with pytest.raises(FrozenInstanceError):
        hero.control = "B"
    banner = experiments.experiment(workspace, "banner")
    # totals only: no rows per day, so 0 counted days and no running rates; the span is 1-14 May
    assert (banner.days, banner.has_daily, banner.has_revenue, banner.several) == (0, False, False, True)
    assert (banner.first_day, banner.last_day, banner.page) == (date(2024, 5, 1), date(2024, 5, 14), None)
    assert banner.comparisons[0].result.days == 14


def test_numbers_typed_in_match_the_statistics_and_carry_their_rates():
    typed = experiments.by_hand(12000, 300, 12000, 360, days=14)
    assert typed.result == abtest.analyse(12000, 300, 12000, 360, days=14)
    assert typed.result.verdict == "b_wins"
    # 300 / 12,000 = 2.5 %, 360 / 12,000 = 3 %
    assert typed.rates[["variant", "rate"]].values.tolist() == [["A", 0.025], ["B", 0.03]]
    with pytest.raises(abtest.InputError):
        experiments.by_hand(100, 101, 100, 5)


def test_a_result_is_frozen_and_says_its_points_and_split():
    result = experiments.by_hand(10_000, 300, 10_000, 360, days=14).result
    # 3.6 % - 3.0 % = +0.6 points
    assert result.lift_points[0] == pytest.approx(0.6)
    assert result.required_confidence == pytest.approx(0.95) and not result.split_mismatch
    assert result.confidence_text == "98.25%"  # 1 - p of the pooled z-test, as the demo page shows it
    assert abtest.analyse(12_000, 300, 12_000, 500, days=14).confidence_text == "> 99.99%"
    with pytest.raises(FrozenInstanceError):
        result.verdict = "a_wins"
    # 19,670 against 20,330: chi-square p = 0.00097, under the 0.001 the playbook allows
    assert abtest.analyse(19_670, 600, 20_330, 610, days=14).split_mismatch


def test_the_plan_uses_the_formula_and_the_last_four_weeks_of_traffic(workspace, tmp_path):
    # 3,841 per group for 10 % -> 12 % (the CLI test's number); no traffic: no duration
    alone = experiments.plan_experiment(0.1, 0.02)
    assert (alone.n_per_group, alone.days, alone.below_minimum) == (3841, None, True)
    # 12 days at 100 UV, then 28 days at 1,000 UV: the last 28 days average 1,000
    days = pd.date_range("2024-04-01", periods=40).strftime("%Y-%m-%d")
    rows = [f"{day},{100 if i < 12 else 1000}" for i, day in enumerate(days)]
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,uv\n" + "\n".join(rows)))
    plan = experiments.plan_next_experiment(workspace, 0.1, 0.02, relative=False)
    # 2 x 3,841 = 7,682 users at 1,000 a day: 7.7 -> 8 days
    assert (plan.daily_traffic, plan.days) == (1000.0, 8)
    # half the traffic: 7,682 / 500 = 15.4 -> 16 days
    assert experiments.plan_next_experiment(workspace, 0.1, 0.02, share_of_traffic=0.5).days == 16
    # a fifth more on a 10 % baseline is the same 10 % -> 12 %
    assert experiments.plan_next_experiment(workspace, 0.1, 0.2, relative=True).n_per_group == 3841
    # 10 % -> 20 % needs about 200 per group, a morning's traffic; the playbook still asks for a week
    assert experiments.plan_next_experiment(workspace, 0.1, 0.1, relative=False).days == 7
    # z^2 p (1 - p) / E^2 = 1.96^2 x 0.1 x 0.9 / 0.01^2 = 3,457.3 -> 3,458
    assert plan.users_for_margin(0.01) == 3458


def test_logging_a_result_writes_one_row_per_variant_in_the_chosen_language(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    version = workspace.data_version
    assert experiments.log_result(workspace, "hero", "B", lang="zh") == "hero"
    assert experiments.log_result(workspace, "banner", "C") == "banner:C"
    assert workspace.data_version == version  # the register is the owner's notes: no cached result is thrown away
    log = experiments.register(workspace)
    assert log.columns == tuple(ab_log.COLUMNS)
    rows = log.table.set_index("test_id")
    # hero: 100 + 100 users; 50 / 100 and 10 / 100; 100 users a group and 2 days, so keep testing (in Chinese)
    assert rows.loc["hero", ["period", "sample_size", "rate_a", "rate_b", "version_a", "version_b"]].tolist() == [
        "2024-05-01 – 2024-05-03", 200, 0.5, 0.1, "A", "B"]
    assert rows.loc["hero", "conclusion"] == "继续测试。"
    assert rows.loc["banner:C", "conclusion"] == "No significant difference."


def test_the_register_download_shows_percentages_and_the_readers_headers(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    experiments.log_result(workspace, "hero", "B")
    table = experiments.register(workspace).table
    table.loc[len(table)] = {c: None for c in ab_log.COLUMNS}  # a row being typed in: blanks stay blank
    rows = experiments.register_file(table, "zh")
    # hero: A 50 / 100 = 50.00%, B 10 / 100 = 10.00%; 200 users as a whole number
    assert rows.columns[0] == "测试编号"
    assert rows.iloc[0][["样本量", "A 转化率", "B 转化率"]].tolist() == [200, "50.00%", "10.00%"]
    assert rows.iloc[0]["置信度"].endswith("%") and rows.iloc[1].isna().all()


def test_logging_every_experiment_and_saving_the_edited_register(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    assert experiments.log_every_experiment(workspace) == ["banner:B", "banner:C", "hero"]
    edited = experiments.register(workspace).table
    edited.loc[len(edited)] = {c: None for c in ab_log.COLUMNS}  # an empty row the editor added
    edited = edited[edited["test_id"] != "hero"]
    experiments.save_register(workspace, edited)
    assert experiments.register(workspace).table["test_id"].tolist() == ["banner:B", "banner:C"]


def test_the_demo_register_cannot_be_written(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    with workspace.cursor() as cur:
        workspace.set_meta(cur, "is_demo", "true")
    demo = Workspace(workspace.path)
    with pytest.raises(WorkspaceReadOnly):
        experiments.log_result(demo, "hero", "B")
    with pytest.raises(WorkspaceReadOnly):
        experiments.save_register(demo, experiments.register(demo).table)


def test_an_id_used_twice_is_refused_by_name_and_nothing_is_saved(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    experiments.log_every_experiment(workspace)
    edited = experiments.register(workspace).table
    edited.loc[len(edited)] = {**edited.iloc[0].to_dict(), "test_id": " banner:C ", "conclusion": "typed again"}
    with pytest.raises(experiments.DuplicateTestId) as refused:
        experiments.save_register(workspace, edited)
    assert str(refused.value) == ('Test ID "banner:C" is in the test log more than once: give each test its own ID, '
                                  "then save again. Nothing was saved.")
    assert refused.value.text("zh").startswith("测试编号“banner:C”在测试记录中出现了不止一次")
    assert experiments.register(workspace).table["test_id"].tolist() == ["banner:B", "banner:C", "hero"]  # untouched
    # the same id once, with spaces around it: saved without them
    edited = edited[edited["conclusion"] != "typed again"]
    edited.loc[edited["test_id"] == "hero", "test_id"] = " hero "
    experiments.save_register(workspace, edited)
    assert experiments.register(workspace).table["test_id"].tolist() == ["banner:B", "banner:C", "hero"]


def test_a_row_with_only_its_id_typed_is_saved_with_blanks(workspace, tmp_path):
    _two_tests(workspace, tmp_path)
    experiments.log_every_experiment(workspace)
    edited = experiments.register(workspace).table
    # the editor's new row: numbers left empty come as NaN in float columns (DuckDB refused NaN as an integer)
    edited.loc[len(edited)] = {c: None for c in ab_log.COLUMNS} | {"test_id": "next"}
    experiments.save_register(workspace, edited)
    saved = experiments.register(workspace).table.set_index("test_id")
    assert saved.index.tolist() == ["banner:B", "banner:C", "hero", "next"]
    assert saved.loc["next"].isna().all() and saved.loc["hero", "sample_size"] == 200
