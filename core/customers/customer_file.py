"""The customer list as a file for a CRM: headers and tiers in the owner's language, money to the cent and
risk to four decimals (no float noise), and a note on every customer the churn model did not score, so a
blank risk is never a mystery. Contact details, where the workspace keeps them, are masked unless the owner
chooses them in full (docs/decisions/0009-personal-data.md)."""

from __future__ import annotations

import re

import pandas as pd

from core.customers.churn import ACTIVE_DAYS
from core.platform.i18n import translate

HEADERS = {"customer_id": "col.customer", "recency_days": "col.recency_days", "frequency": "col.frequency",
           "monetary": "col.monetary", "r_score": "col.r_score", "f_score": "col.f_score", "m_score": "col.m_score",
           "tier": "col.tier", "cluster": "col.cluster", "churn_risk": "col.churn_risk", "churn_risk_note": "col.churn_risk_note",
           "email": "col.email", "phone": "col.phone", "accepts_marketing": "col.accepts_marketing"}
CONTACT_COLUMNS = ("email", "phone", "accepts_marketing")


def mask_email(value: str | None) -> str | None:
    """`chen.wei@example.com` -> `c***@example.com`: enough to tell two customers apart, not to write to one."""
    if value is None or value != value:
        return None
    local, at, domain = str(value).partition("@")
    return (local[:1] + "***" + at + domain) if at else "***"


def mask_phone(value: str | None) -> str | None:
    """`13812345678` -> `138****5678`: the first three and last four digits, the rest starred."""
    if value is None or value != value:
        return None
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 13 and digits.startswith("861"):  # +86 before a mainland mobile
        digits = digits[2:]
    if len(digits) < 8:  # too short to show seven digits of: only the last two
        return "*" * max(len(digits) - 2, 1) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def with_contacts(rows: pd.DataFrame, contacts: pd.DataFrame, full: bool = False, consented_only: bool = False) -> pd.DataFrame:
    """`rows` with e-mail, phone and consent columns where the workspace keeps contacts (`contacts`: decrypted,
    as personal.contacts_of gives them), masked unless `full`. `consented_only` (touch lists) leaves out the
    customers whose consent is not recorded as given, when the shop's exports record consent at all."""
    if contacts is None or contacts.empty:
        return rows
    table = rows.merge(contacts[["customer_id", *CONTACT_COLUMNS]], on="customer_id", how="left")
    if consented_only and contacts["accepts_marketing"].notna().any():
        table = table[table["accepts_marketing"].eq(True)].reset_index(drop=True)
    if not full:
        table["email"] = [mask_email(v) for v in table["email"]]
        table["phone"] = [mask_phone(v) for v in table["phone"]]
    table["accepts_marketing"] = table["accepts_marketing"].astype("boolean")
    return table


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
