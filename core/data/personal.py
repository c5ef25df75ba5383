"""Personal data in uploads: found, pseudonymised, kept apart encrypted, or dropped (issue 15).

An export names people: e-mail, phone, name, address. Analysis needs none of them, only a stable key per
customer, so a customer key that IS personal (an e-mail or phone number) is replaced by a keyed pseudonym
('cu_' + HMAC) before it reaches a table; plain ids (C00001, Shopify's numeric ids) stay as they are. The
e-mail and phone the owner keeps for touch lists go to `contacts`, each value encrypted; names and
addresses are never stored. The key lives outside the workspace (core/platform/secrets.py).
See docs/decisions/0009-personal-data.md.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass

import pandas as pd

from core.data.datasets import normalise_header
from core.data.messages import LabelledMessage
from core.platform import secrets, settings
from core.platform.transactions import transaction
from core.platform.workspace import quote

KEEP_SETTING = "personal.keep"  # settings key: which contact fields an upload keeps (encrypted)
KEEPABLE = ("email", "phone")
DEFAULT_KEEP = ("email", "phone")
ROW = "_source_row"

# Headers as normalise_header makes them (lower case, punctuation and separators as one space).
HEADERS = {
    "email": ("email", "e mail", "email address", "customer email", "billing email", "contact email",
              "邮箱", "电子邮箱", "电子邮件", "买家邮箱", "邮件地址"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "billing phone", "shipping phone",
              "customer phone", "contact phone", "手机", "手机号", "手机号码", "联系电话", "联系手机", "电话", "收货人手机",
              "收货人电话", "买家手机"),
    "name": ("billing name", "shipping name", "customer name", "full name", "first name", "last name", "contact name",
             "recipient", "收货人", "收货人姓名", "姓名", "买家姓名", "联系人", "客户姓名"),
    "address": ("address", "address1", "address2", "street", "billing street", "billing address1", "billing address2",
                "billing city", "billing zip", "shipping street", "shipping address1", "shipping address2",
                "shipping city", "shipping zip", "zip", "postcode", "postal code", "收货地址", "详细地址", "地址",
                "邮编", "邮政编码"),
    "consent": ("accepts marketing", "accepts email marketing", "marketing consent", "email marketing consent",
                "accepts sms marketing", "同意营销", "接受营销", "营销许可"),
}
KIND_OF_HEADER = {alias: kind for kind, aliases in HEADERS.items() for alias in aliases}

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PHONE_TEXT = re.compile(r"\+?[\d\s()\-.]+")
CN_MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class PersonalColumn:
    """A column of the upload that names people, and what a load does with it (catalog key personal.action.*)."""

    header: str
    kind: str  # email, phone, name, address, consent
    action: str  # pseudonymised, encrypted, dropped, kept


def normalise_email(text: str) -> str | None:
    """Trimmed and lower-cased; None when it is not shaped like an e-mail address."""
    value = str(text).strip().lower()
    return value if EMAIL.fullmatch(value) else None


def normalise_phone(text: str, strict: bool = False) -> str | None:
    """Digits only (a +86 before a mainland mobile dropped, so both spellings are one person); None when not
    a phone number. `strict` (a customer-id column): bare digits count only as a mainland mobile number, so
    Shopify's numeric customer ids stay ids; a '+' or separators (spaces, dashes, brackets) make a phone."""
    value = str(text).strip().lstrip("'")
    if not value or not PHONE_TEXT.fullmatch(value):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 13 and digits.startswith("86") and CN_MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if not 6 <= len(digits) <= 15:
        return None
    if strict and not CN_MOBILE.fullmatch(digits) and not (value.startswith("+") or (value != digits and len(digits) >= 7)):
        return None
    return digits


def personal_key(value: str) -> str | None:
    """The normalised e-mail or phone a customer-id value is, or None for a plain id (C00001, 7012345678901)."""
    return normalise_email(value) or normalise_phone(value, strict=True)


def header_kind(header: str) -> str | None:
    """email, phone, name, address or consent when the header names one (English or Chinese exports)."""
    return KIND_OF_HEADER.get(normalise_header(header))


def kept_fields(workspace) -> tuple[str, ...]:
    """The contact fields an upload keeps, encrypted: e-mail and phone unless the owner chose fewer."""
    return tuple(f for f in settings.get(workspace, KEEP_SETTING, list(DEFAULT_KEEP)) if f in KEEPABLE)


def save_kept_fields(workspace, fields) -> None:
    settings.put(workspace, KEEP_SETTING, [f for f in KEEPABLE if f in set(fields)])


