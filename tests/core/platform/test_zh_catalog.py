"""The Chinese interface has no English left (issue 12): every zh.json value is Chinese prose with Chinese
punctuation, except names that stay as they are (acronyms, products, units, file types, command-line values)."""

from __future__ import annotations

import json
import re

from core.platform.paths import ROOT

ZH = json.loads((ROOT / "core" / "platform" / "locales" / "zh.json").read_text(encoding="utf-8"))
# Kept in Latin letters on purpose: product and method names, and what the user types on the command line.
NAMES = {"ShopLens", "Shopify", "WooCommerce", "Excel", "Word", "PowerPoint", "App", "Holm", "Welch", "Holt", "KMeans",
         "append", "replace", "scaled", "playbook", "custom", "true", "false", "ingest"}
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# ASCII , : ; ( ) ! ? and quotes touching a Chinese character: the full-width form belongs there
ASCII_NEXT_TO_CJK = re.compile(rf"{CJK}\s*[,:;()!?'\"]|[,:;()!?'\"]\s*{CJK}")
WORD = re.compile(r"(?<![\w.\-])[A-Za-z][A-Za-z]+(?![\w])")


def _prose(value: str) -> str:
    return re.sub(r"\{[^}]*\}", "", value)  # placeholders are filled at run time


def english_words(value: str) -> list[str]:
    """Words of two or more Latin letters that are neither an acronym (GMV, SKU, ROI, CSV...) nor a kept name."""
    return [w for w in WORD.findall(_prose(value)) if not w.isupper() and w not in NAMES]


def test_the_scanner_finds_what_it_should():
    assert english_words("拟合 hill 曲线") == ["hill"] and english_words("例如 my shop") == ["my", "shop"]
    assert english_words("下载 CSV（.xlsx），{kind} 曲线，Holm 校正，--as-of") == []
    assert ASCII_NEXT_TO_CJK.search("本期,上期") and ASCII_NEXT_TO_CJK.search("收到的是 '{value}'")
    assert not ASCII_NEXT_TO_CJK.search("本期，上期（2024-05-31）")


def test_no_english_words_in_chinese_values():
    left = {key: english_words(value) for key, value in ZH.items() if english_words(value)}
    assert left == {}


def test_chinese_sentences_use_chinese_punctuation():
    left = {key: value for key, value in ZH.items() if ASCII_NEXT_TO_CJK.search(_prose(value))}
    assert left == {}
