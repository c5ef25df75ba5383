"""The analysis matrix as a file to hand on: translated headers, actions and tiers in words, numbers
rounded so no float noise (0.30000000000000004) reaches a spreadsheet."""

from __future__ import annotations

import pandas as pd

from core.platform.i18n import translate

MISSING = "–"  # growth without a period before, ROI of a channel without spend


def _rounded(values: pd.Series, digits: int) -> list:
    return [MISSING if v is None or v != v else round(float(v), digits) for v in values]


def matrix_table(matrix: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per cell of the matrix, columns and values as the owner reads them in `lang`."""
    word = lambda key: translate(key, lang)  # noqa: E731
    table = {word("budget.col.category"): matrix["category"], word("col.channel"): matrix["channel"]}
    if "tier_key" in matrix.columns:
        table[word("budget.col.tier")] = matrix["tier_key"].map(word)
    table |= {
        word("budget.col.gmv"): _rounded(matrix["gmv"], 2),
        word("budget.col.share_gmv"): _rounded(matrix["share_of_gmv"], 4),
        word("budget.col.growth"): _rounded(matrix["growth"], 4),
        word("budget.col.roi"): _rounded(matrix["roi"], 2),
        word("budget.col.stars"): matrix["stars"].astype(int),
        word("budget.col.action"): matrix["action"].map(word),
    }
    return pd.DataFrame(table).reset_index(drop=True)
