"""Both catalogs are complete, and every key the code asks for exists."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime

import numpy as np

from core.customers import rfm
from core.customers import touch_plan as playbook
from core.data.datasets import DATASETS
from core.data.ingest import MODES, PARSERS
from core.diagnosis import funnel, health
from core.experiments import register as ab_log
from core.experiments import statistics as abtest
from core.platform.i18n import catalog, translate
from tests.conftest import ROOT

LITERAL_KEY = re.compile(r"""\b(?:t|translate|Message|IngestError|SourceError|WorkspaceError|WorkspaceBusy|CleaningNote)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def test_english_and_chinese_have_the_same_keys_and_placeholders():
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key
        assert zh[key].strip(), key


def test_every_literal_key_in_the_code_is_in_the_catalog():
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "core").rglob("*.py")]:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern found no keys"
    assert used - set(catalog("en")) == set()


def test_every_computed_key_family_is_complete():
    en = catalog("en")
    families = [f"dataset.{name}" for name in DATASETS]
    families += [f"field.{f.name}" for d in DATASETS.values() for f in d.fields]
    families += [f"data.mode.{m}" for m in MODES] + [f"problem.not_{kind}" for kind in PARSERS]
    families += [f"health.{part}.{m.key}" for m in health.METRICS for part in ("metric", "cause", "action")]
    families += [f"health.dimension.{d}" for d in health.DIMENSIONS] + [f"health.preset.{p}" for p in health.PRESETS]
    families += [f"anomaly.{m}" for m in ("uv_drop", "high_bounce")] + [f"anomaly.action.{m}" for m in ("uv_drop", "high_bounce")]
    families += [f"ab.verdict.{v}" for v in abtest.VERDICTS] + [f"ab.log.{c}" for c in ab_log.COLUMNS]
    families += [f"ab.source.{s}" for s in ("workspace", "manual")]
    families += [f"rfm.tier.{x.lower()}" for x in rfm.TIERS] + [f"rfm.segment.{x}" for x in rfm.SEGMENTS]
    families += [f"rfm.change.{x}" for x in rfm.CHANGES] + list(rfm.GOAL_KEYS.values())
    families += [f"field.threshold.{f.name}" for f in fields(rfm.Thresholds)]
    families += [value for touch in playbook.DEFAULT_PLAN for value in (touch.channel, touch.content, touch.schedule, touch.owner, touch.kpi)]
    families += [f"budget.action.{a}" for a in ("invest", "keep", "review", "cut", "drop", "keep_or_grow")]
    families += [f"kpi.factor.{f}" for f in ("uv", "conversion_rate", "aov")] + list(funnel.CAUSES_BY_POSITION) + ["funnel.cause.generic"]
    assert [key for key in families if key not in en] == []


def test_translate_formats_and_falls_back():
    assert translate("data.loaded", "zh", rows="3", dataset="订单", workspace="w") == "已将 3 行订单导入工作区“w”。"
    assert translate("no.such.key", "zh") == "no.such.key"


def test_numbers_and_dates_in_a_sentence_read_as_the_language_writes_them():
    # whole numbers get separators whatever type they come as; text and booleans are left alone
    assert translate("ab.error.conversions_above_users", "en", group="A", conversions=np.int64(20000),
                     users=10000) == "Group A: 20,000 conversions is more than its 10,000 users."
    assert translate("health.evidence.sku_sell_through", "zh", sold=3, skus=1200, days=90, end=date(2024, 5, 6)) \
        .count("2024/05/06") == 1
    assert "2024-05-06" in translate("health.evidence.sku_sell_through", "en", sold=3, skus=1200, days=90,
                                     end=date(2024, 5, 6))
    assert "1,200" in translate("health.evidence.sku_sell_through", "zh", sold=3, skus=1200, days=90, end="x")
    # a time keeps its clock
    assert translate("date.span", "zh", start=datetime(2024, 5, 6, 9, 30), end="–") == "2024/05/06 09:30 – –"


def test_english_says_one_day_and_two_days():
    # the word that goes with the number, from the number as the caller passes it (a count, or text made from one)
    assert translate("tiers.window.days", "en", days=1) == "last 1 day"
    assert translate("tiers.window.days", "en", days=90) == "last 90 days"
    assert translate("tiers.window.days", "en", days="1") == "last 1 day"
    assert translate("tiers.window.days", "en", days=0) == "last 0 days"
    assert translate("sidebar.dataset_line", "en", dataset="Orders", rows=1_000, span="") == "Orders: 1,000 rows "
    # edge: 1.5 is not one, and a thousand written with a separator is not one either
    assert translate("tiers.window.days", "en", days=1.5) == "last 1.5 days"
    assert translate("tiers.window.days", "en", days="1,000") == "last 1,000 days"
    assert translate("tiers.window.days", "zh", days=1) == translate("tiers.window.days", "zh", days=2).replace("2", "1")


def test_every_word_chosen_by_a_number_names_a_placeholder_of_its_text():
    for key, text in catalog("en").items():
        for name in re.findall(r"{(\w+):[^}|]*\|[^}]*}", text):
            assert "{" + name + "}" in text, key
