"""The customer list as a file for a CRM: headers and tiers in the owner's language, money to the cent and
risk to four decimals (no float noise), and a note on every customer the churn model did not score, so a
blank risk is never a mystery."""

from __future__ import annotations

import pandas as pd

from core.customers.churn import ACTIVE_DAYS
from core.platform.i18n import translate

HEADERS = {"customer_id": "col.customer", "recency_days": "col.recency_days", "frequency": "col.frequency",
           "monetary": "col.monetary", "r_score": "col.r_score", "f_score": "col.f_score", "m_score": "col.m_score",
           "tier": "col.tier", "cluster": "col.cluster", "churn_risk": "col.churn_risk", "churn_risk_note": "col.churn_risk_note"}


def customer_file(rows: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """`rows` (the service's customer list) as the file the owner downloads, in `lang`."""
    table = rows.copy()
    table["monetary"] = table["monetary"].astype(float).round(2)
    table["tier"] = [translate(f"rfm.tier.{tier.lower()}", lang) for tier in table["tier"]]
    table["cluster"] = pd.array([None if c is None or c != c else int(c) for c in table["cluster"]], dtype="Int64")
    if "churn_risk" in table.columns:
        # the model scores customers with an order in the ACTIVE_DAYS before the date: the others are already gone
        note = translate("tiers.export.not_scored", lang, days=ACTIVE_DAYS)
        table["churn_risk"] = table["churn_risk"].astype(float).round(4)
        table["churn_risk_note"] = [note if risk != risk else "" for risk in table["churn_risk"]]
    return table.rename(columns={c: translate(HEADERS[c], lang) for c in table.columns if c in HEADERS})
