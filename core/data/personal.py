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
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.data.datasets import normalise_header
from core.data.messages import LabelledMessage
from core.platform import paths, secrets, settings
from core.platform.transactions import transaction
from core.platform.workspace import quote

if TYPE_CHECKING:
    import pandas as pd

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


CARRIED = {"email": "_personal_email", "phone": "_personal_phone", "consent": "_personal_consent"}
BATCH = 100_000  # contacts encrypted and written at a time: memory stays flat however many customers


def contact_sources(headers: list[str], mapping: dict[str, str], keep) -> tuple[list[str], list[str], list[str]]:
    """The upload's columns giving e-mails, phones (those the owner keeps) and marketing consent."""
    email = [h for h in headers if header_kind(h) == "email" and "email" in keep]
    phone = [h for h in headers if header_kind(h) == "phone" and "phone" in keep]
    consent = [h for h in headers if header_kind(h) == "consent"]
    customer = mapping.get("customer_id")
    if customer and header_kind(customer) == "email" and "email" in keep and customer not in email:
        email.insert(0, customer)
    return email, phone, consent


def carried(headers: list[str], mapping: dict[str, str], keep) -> dict[str, str]:
    """Per contact field, SQL over an upload's text: the first of its source columns not blank on the row.
    Ingest keeps these on every staged row (as CARRIED names), so `protect` needs no second look at the text."""
    email, phone, consent = contact_sources(headers, mapping, keep)
    first = lambda sources: "coalesce(" + ", ".join(f"nullif(trim({quote(s)}), '')" for s in sources) + ")"  # noqa: E731
    out = {}
    if email:
        out[CARRIED["email"]] = first(email)
    if phone:
        out[CARRIED["phone"]] = first(phone)
    if consent:
        out[CARRIED["consent"]] = f"parse_bool({first(consent)})"
    return out


def _normalise_rest(cur, table: str, rules: dict) -> None:
    """Rows of `table` (key, field, given, checked, ...) the SQL rules did not judge: text beyond printable
    ASCII, where Python's strip, lower and \\s differ from DuckDB's. Worked out here with the Python rules
    (each `rule(given, field)` fills its column), usually for none or a handful of values."""
    rest = cur.execute(f"select key, field, given from {table} where not checked").fetchall()
    if not rest:
        return
    columns = {name: [rule(given, field) for _, field, given in rest] for name, rule in rules.items()}
    assignments = ", ".join(f"{name} = m.{name}" for name in columns)
    lists = ", ".join(f"unnest(${name}) as {name}" for name in columns)
    cur.execute(f"update {table} set {assignments} from (select unnest($keys) as key, {lists}) m "
                f"where {table}.key = m.key", {"keys": [key for key, _, _ in rest], **columns})