def columns(headers: list[str], mapping: dict[str, str] | None = None, customer_is_personal: bool = False,
            keep=DEFAULT_KEEP) -> list[PersonalColumn]:
    """Which columns of an upload are personal and what happens to each: the upload preview shows this.

    The customer column is named by its values: pseudonymised when they are e-mails or phone numbers."""
    customer = (mapping or {}).get("customer_id")
    found = []
    for header in headers:
        kind = header_kind(header)
        if header == customer and customer_is_personal:
            found.append(PersonalColumn(header, kind or "email", "pseudonymised"))
        elif kind in KEEPABLE:
            found.append(PersonalColumn(header, kind, "encrypted" if kind in keep else "dropped"))
        elif kind == "consent":
            found.append(PersonalColumn(header, kind, "kept"))
        elif kind is not None:
            found.append(PersonalColumn(header, kind, "dropped"))
    return found


def _latest(sources: list[str], value: str = "{v}") -> str:
    """SQL: per customer, the latest row's value (`value` of the text) from the first source column not blank there."""
    text = "coalesce(" + ", ".join(f"nullif(trim(r.{quote(s)}), '')" for s in sources) + ")"
    expression = value.format(v=text)
    return f"arg_max({expression}, a.{ROW}) filter (where {expression} is not null)"


def protect(cur, workspace, dataset, report, mode: str) -> None:
    """Called once by ingest.commit inside its transaction: pseudonymise the staged customer keys that are
    e-mails or phone numbers and store the kept contact details encrypted, so a failed load writes neither.

    Works on the staging tables (`typed`, `raw`, `accepted`); plain ids cost one scan and no key file."""
    if dataset.name != "orders":
        return
    from core.data.ingest import CleaningNote  # ingest calls this module: import at call time

    headers, mapping = report.headers, report.mapping
    keep = kept_fields(workspace)
    email_sources = [h for h in headers if header_kind(h) == "email" and "email" in keep]
    phone_sources = [h for h in headers if header_kind(h) == "phone" and "phone" in keep]
    consent_sources = [h for h in headers if header_kind(h) == "consent"]
    customer_column = mapping.get("customer_id")
    if customer_column and header_kind(customer_column) == "email" and "email" in keep and customer_column not in email_sources:
        email_sources.insert(0, customer_column)
    # one scan: only values with an @ or made of phone characters can be personal
    candidates = [v for (v,) in cur.execute(
        r"select distinct customer_id from typed where customer_id like '%@%' "
        r"or regexp_full_match(customer_id, '\s*''?\+?[0-9 ().\-]{6,24}\s*')").fetchall()]
    personal = {v: k for v, k in ((v, personal_key(v)) for v in candidates) if k is not None}
    if not personal and not email_sources and not phone_sources and not consent_sources:
        return
    keys = secrets.keys_for(workspace)
    notes = []
    if personal:
        cur.register("personal_keys", pd.DataFrame({"value": list(personal), "pseudonym": [keys.pseudonym_of(k) for k in personal.values()]}))
        cur.execute("update typed set customer_id = p.pseudonym from personal_keys p where typed.customer_id = p.value")
        cur.unregister("personal_keys")
        notes.append(CleaningNote("personal.pseudonymised", customer_column or "customer_id", len(set(personal.values()))))
    if mode == "replace":  # the orders start over: so do the people behind them
        cur.execute("delete from contacts")
        cur.execute("delete from contact_consent")
    parts = []
    if email_sources:
        parts.append(_latest(email_sources) + " as email")
    if phone_sources:
        parts.append(_latest(phone_sources) + " as phone")
    if consent_sources:
        parts.append(_latest(consent_sources, "parse_bool({v})") + " as consent")
    found = cur.execute(
        f"select a.customer_id, {', '.join(parts)} from accepted a join raw r on r.{ROW} = a.{ROW} group by a.customer_id"
    ).fetchdf() if parts else pd.DataFrame({"customer_id": []})
    rows = []
    for record in found.to_dict("records"):
        customer = record["customer_id"]
        for field, normalise in (("email", normalise_email), ("phone", normalise_phone)):
            value = record.get(field)
            normalised = normalise(value) if isinstance(value, str) else None
            if normalised is None:
                continue
            shown = normalised if field == "email" else str(value).strip().lstrip("'")
            rows.append((customer, field, keys.pseudonym_of(normalised), keys.encrypt(shown, f"{customer}|{field}")))
    if rows:
        stored = pd.DataFrame(rows, columns=["customer_id", "field", "lookup", "ciphertext"])
        cur.register("personal_contacts", stored)
        cur.execute("delete from contacts using personal_contacts p where contacts.customer_id = p.customer_id and contacts.field = p.field")
        cur.execute("insert into contacts (customer_id, field, lookup, ciphertext) "
                    "select customer_id, field, lookup, ciphertext from personal_contacts")
        cur.unregister("personal_contacts")
        for field, sources in (("email", email_sources), ("phone", phone_sources)):
            count = int((stored["field"] == field).sum())
            if count:
                notes.append(CleaningNote("personal.encrypted", ", ".join(sources), count))
    if consent_sources and "consent" in found.columns:
        consent = found.loc[found["consent"].notna(), ["customer_id", "consent"]]
        if len(consent):
            cur.register("personal_consent", consent.astype({"consent": bool}))
            cur.execute("delete from contact_consent using personal_consent p where contact_consent.customer_id = p.customer_id")
            cur.execute("insert into contact_consent (customer_id, accepts_marketing) select customer_id, consent from personal_consent")
            cur.unregister("personal_consent")
    dropped = [c.header for c in columns(headers, mapping, bool(personal), keep) if c.action == "dropped"]
    if dropped:
        notes.append(CleaningNote("personal.dropped", ", ".join(dropped), len(dropped)))
    if workspace.meta(secrets.CHECK_META) is None:
        secrets.remember(cur, keys)
    report.cleaning += notes


