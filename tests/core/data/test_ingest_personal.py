"""The personal-data step done once per distinct customer in SQL (issue 16): the SQL rules give what the
Python rules give, the HMAC worked out by DuckDB is RFC 2104's, and contacts encrypted in batches (the
first ones in a thread) all decrypt to the right person. References: the Python rules of core.data.personal
(tested on their own in test_personal.py), the `hmac` module, and AES-GCM decryption with a key derived
here from the key file (tests/core/data/test_personal.py)."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import tempfile
from pathlib import Path

import duckdb
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.data import ingest, personal
from core.platform.paths import TEMP_PREFIX, read_sql
from tests.conftest import table
from tests.core.data.test_personal import expected_pseudonym, subkey

TRICKY = ["ann@example.com", " Ann@Example.COM ", "a@b.c", "a@b.", "a@@b.c", "x@y..z", "a b@c.d", "+86 138 0013 8000",
          "8613800138000", "13800138000", "'13800138000", "''+86-138-0013-8000", "7012345678901", "(555) 123-4567",
          "555.1234", "12345", "123456", "+123456", "12-3456", "1234567890123456", " ", ""]


def macros() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(read_sql("macros.sql"))
    return con


def test_the_sql_rules_give_what_the_python_rules_give_on_plain_text():
    rng = random.Random(16)
    values = TRICKY + ["".join(rng.choice("ab@.+-() 0123456789'x") for _ in range(rng.randint(1, 18))) for _ in range(3000)]
    rows = macros().execute("select v, email_key(v), phone_key(v, false), personal_key(v), phone_shown(v) "
                            "from unnest($values) t(v) where plain_ascii(v)", {"values": values}).fetchall()
    assert len(rows) == len(values)  # all of them printable ASCII: judged in SQL
    wrong = [(v, sql) for v, *sql in rows
             if tuple(sql) != (personal.normalise_email(v), personal.normalise_phone(v), personal.personal_key(v),
                               v.strip().lstrip("'"))]
    assert wrong == []


def test_text_beyond_printable_ascii_is_left_to_python():
    # edge: a tab, a no-break space and full-width digits: Python's strip and \d read them otherwise than SQL
    judged = macros().execute("select list(plain_ascii(v)) from unnest($v) t(v)",
                              {"v": ["ann@example.com\t", "ann@example.com\u00a0", "１３８００１３８０００", "zoë@example.com", "a@b.c"]}).fetchone()[0]
    assert judged == [False, False, False, False, True]


def test_the_pseudonym_worked_out_in_sql_is_the_hmac_of_the_key():
    key = bytes(range(32))
    block = key.ljust(64, b"\0")
    pads = {"key_in": bytes(b ^ 0x36 for b in block), "key_out": bytes(b ^ 0x5C for b in block)}
    values = ["ann@example.com", "13800138000", "zoë@example.com"]
    got = macros().execute("select list(pseudonym(v, $key_in, $key_out)) from unnest($values) t(v)", {**pads, "values": values}).fetchone()[0]
    assert got == ["cu_" + hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:16] for v in values]


def test_a_customer_key_beyond_ascii_gets_the_pseudonym_python_gives(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    # edge: the second spelling ends in a no-break space, which Python's strip removes and DuckDB's trim does not
    path.write_text("Name,Email,Created at,Total\n#1,Zoë@Example.com,2024-05-01 10:00,10\n"
                    "#2,zoë@example.com\u00a0,2024-05-02 10:00,20\n", encoding="utf-8")
    ingest.load(workspace, path)
    zoe = expected_pseudonym(workspace, "zoë@example.com")
    assert table(workspace, "select distinct customer_id from orders") == [(zoe,)]
    assert table(workspace, "select customer_id, field, lookup from contacts") == [(zoe, "email", zoe)]


def test_contacts_encrypted_in_batches_all_decrypt_to_their_customer(workspace, tmp_path, monkeypatch):
    # batches of 2 with one ahead in the thread: 7 customers take the thread's batch and three more after it
    monkeypatch.setattr(personal, "BATCH", 2)
    monkeypatch.setattr(personal._Sealing, "AHEAD", 1)
    emails = [f"buyer{i}@example.com" for i in range(7)]
    lines = ["Name,Email,Created at,Total,Accepts Marketing"]
    lines += [f"#{i},{email},2024-05-0{i + 1} 10:00,10,{'yes' if i % 2 else 'no'}" for i, email in enumerate(emails)]
    lines.append("#7,,2024-05-08 10:00,10,yes")  # edge: a line without an e-mail is no customer of the list
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest.load(workspace, tmp_path / "orders.csv", skip_bad_rows=True)
    assert report.rejected_count == 1  # the line without a customer
    aead = AESGCM(subkey(workspace, b"shoplens/contacts/v1"))
    stored = table(workspace, "select customer_id, field, lookup, ciphertext from contacts order by 1")
    assert len(stored) == 7
    for customer, field, lookup, blob in stored:
        blob = bytes(blob)
        email = aead.decrypt(blob[:12], blob[12:], f"{customer}|{field}".encode()).decode()
        assert customer == lookup == expected_pseudonym(workspace, email) and email in emails
    consent = dict(table(workspace, "select customer_id, accepts_marketing from contact_consent"))
    assert consent == {expected_pseudonym(workspace, e): i % 2 == 1 for i, e in enumerate(emails)}
    # the folder the ciphertexts went through is gone
    assert not list(Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}contacts-{os.getpid()}-*"))