def protect(cur, workspace, dataset, report, mode: str, folder: Path | None = None) -> PendingContacts:
    """Called once by ingest.commit inside its transaction: pseudonymise the staged customer keys that are
    e-mails or phone numbers and store the kept contact details encrypted, so a failed load writes neither.

    Works on the staging tables (`typed`, `accepted`, `final_rows`), once per distinct customer and in SQL
    (the HMAC too: sql/macros.sql); only the AES-GCM encryption of each kept contact runs in Python, in a
    thread while DuckDB writes the orders. Returns the contacts still to write: commit calls `write()` once
    the orders are in (the ciphertexts reach DuckDB through a file in `folder`, a private temporary folder)
    and `close()` whatever happened. Plain ids cost one scan and no key file."""
    if dataset.name != "orders":
        return NOTHING
    from core.data.ingest import CleaningNote  # ingest calls this module: import at call time

    headers, mapping = report.headers, report.mapping
    keep = kept_fields(workspace)
    email_sources, phone_sources, consent_sources = contact_sources(headers, mapping, keep)
    customer_column = mapping.get("customer_id")
    # one scan: only values with an @ or made of phone characters can be personal; then once per distinct value
    cur.execute(r"""create or replace temp table personal_keys as
        select value as key, 'customer_id' as field, value as given, plain_ascii(value) as checked,
               case when plain_ascii(value) then personal_key(value) end as normalised
        from (select distinct customer_id as value from typed
              where customer_id like '%@%' or regexp_full_match(customer_id, '\s*''?\+?[0-9 ().\-]{6,24}\s*'))""")
    _normalise_rest(cur, "personal_keys", {"normalised": lambda given, field: personal_key(given)})
    people = cur.execute("select count(*), count(distinct normalised) from personal_keys where normalised is not null").fetchone()
    if not people[0] and not email_sources and not phone_sources and not consent_sources:
        return NOTHING
    keys = secrets.keys_for(workspace)
    key_in, key_out = keys.hmac_pads()
    pads = {"key_in": key_in, "key_out": key_out}
    notes = []
    cur.execute("create or replace temp table personal_pseudonyms as select key as value, normalised, "
                "pseudonym(normalised, $key_in, $key_out) as pseudonym from personal_keys where normalised is not null", pads)
    if people[0]:
        # what goes into `orders`: the staged rows with their pseudonyms (the rows themselves are not rewritten)
        cur.execute(f"""create or replace temp view final as
            select f.* exclude ({ROW}) replace (coalesce(p.pseudonym, f.customer_id) as customer_id)
            from final_rows f left join personal_pseudonyms p on p.value = f.customer_id""")
        notes.append(CleaningNote("personal.pseudonymised", customer_column or "customer_id", people[1]))
    if mode == "replace":  # the orders start over: so do the people behind them
        cur.execute("delete from contacts")
        cur.execute("delete from contact_consent")
    fields = [name for name, sources in (("email", email_sources), ("phone", phone_sources), ("consent", consent_sources)) if sources]
    pending = NOTHING
    if fields:
        # per customer (as stored: the pseudonym), each field's value on the latest row that gives one; first per
        # staged key, then per pseudonym, since two spellings of one e-mail are one customer
        given = " or ".join(f"{CARRIED[f]} is not null" for f in fields)
        per_key = ", ".join(f"arg_max({CARRIED[f]}, {ROW}) filter (where {CARRIED[f]} is not null) as {f}, "
                            f"max({ROW}) filter (where {CARRIED[f]} is not null) as {f}_row" for f in fields)
        latest = ", ".join(f"arg_max(a.{f}, a.{f}_row) filter (where a.{f} is not null) as {f}" for f in fields)
        cur.execute(f"""create or replace temp table personal_found as
            select coalesce(p.pseudonym, a.customer_id) as customer_id, {latest}
            from (select customer_id, {per_key} from accepted where {given} group by customer_id) a
            left join personal_pseudonyms p on p.value = a.customer_id
            group by all""")
        kept = [f for f in fields if f != "consent"]
        if kept:
            stored, pending = _seal_contacts(cur, keys, pads, kept, folder)
            for field, sources in (("email", email_sources), ("phone", phone_sources)):
                if stored.get(field):
                    notes.append(CleaningNote("personal.encrypted", ", ".join(sources), stored[field]))
    if "consent" in fields:
        pending = _Consent(cur, pending)
    dropped = [c.header for c in columns(headers, mapping, bool(people[0]), keep) if c.action == "dropped"]
    if dropped:
        notes.append(CleaningNote("personal.dropped", ", ".join(dropped), len(dropped)))
    if workspace.meta(secrets.CHECK_META) is None:
        secrets.remember(cur, keys)
    report.cleaning += notes
    return pending


class PendingContacts:
    """Contacts protect leaves to write after the orders: here none."""

    def write(self) -> None:
        return None

    def close(self) -> None:
        return None


NOTHING = PendingContacts()


class _Consent(PendingContacts):
    """Marketing consent per customer, written with the contacts, after the orders."""

    def __init__(self, cur, contacts: PendingContacts):
        self.cur, self.contacts = cur, contacts

    def write(self) -> None:
        self.contacts.write()
        self.cur.execute("delete from contact_consent using personal_found p "
                         "where p.consent is not null and contact_consent.customer_id = p.customer_id")
        self.cur.execute("insert into contact_consent (customer_id, accepts_marketing) "
                         "select customer_id, consent from personal_found where consent is not null order by customer_id")

    def close(self) -> None:
        self.contacts.close()


