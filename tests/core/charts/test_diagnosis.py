"""Diagnosis charts: a dimension without data is a gap on the radar, and money carries the currency."""

from __future__ import annotations

import math

import pytest

from core.charts import diagnosis as charts

PARTIAL = {"technical": None, "product": None, "experience": 2.0, "operations": 5.0}


def test_radar_data_marks_the_dimensions_without_a_score_as_missing():
    data = charts.radar_data(PARTIAL)
    assert data["dimension"].tolist() == ["technical", "product", "experience", "operations"]
    assert data["missing"].tolist() == [True, True, False, False]
    assert data["note"].tolist() == ["no data", "no data", "", ""]
    missing = data[data["missing"]]
    assert missing[["score", "x", "y", "run"]].isna().all().all()  # no point on the web, on no path
    # experience (at the bottom, angle 180 degrees) and operations (left, 270 degrees) are neighbours: one path
    scored = data[~data["missing"]].set_index("dimension")
    assert scored["run"].tolist() == [0, 0]
    assert scored.loc["experience", "y"] == pytest.approx(-2.0) and scored.loc["operations", "x"] == pytest.approx(-5.0)
    assert charts.radar_data(PARTIAL, "zh")["note"].tolist()[0] == "无数据"


def test_a_gap_splits_the_line_and_a_full_web_closes_it():
    # the web is a circle, so operations and technical are neighbours: without product the path runs
    # experience -> operations -> technical; without product and operations, experience and technical stand alone
    data = charts.radar_data({"technical": 3.0, "product": None, "experience": 1.0, "operations": 5.0})
    assert data.set_index("dimension")["run"].dropna().to_dict() == {"technical": 0, "experience": 0, "operations": 0}
    apart = charts.radar_data({"technical": 3.0, "product": None, "experience": 1.0, "operations": None})
    assert apart.set_index("dimension")["run"].dropna().to_dict() == {"technical": 1, "experience": 0}


def path_rows(spec):
    """The radar's line layer data: (run, dimension label) in drawing order."""
    area = spec["layer"][1]
    rows = spec["datasets"][area["data"]["name"]]
    return area, [(r["run"], r["dimension"]) for r in rows]


def test_the_radar_draws_only_scored_dimensions_and_fills_only_a_closed_web():
    area, rows = path_rows(charts.radar(PARTIAL).to_dict())
    assert rows == [(0, "User experience"), (0, "Operations")]
    assert area["encoding"]["detail"]["field"] == "run" and "fill" not in area["mark"]
    notes = charts.radar(PARTIAL).to_dict()["layer"][3]
    assert [r["note"] for r in charts.radar(PARTIAL).to_dict()["datasets"][notes["data"]["name"]]] == ["no data", "no data"]
    full = dict.fromkeys(PARTIAL, 4.0)
    area, rows = path_rows(charts.radar(full).to_dict())
    assert [label for _, label in rows] == ["Technical", "Product structure", "User experience", "Operations", "Technical"]
    assert area["mark"]["fill"] and not math.isnan(area["mark"]["fillOpacity"])


def test_the_gmv_bridge_speaks_the_shops_currency():
    spec = charts.gmv_waterfall(1000.0, [("uv", 200.0), ("conversion_rate", -50.0), ("aov", 0.0)], 1150.0, "en", "USD").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["shown"] for r in rows] == ["$1,000", "$200", "-$50", "$0", "$1,150"]
    assert spec["layer"][0]["encoding"]["y"]["title"] == "GMV ($)"
    plain = charts.gmv_waterfall(100.0, [("uv", 10.0)], 110.0).to_dict()
    assert [r["shown"] for r in next(iter(plain["datasets"].values()))] == ["100", "10", "110"]


def _tooltips(spec: dict) -> list[dict]:
    return [tip for layer in spec["layer"] for tip in layer["encoding"].get("tooltip", [])]


def test_tooltips_speak_chinese_with_separators_and_numeric_dates():
    # issue 12: tooltips named fields by their column names ("uv", "share_of_uv") and dates as "May 1, 2024"
    import pandas as pd

    daily = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"]), "channel": ["搜索"], "uv": [12345], "share_of_uv": [1.0]})
    flagged = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"]), "channel": ["搜索"], "metric": ["uv_drop"],
                            "value": [12345.0], "baseline": [20000.0], "change": [-0.38]})
    tips = _tooltips(charts.traffic(daily, flagged, 0.3, "zh").to_dict())
    assert {tip["title"] for tip in tips} == {"日期", "渠道", "访客数", "占比", "数值", "基线", "变化"}
    assert all(tip.get("format") == "%Y-%m-%d" for tip in tips if tip["type"] == "temporal")
    assert all(tip.get("format") for tip in tips if tip["type"] == "quantitative")  # 12,345, not 12345
    stages = pd.DataFrame({"stage": ["浏览"], "entered": [12345], "lost": [0], "loss_rate": [0.0],
                           "conversion_from_top": [1.0], "flagged": [False]})
    funnel_tips = _tooltips(charts.funnel(stages, 0.5, "zh").to_dict())
    assert [tip["title"] for tip in funnel_tips] == ["环节", "进入人数", "流失人数", "流失率", "相对首环节转化率"]
    assert next(tip for tip in funnel_tips if tip["field"] == "entered")["format"] == ",.0f"
