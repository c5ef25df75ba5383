"""The playbook's own tables upload as the owner keeps them: the wide traffic report, the funnel with its
Chinese headers, the A/B record (表5) and the ROI table (表2). Each file is in tests/fixtures; every
expected value is read off the file by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.data import ingest
from core.data.datasets import detect_kind
from tests.conftest import table, write_csv

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("playbook_traffic_wide.gbk.csv", "traffic_wide"),
        ("playbook_traffic_wide.en.csv", "traffic_wide"),
        ("playbook_funnel.gbk.csv", "funnel_stages"),
        ("playbook_ab_register.gbk.csv", "ab_register"),
        ("playbook_roi.gbk.csv", "marketing_spend"),
    ],
)
def test_each_layout_is_detected(name, kind):
    assert ingest.inspect(FIXTURES / name)[1] == kind


def test_a_wide_traffic_report_melts_into_date_by_channel_rows(workspace):
    # 日期,搜索,信息流,社交,合计 / 05-01: 120,80,30,230 / 05-02: 150,(blank),45,195
    report = ingest.load(workspace, FIXTURES / "playbook_traffic_wide.gbk.csv")
    assert report.encoding == "gb18030" and report.kind == "traffic_wide"
    # 2 file rows; 3 + 2 cells (the blank 信息流 cell is no row; 合计 is a total, not a source)
    assert (report.total_rows, report.accepted_rows, report.loaded_rows) == (2, 2, 5)
    assert table(workspace, "select date, channel, device, uv from traffic_daily order by date, uv desc") == [
        (date(2024, 5, 1), "搜索", "all", 120), (date(2024, 5, 1), "信息流", "all", 80), (date(2024, 5, 1), "社交", "all", 30),
        (date(2024, 5, 2), "搜索", "all", 150), (date(2024, 5, 2), "社交", "all", 45),
    ]


def test_a_wide_table_in_english_loads_every_cell(workspace):
    ingest.load(workspace, FIXTURES / "playbook_traffic_wide.en.csv")
    # search 120 + 150, feed 80 + 60, social 30 + 45
    assert table(workspace, "select channel, sum(uv) from traffic_daily group by 1 order by 1") == [
        ("feed", 140), ("search", 270), ("social", 75),
    ]


def test_a_bad_cell_of_a_wide_table_is_named_by_its_column_and_file_row(workspace, tmp_path):
    path = write_csv(tmp_path / "wide.csv", """
        date,search,feed
        2024-05-01,120,80
        2024-05-02,lots,60
    """)
    report = ingest.preview(workspace, path, kind="traffic_wide")
    assert (report.total_rows, report.rejected_count, report.accepted_rows) == (2, 1, 1)
    assert [p.text() for p in report.problems] == [
        "wide.csv, row 3, column 'search': expected a whole number, got 'lots'.",
    ]
    assert report.rejected["row"].tolist() == [3]


def test_known_layouts_still_win_over_the_wide_reading():
    assert detect_kind(["date", "channel", "uv"]) == "traffic_daily"
    assert detect_kind(["date", "notes", "comment"]) == "traffic_wide"  # the owner can pick another kind
    assert detect_kind(["date", "search"]) is None  # one column: nothing to melt
    assert detect_kind(["name", "colour", "size"]) is None  # no date


def test_the_playbook_funnel_loads_in_file_order_and_its_losses_are_checked(workspace):
    # 访问首页 1000 (lost 600 = 1000 - 400), 浏览商品 400 (300), 加入购物车 100 (70), 提交订单 30
    report = ingest.load(workspace, FIXTURES / "playbook_funnel.gbk.csv")
    assert report.mapping == {"stage": "用户路径节点", "users": "进入人数", "lost": "流失人数"}
    assert table(workspace, "select step, stage, users, segment from funnel_stages order by step") == [
        (1, "访问首页", 1000, "all"), (2, "浏览商品", 400, "all"), (3, "加入购物车", 100, "all"), (4, "提交订单", 30, "all"),
    ]


def test_a_loss_that_does_not_match_the_next_stage_is_reported(workspace, tmp_path):
    path = write_csv(tmp_path / "funnel.csv", "用户路径节点,进入人数,流失人数\n访问,1000,500\n加购,400,300\n支付,100,\n", "gbk")
    report = ingest.preview(workspace, path)
    # 1000 - 400 = 600, not 500; 400 - 100 = 300 is right
    assert [p.text() for p in report.problems] == [
        "funnel.csv, row 2, column '流失人数': expected the users entered minus the next stage's users (600), got '500'.",
    ]


def test_the_ab_record_table_loads_into_the_register(workspace):
    report = ingest.load(workspace, FIXTURES / "playbook_ab_register.gbk.csv")
    assert report.kind == "ab_register" and report.loaded_rows == 2
    rows = table(workspace, "select test_id, page, variable, version_a, version_b, period, sample_size, rate_a, rate_b, "
                            "confidence, conclusion from ab_test_log order by test_id")
    # rates as the register keeps them: 3.2% -> 0.032, 99.2% -> 0.992 (and 2.6% is 0.026, no float noise)
    assert rows == [
        ("T001", "详情页", "主图", "白底图", "场景图", "2024-05-01至2024-05-14", 20000, 0.032, 0.039, 0.992, "B胜出"),
        ("T002", "首页", "按钮颜色", "红色", "绿色", "2024-06-01至2024-06-07", 8000, 0.025, 0.026, 0.6, "无显著差异"),
    ]


def test_a_reuploaded_register_replaces_its_tests(workspace, tmp_path):
    ingest.load(workspace, FIXTURES / "playbook_ab_register.gbk.csv")
    path = write_csv(tmp_path / "r.csv", "测试编号,结论\nT001,A胜出\n", "gbk")
    ingest.load(workspace, path, kind="ab_register")
    assert table(workspace, "select test_id, conclusion from ab_test_log order by 1") == [("T001", "A胜出"), ("T002", "无显著差异")]


@pytest.mark.parametrize(
    "header", ["渠道,月份,花费,收入,ROI", "渠道,周期,投入,产出,ROI"],
)
def test_the_roi_table_loads_into_marketing_spend(workspace, tmp_path, header):
    if header.startswith("渠道,月份"):
        path = FIXTURES / "playbook_roi.gbk.csv"
    else:
        path = write_csv(tmp_path / "roi.csv", header + "\n搜索,2024-05,10000,35000,3.5\n信息流,2024-05,8000,12000,1.5\n", "gbk")
    report = ingest.load(workspace, path)
    assert report.kind == "marketing_spend" and report.mapping["roi"] == "ROI"
    assert table(workspace, "select period_start, channel, spend, attributed_revenue from marketing_spend order by spend") == [
        (date(2024, 5, 1), "信息流", 8000.0, 12000.0), (date(2024, 5, 1), "搜索", 10000.0, 35000.0),
    ]
