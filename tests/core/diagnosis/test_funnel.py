"""The funnel: the playbook's example and a workspace funnel with segments and dates."""

from __future__ import annotations

from datetime import date

import pytest

from core.data import ingest
from core.diagnosis import funnel
from tests.conftest import write_csv
from tests.core.diagnosis.tiny_shop import FUNNEL

STAGES = ["home", "category", "product_detail", "add_to_cart", "checkout", "payment"]


def test_the_playbook_example():
    table = funnel.from_counts(STAGES, [100_000, 75_000, 45_000, 27_000, 18_900, 8_505])
    assert table["loss_rate"].round(4).tolist()[:5] == [0.25, 0.40, 0.40, 0.30, 0.55]
    # 40% exactly is not a leak; only the 55% stage is
    assert table["flagged"].tolist() == [False, False, False, False, True, False]
    assert table.loc[4, "cause"] == "funnel.cause.shipping_fees"
    assert table["lost"].tolist()[:5] == [25_000, 30_000, 18_000, 8_100, 10_395]
    assert table["conversion_from_top"].iloc[-1] == pytest.approx(0.08505)


@pytest.mark.parametrize(("stage", "position", "cause"), [
    ("首页", 3, "funnel.cause.slow_first_screen"), ("Shopping cart", 0, "funnel.cause.stock_accuracy"),
    ("step three", 2, "funnel.cause.size_guidance"), ("step nine", 8, "funnel.cause.generic")])
def test_causes_by_name_then_by_position(stage, position, cause):
    assert funnel.cause_for(stage, position) == cause


def test_segments_add_up_when_there_is_no_all(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", FUNNEL))
    may = funnel.funnel(workspace, start=date(2024, 5, 1), end=date(2024, 5, 31))
    assert may["entered"].tolist() == [1000, 500] and may["loss_rate"].iloc[0] == pytest.approx(0.5)
    mobile = funnel.funnel(workspace, "mobile", date(2024, 5, 1), date(2024, 5, 31))
    assert mobile["loss_rate"].iloc[0] == pytest.approx(2 / 3) and bool(mobile["flagged"].iloc[0])
    april = funnel.funnel(workspace, "mobile", date(2024, 4, 1), date(2024, 4, 30))
    assert april["loss_rate"].iloc[0] == pytest.approx(0.1) and not april["flagged"].iloc[0]
    assert sorted(funnel.by_segment(workspace)["segment"].unique()) == ["desktop", "mobile"]


def test_segments_offer_all_first_when_they_add_up(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", """
        step,stage,users,segment
        1,home,600,mobile
        2,checkout,200,mobile
        1,home,400,desktop
        2,checkout,300,desktop
    """))
    assert funnel.segments(workspace) == ["all", "desktop", "mobile"]
    assert sorted(funnel.split(workspace)["segment"].unique()) == ["desktop", "mobile"]


def test_one_segment_has_nothing_to_split(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", "step,stage,users\n1,home,100\n2,checkout,50\n"))
    assert funnel.segments(workspace) == ["all"]
    assert funnel.split(workspace).empty


def test_loss_rates_against_an_earlier_funnel_match_by_step():
    now = funnel.from_counts(["home", "checkout", "payment"], [1000, 500, 400])
    before = funnel.from_counts(["home", "checkout"], [1000, 900])
    compared = funnel.against(now, before)
    # home: 50% now, 10% before; checkout: 20% now, none before (it was the last step); payment: no next step
    assert compared["stage"].tolist() == ["home", "checkout", "payment"]
    assert compared["loss_rate"].tolist()[:2] == pytest.approx([0.5, 0.2])
    assert compared["loss_rate_before"].iloc[0] == pytest.approx(0.1) and compared["loss_rate_before"].iloc[1:].isna().all()
    assert funnel.against(now, before.iloc[0:0]).empty
