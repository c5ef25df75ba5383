"""The A/B testing page on a tiny workspace whose numbers can be checked by hand."""

from __future__ import annotations

import pytest

from core.data import ingest
from core.platform.workspace import Workspace
from tests.conftest import write_csv
from tests.pages.conftest import page_for

EXPERIMENT = """
    experiment,variant,date,users,conversions,revenue,page,variable
    hero,A,2024-05-01,40,20,100,home,headline
    hero,A,2024-05-02,60,30,150,home,headline
    hero,B,2024-05-01,50,5,10,home,headline
    hero,B,2024-05-03,50,5,15,home,headline
"""
TRAFFIC = """
    date,uv
    2024-05-01,1000
    2024-05-02,3000
"""


def tiny_shop(data_dir, tmp_path, *csvs: str) -> Workspace:
    workspace = Workspace(data_dir / "tiny.duckdb")
    for i, text in enumerate(csvs):
        ingest.load(workspace, write_csv(tmp_path / f"{i}.csv", text))
    return workspace


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_an_empty_shop_says_so_and_plans_without_a_duration(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path).path, "pages.ab_testing").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "A/B testing"
    assert at.info[0].value.startswith("No experiments in this workspace yet")
    assert len(at.get("vega_lite_chart")) == 0
    # no traffic data: 0 UV a day, so no duration can be given
    assert metrics(at)["Expected duration"] == "–"
    log = next(d.value for d in at.dataframe if "test_id" in d.value.columns)
    assert log.empty
    assert [b.label for b in at.button] == ["Save the test log"]  # no experiment, nothing to add to the log


def test_one_small_test_is_kept_running_and_logged(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path, EXPERIMENT, TRAFFIC).path, "pages.ab_testing").run()
    assert not at.exception and not at.error
    # A rows on 1 and 2 May, B on 1 and 3 May: two days counted per variant, 1 to 3 May
    assert at.caption[0].value == "Page: home · variable: headline · 2 day(s), 2024-05-01 – 2024-05-03"
    # 100 users a group (< 10,000), 2 days (< 7), and the week from 1 May ends on 7 May: keep testing
    verdict = at.warning[0].value
    assert verdict.startswith("**Keep testing.** The smaller group has 100 users; the playbook asks for at least 10,000")
    assert "It ran 2 day(s)" in verdict and "due on 2024-05-07" in verdict
    assert at.warning[1].value.startswith("Provisional numbers: the verdict is due on 2024-05-07.")
    shown = metrics(at)
    # A: (20 + 30) / (40 + 60) = 50 %; B: (5 + 5) / (50 + 50) = 10 %; B - A = -40 points
    assert (shown["Conversion A"], shown["Conversion B"]) == ("50.00%", "10.00%")
    assert at.metric[1].delta == "-40.00 pt"
    # revenue totals without sums of squares: no revenue-per-visitor test, and the page says why
    assert any(c.value.startswith("Revenue per visitor needs per-user revenue") for c in at.caption)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # rates with intervals, running rates by day
    assert '"title": "Interval low"' in charts[0].proto.spec and '"title": "Users"' in charts[1].proto.spec
    at.button(key="ab_add_log").click().run()
    log = next(d.value for d in at.dataframe if "test_id" in d.value.columns)
    # 100 + 100 users, the conclusion in the page's language
    assert log[["test_id", "sample_size", "rate_a", "rate_b", "conclusion"]].values.tolist() == [
        ["hero", 200, 0.5, 0.1, "Keep testing."]]


def test_the_planner_starts_from_the_control_and_uses_the_shop_traffic(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path, EXPERIMENT, TRAFFIC).path, "pages.ab_testing").run()
    assert at.number_input(key="plan_baseline").value == 0.5  # control A converts 50 %
    at.number_input(key="plan_baseline").set_value(0.1).run()
    at.toggle(key="plan_relative").set_value(False).run()
    at.number_input(key="plan_mde_False").set_value(0.02).run()
    shown = metrics(at)
    # 10 % -> 12 %: 3,841 a group (the CLI's number); 2 x 3,841 = 7,682 at (1,000 + 3,000) / 2 = 2,000 UV a day
    # is 3.8 days, but never under 7
    assert shown["Users needed per group"] == "3,841" and shown["Expected duration"] == "7 days"
    assert at.metric[-1].help.startswith("Both groups together at 2,000 UV a day (the last 28 days)")
    assert "never under 7 days" in at.metric[-1].help
    # a tenth of the traffic: 7,682 / 200 = 38.4 -> 39 days
    at.slider(key="plan_share").set_value(10).run()
    assert metrics(at)["Expected duration"] == "39 days"
    # under 10,000 a group, the playbook's floor is named
    assert any(c.value.startswith("The playbook also asks for at least 10,000 users per group") for c in at.caption)