def contacts_of(workspace, customer_ids=None) -> pd.DataFrame:
    """customer_id, email, phone, accepts_marketing, decrypted; empty without stored contacts or consent.

    The key file is only read when there is something to decrypt."""
    with workspace.cursor() as cur:
        stored = cur.execute("select customer_id, field, ciphertext from contacts").fetchdf()
        consent = cur.execute("select customer_id, accepts_marketing from contact_consent").fetchdf()
    if customer_ids is not None:
        wanted = set(customer_ids)
        stored = stored[stored["customer_id"].isin(wanted)]
        consent = consent[consent["customer_id"].isin(wanted)]
    table = pd.DataFrame({"customer_id": pd.Series(dtype=object)})
    if len(stored):
        keys = secrets.keys_for(workspace, create=False)
        stored = stored.assign(value=[keys.decrypt(b, f"{c}|{f}") for c, f, b in stored.itertuples(index=False)])
        table = stored.pivot(index="customer_id", columns="field", values="value").reset_index()
        table.columns.name = None
    if len(consent):
        table = table.merge(consent, on="customer_id", how="outer")
    for column in ("email", "phone", "accepts_marketing"):
        if column not in table.columns:
            table[column] = None
    return table[["customer_id", "email", "phone", "accepts_marketing"]]


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "-"


def log(workspace, action: str, what: str, rows: int) -> None:
    """One line of the personal-data audit: full exports and erasures, with when and who."""
    with transaction(workspace) as cur:
        cur.execute("insert into personal_audit (action, what, rows, who) values (?, ?, ?, ?)", [action, what, rows, _who()])


@dataclass(frozen=True)
class Forgotten:
    customers: int  # customer keys found and re-keyed
    contacts: int  # contact rows deleted
    orders: int  # order lines moved to an anonymous key


def forget(workspace, email: str | None = None, phone: str | None = None) -> Forgotten:
    """Erase one person: their contact rows and consent go, and their orders move to a new random key.

    The orders stay (the shop's sales stay true), but the key they carried was the HMAC of the e-mail or
    phone, which anyone with the key file and the e-mail could recompute; a random key links to nobody."""
    field, given = ("email", email) if email is not None else ("phone", phone)
    normalised = normalise_email(given) if field == "email" else normalise_phone(given)
    if normalised is None:
        raise LabelledMessage("personal.bad_contact", labels={"field": f"personal.kind.{field}"}, value=given)
    keys = secrets.keys_for(workspace, create=False) if workspace.meta(secrets.CHECK_META) is not None else None
    lookup = keys.pseudonym_of(normalised) if keys else None
    with transaction(workspace) as cur:
        found = {row[0] for row in cur.execute(
            "select customer_id from contacts where lookup = ? "
            "union select customer_id from orders where customer_id = ? "
            # a key stored in clear before this version (an e-mail as the customer id)
            "union select customer_id from orders where lower(trim(customer_id)) = ? "
            "union select customer_id from contact_consent where customer_id = ?",
            [lookup, lookup, normalised, lookup]).fetchall()}
        if field == "phone":
            clear = cur.execute("select distinct customer_id from orders where regexp_replace(customer_id, '[^0-9]', '', 'g') in (?, ?)",
                                [normalised, "86" + normalised]).fetchall()
            found |= {c for (c,) in clear if normalise_phone(c, strict=True) == normalised}
        contacts = orders = 0
        for customer in sorted(found):
            anonymous = "cu_" + os.urandom(8).hex()
            contacts += cur.execute("select count(*) from contacts where customer_id = ?", [customer]).fetchone()[0]
            orders += cur.execute("select count(*) from orders where customer_id = ?", [customer]).fetchone()[0]
            cur.execute("delete from contacts where customer_id = ?", [customer])
            cur.execute("delete from contact_consent where customer_id = ?", [customer])
            cur.execute("update orders set customer_id = ? where customer_id = ?", [anonymous, customer])
            cur.execute("update campaign_customers set customer_id = ? where customer_id = ?", [anonymous, customer])
        cur.execute("insert into personal_audit (action, what, rows, who) values ('forget', ?, ?, ?)",
                    [field, len(found), _who()])
        if found:
            workspace.bump_data_version(cur)
    return Forgotten(customers=len(found), contacts=contacts, orders=orders)
