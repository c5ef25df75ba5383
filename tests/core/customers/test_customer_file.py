"""The customer file for a CRM: words not keys, no float noise, and a reason wherever the risk is blank."""

from __future__ import annotations

import pandas as pd
import pytest

from core.customers.customer_file import customer_file
from core.platform.i18n import translate

ROWS = pd.DataFrame({
    "customer_id": ["v1", "x1"], "recency_days": [7, 400], "frequency": [4, 1], "monetary": [100.50000000000001, 5000.0],
    "r_score": [5, 1], "f_score": [5, 1], "m_score": [4, 5], "tier": ["VIP", "Churned"], "cluster": [0.0, None],
    "churn_risk": [0.123456789, float("nan")],
})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_file_is_in_words_rounded_and_explains_a_blank_risk(lang):
    word = lambda key, **params: translate(key, lang, **params)  # noqa: E731
    table = customer_file(ROWS, lang).set_index(word("col.customer"))
    assert list(table.columns)[-1] == word("col.churn_risk_note") and "tier" not in table.columns
    assert table[word("col.tier")].tolist() == [word("rfm.tier.vip"), word("rfm.tier.churned")]
    assert table.loc["v1", word("col.monetary")] == 100.5  # money to the cent
    assert table.loc["v1", word("col.churn_risk")] == 0.1235  # risk to four decimals
    # x1 last ordered 400 days ago, outside the 365 days the model scores: blank risk, with the reason beside it
    assert pd.isna(table.loc["x1", word("col.churn_risk")])
    assert table[word("col.churn_risk_note")].tolist() == ["", word("tiers.export.not_scored", days=365)]
    assert "365" in table.loc["x1", word("col.churn_risk_note")]
    # the group number stays a whole number (not 0.0), blank where there is none
    csv = table.to_csv()
    assert "nan" not in csv and "None" not in csv and ",0.0," not in csv


def test_without_a_churn_model_there_is_no_risk_column_to_explain():
    table = customer_file(ROWS.drop(columns="churn_risk"))
    assert "Churn risk" not in table.columns and "Churn risk note" not in table.columns