def test_typed_in_numbers_draw_one_chart_and_name_a_broken_split(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path).path, "pages.ab_testing").run()
    at.radio(key="ab_source").set_value("manual").run()
    at.number_input(key="ab_users_b").set_value(20_000).run()
    assert not at.exception
    # 10,000 against 20,000 when 50/50 was planned: a sample-ratio mismatch, so the test is invalid (the only error)
    assert [e.value.split("**")[1] for e in at.error] == ["Invalid test: do not use this result."]
    assert any(c.value.startswith("Sample-ratio check failed:") and c.value.endswith("< 0.001. Do not trust this result.")
               for c in at.caption)
    # 300 / 10,000 = 3.00 %; 360 / 20,000 = 1.80 %
    assert (metrics(at)["Conversion A"], metrics(at)["Conversion B"]) == ("3.00%", "1.80%")
    assert len(at.get("vega_lite_chart")) == 1  # rates only: typed-in numbers have no days


def test_typed_in_conversions_above_users_say_so_and_nothing_else(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path).path, "pages.ab_testing").run()
    at.radio(key="ab_source").set_value("manual").run()
    at.number_input(key="ab_conv_a").set_value(20_000).run()
    assert not at.exception
    # the message, and no second error ("Something went wrong"), no verdict, no rates, no chart
    assert [e.value for e in at.error] == ["Group A: 20,000 conversions is more than its 10,000 users."]
    assert not at.success and not at.warning and not at.info
    assert len(at.get("vega_lite_chart")) == 0
    # the planner still shows, from its own starting rate (3 %) since there is no result to start from
    assert [s.value for s in at.subheader] == ["Sample-size planner", "Test log"]
    assert at.number_input(key="plan_baseline").value == 0.03
    assert list(metrics(at)) == ["Users needed per group", "Expected duration"]


def test_saving_the_log_with_an_id_twice_names_it_and_keeps_the_edits(data_dir, tmp_path):
    at = page_for(tiny_shop(data_dir, tmp_path, EXPERIMENT, TRAFFIC).path, "pages.ab_testing").run()
    at.button(key="ab_add_log").click().run()
    # the editor's state as the browser sends it: a second row typed with the id "hero" again
    at.session_state["ab_log_editor"] = {"edited_rows": {}, "added_rows": [{"test_id": "hero"}], "deleted_rows": []}
    at.button(key="ab_log_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        'Test ID "hero" is in the test log more than once: give each test its own ID, then save again. Nothing was saved.']
    # the message stands in place of the rerun: the log and its export stay on the page to be put right
    assert at.button(key="ab_log_save") and len(at.get("download_button")) == 1


def test_the_rates_chart_gives_each_variant_its_own_row_under_a_title_that_fits(data_dir, tmp_path):
    import json

    at = page_for(tiny_shop(data_dir, tmp_path).path, "pages.ab_testing").run()
    at.radio(key="ab_source").set_value("manual").run()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    # a fixed total height (130 px for two variants) was squeezed by Streamlit into one row with A over B and
    # the title cut off; a step per variant keeps the rows apart, and the title starts at the left above the plot
    assert spec["height"] == {"step": 44}
    assert spec["layer"][0]["encoding"]["y"]["field"] == "variant"
    assert spec["title"] == {"text": "Conversion rate per variant with its interval", "anchor": "start", "offset": 8}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_register_shows_rates_and_confidence_as_percentages(data_dir, tmp_path, lang):
    import json

    from core.platform.i18n import translate

    at = page_for(tiny_shop(data_dir, tmp_path, EXPERIMENT, TRAFFIC).path, "pages.ab_testing")
    at.session_state["lang"] = lang
    at.run()
    at.button(key="ab_add_log").click().run()
    editor = next(d for d in at.dataframe if "test_id" in d.value.columns)
    config = json.loads(editor.proto.columns)
    # the logged row keeps its fractions (A 0.5, B 0.1); the table shows them as 50.00% and 10.00%, the
    # confidence as a percentage too, never a bare "1"; the sample size 200 with separators once it grows
    assert editor.value[["rate_a", "rate_b"]].values.tolist() == [[0.5, 0.1]]
    for column in ("rate_a", "rate_b", "confidence"):
        assert config[column]["label"] == translate(f"ab.log.{column}", lang)
        assert config[column]["type_config"]["format"] == "percent"
    assert config["sample_size"]["type_config"]["format"] == "localized"