def _seal_contacts(cur, keys, pads: dict, fields: list[str], folder: Path | None) -> tuple[dict[str, int], PendingContacts]:
    """The kept e-mails and phones of `personal_found`, normalised (SQL, Python for the odd value), with the
    pseudonym they are looked up by, replacing what is stored for those customers: returns the count per
    field and the contacts to write, encrypted.

    The first batches are encrypted in a thread from here on (DuckDB gives up the GIL while it writes the
    orders); `write` takes them and encrypts the rest (a 10M-line file's millions of contacts are never
    held in Python at once)."""
    values = " union all ".join(f"select customer_id, '{f}' as field, {f} as value from personal_found where {f} is not null"
                                for f in fields)
    # a contact whose normalised value is a customer key of this file (an e-mail as the key) has its
    # pseudonym already: the HMAC is worked out once per value
    cur.execute(f"""create or replace temp table personal_values as
        select customer_id || '|' || field as key, customer_id, field, value as given,
               plain_ascii(value) as checked, normalised, shown,
               case when normalised is not null then coalesce(known.pseudonym, pseudonym(normalised, $key_in, $key_out)) end as lookup
        from (select *, case when plain_ascii(value) then case field when 'email' then email_key(value) else phone_key(value, false) end end as normalised,
                        case when plain_ascii(value) then case field when 'email' then email_key(value) else phone_shown(value) end end as shown
              from ({values})) v
        left join (select normalised as known_value, any_value(pseudonym) as pseudonym from personal_pseudonyms group by normalised) known
               on known.known_value = v.normalised""", pads)

    def normalised(given, field):
        return normalise_email(given) if field == "email" else normalise_phone(given)

    def shown(given, field):
        return normalise_email(given) if field == "email" else str(given).strip().lstrip("'")

    def lookup(given, field):
        value = normalised(given, field)
        return None if value is None else keys.pseudonym_of(value)

    _normalise_rest(cur, "personal_values", {"normalised": normalised, "shown": shown, "lookup": lookup})
    # numbered apart: row_number() over () makes its whole statement run on one thread
    cur.execute("""create or replace temp table personal_contacts as
        select row_number() over () as n, key, customer_id, field, lookup, shown from personal_values where normalised is not null""")
    cur.execute("delete from contacts using personal_contacts p where contacts.customer_id = p.customer_id and contacts.field = p.field")
    stored = dict(cur.execute("select field, count(*) from personal_contacts group by field").fetchall())
    total = cur.execute("select count(*) from personal_contacts").fetchone()[0]
    return stored, _Sealing(cur, keys, total, folder)


class _Sealing(PendingContacts):
    """Contacts being encrypted, a batch at a time (numbered, not by rowid: rows a transaction has not
    committed yet have row ids from 2^62 on); the first AHEAD batches in a thread of their own.

    The ciphertexts go back to DuckDB as a CSV of row number and hex in `folder`: read with read_csv,
    that cost a quarter of passing them as lists of bytes."""

    AHEAD = 4

    def __init__(self, cur, keys, total: int, folder: Path | None):
        self.cur, self.keys, self.total = cur, keys, total
        self.own_folder = folder is None
        self.path = Path(folder or paths.work_dir("contacts")) / "sealed.csv"
        self.out = self.path.open("w", encoding="ascii")
        self.out.write("n,ciphertext\n")
        self.error: BaseException | None = None
        ahead = [self._batch(start) for start in range(0, min(total, self.AHEAD * BATCH), BATCH)]
        self.thread = threading.Thread(target=self._seal, args=(ahead,), name="seal-contacts", daemon=True)
        self.thread.start()

    def _batch(self, start: int) -> tuple[list, list, list]:
        """Numbers, contexts and texts of one batch, fetched as columns (a third of the time of rows)."""
        columns = self.cur.execute("select n, key, shown from personal_contacts where n > ? and n <= ?",
                                   [start, start + BATCH]).fetchnumpy()
        return tuple(columns[name].tolist() for name in ("n", "key", "shown"))

    def _seal(self, batches) -> None:
        try:
            for numbers, contexts, texts in batches:
                sealed = self.keys.encrypt_many(texts, contexts)
                self.out.write("".join(f"{n},{blob.hex()}\n" for n, blob in zip(numbers, sealed)))
        except BaseException as error:  # noqa: BLE001 - raised again by write, in the caller's thread
            self.error = error

    def write(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
        for start in range(self.AHEAD * BATCH, self.total, BATCH):
            self._seal([self._batch(start)])
            if self.error is not None:
                raise self.error
        self.out.close()
        self.cur.execute(
            "insert into contacts (customer_id, field, lookup, ciphertext) "
            "select p.customer_id, p.field, p.lookup, unhex(s.ciphertext) from personal_contacts p "
            "join read_csv($path, header = true, columns = {'n': 'bigint', 'ciphertext': 'varchar'}) s using (n) "
            # in order: rows inserted in an order are written as they come; a join's unordered output was
            # written again by the next checkpoint (0.2 s with the consent rows, 262k contacts)
            "order by p.n",
            {"path": str(self.path)})

    def close(self) -> None:
        """After a failed load too: the thread's few batches are done before its file goes."""
        self.thread.join()
        self.out.close()
        self.path.unlink(missing_ok=True)
        if self.own_folder:
            shutil.rmtree(self.path.parent, ignore_errors=True)


def contacts_of(workspace, customer_ids=None) -> pd.DataFrame:
    """customer_id, email, phone, accepts_marketing, decrypted; empty without stored contacts or consent.

    The key file is only read when there is something to decrypt."""
    import pandas as pd  # not at import: loading a file (the CLI's ingest) needs no pandas

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
