"""The stakeholder report is one self-contained HTML file: charts inline, nothing fetched."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.data import ingest
from core.diagnosis import report
from core.diagnosis.service import diagnose
from tests.conftest import write_csv


@pytest.fixture
def small_shop(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "o.csv", """
        order_id,customer_id,order_time,order_total,sku,quantity,unit_price
        A1,<script>alert(1)</script>,2024-05-01,100,s1,1,100
        A2,c2,2024-05-20,50,s2,1,50
    """))
    ingest.load(workspace, write_csv(tmp_path / "t.csv", "date,channel,uv,bounce_rate\n" + "\n".join(
        f"2024-05-{d:02d},<b>web</b>,{100 if d != 29 else 10},{0.75 if d == 30 else 0.5}" for d in range(1, 32))))
    ingest.load(workspace, write_csv(tmp_path / "f.csv", "step,stage,users\n1,home,1000\n2,checkout,300\n3,payment,250\n"))
    return workspace


def test_report_holds_scores_problems_funnel_and_anomalies(small_shop):
    html = report.build_html("My <Shop>", diagnose(small_shop, date(2024, 5, 1), date(2024, 5, 31)), "en")
    assert "<title>ShopLens diagnosis: My &lt;Shop&gt;</title>" in html
    assert html.count("<svg") == 4  # radar, funnel, traffic, bounce
    # home -> checkout loses 70%: flagged with the cause for leaving the home page; checkout loses 16.7%
    assert "70.0%" in html and "Slow first screen" in html
    assert "Complicated or surprising shipping fees" not in html
    assert "Bounce rate above 70%" in html and "2024-05-30" in html
    assert "&lt;b&gt;web&lt;/b&gt;" in html and "<b>web</b>" not in html


def test_report_needs_no_network(small_shop):
    html = report.build_html("shop", diagnose(small_shop, date(2024, 5, 1), date(2024, 5, 31)), "zh")
    assert "<script" not in html and "<link" not in html
    # the only URLs are XML namespace names inside the SVGs, which are never fetched
    urls = set(re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html))
    assert {u for u in urls if not u.startswith("#")} == set()
    assert "健康度" in html
