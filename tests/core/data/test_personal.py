"""Personal data: customer keys that are e-mails or phones become keyed pseudonyms, contacts are stored
encrypted with a key outside the workspace, exports mask them, and one customer can be forgotten.

Expected pseudonyms and plaintexts are worked out here from the key file with `hmac` and `cryptography`
directly (HKDF-SHA256, salt = workspace id), not through core.platform.secrets."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pandas as pd
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.__main__ import main
from core.customers.customer_file import mask_email, mask_phone, with_contacts
from core.data import ingest, personal
from core.platform import secrets
from core.platform import workspace as workspace_module
from core.platform.workspace import Workspace
from tests.conftest import table

HEADER = "Name,Email,Created at,Total,Accepts Marketing,Phone,Billing Name,Shipping Address1,Billing Province"
ROWS = [
    "#1001,Chen.Wei@Example.com,2024-05-01 10:00,100,yes,+86 138 1234 5678,Chen Wei,1 Nanjing Rd,Shanghai",
    "#1001,,,,,,,,",  # Shopify leaves a later line's customer fields blank
    "#1002,bob@example.com,2024-05-02 10:00,20,no,,Bob Smith,2 High St,Kent",
]


def shop_file(path, rows=ROWS):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def raw_key(workspace: Workspace) -> bytes:
    return (workspace.path.parent / ".keys" / f"{workspace.meta('workspace_id')}.key").read_bytes()


def subkey(workspace: Workspace, info: bytes) -> bytes:
    salt = workspace.meta("workspace_id").encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(raw_key(workspace))


def expected_pseudonym(workspace: Workspace, normalised: str) -> str:
    return "cu_" + hmac.new(subkey(workspace, b"shoplens/pseudonym/v1"), normalised.encode(), hashlib.sha256).hexdigest()[:16]


def test_pseudonyms_are_stable_across_loads_and_differ_between_workspaces(workspace, data_dir, tmp_path):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    chen = expected_pseudonym(workspace, "chen.wei@example.com")  # trimmed, lower-cased
    assert table(workspace, "select order_id, customer_id from orders order by 1, line_number") == [
        ("#1001", chen), ("#1001", chen), ("#1002", expected_pseudonym(workspace, "bob@example.com"))]
    # edge case: a later file spells the same e-mail with other case and spaces: still the same customer
    ingest.load(workspace, shop_file(tmp_path / "june.csv", ["#1003,  CHEN.WEI@example.COM ,2024-06-01 10:00,50,yes,,,,"]))
    assert table(workspace, "select customer_id from orders where order_id = '#1003'") == [(chen,)]
    other = Workspace(data_dir / "other.duckdb")
    ingest.load(other, shop_file(tmp_path / "may.csv"))
    theirs = table(other, "select distinct customer_id from orders where order_id = '#1001'")[0][0]
    assert theirs == expected_pseudonym(other, "chen.wei@example.com") and theirs != chen


def test_plain_ids_stay_as_they_are_and_need_no_key(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,order_time,order_total\nA1,C00001,2024-05-01,10\n"
                    "A2,7012345678901,2024-05-02,20\n", encoding="utf-8")
    ingest.load(workspace, path)
    # edge case: a 13-digit Shopify customer id is all digits like a phone number, but no mainland mobile
    assert table(workspace, "select customer_id from orders order by 1") == [("7012345678901",), ("C00001",)]
    assert not (workspace.path.parent / ".keys").exists()
    assert workspace.meta(secrets.CHECK_META) is None


def test_a_phone_number_as_the_customer_key_is_pseudonymised_by_its_digits(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("订单编号,手机,下单时间,订单金额\nT1,13812345678,2024-05-01 10:00,10\nT2,+86 138-1234-5678,2024-05-02 10:00,20\n",
                    encoding="utf-8")
    ingest.load(workspace, path, kind="orders", mapping={"order_id": "订单编号", "customer_id": "手机", "order_time": "下单时间",
                                          "order_total": "订单金额"})
    # edge case: +86 and dashes are the same mobile number, so one customer
    assert table(workspace, "select distinct customer_id from orders") == [(expected_pseudonym(workspace, "13812345678"),)]


def test_an_email_never_appears_anywhere_in_the_workspace_file(workspace, tmp_path):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    assert table(workspace, "select count(*) from contacts") == [(3,)]  # two e-mails, one phone: kept, encrypted
    with workspace.cursor() as cur:
        columns = cur.execute("select table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR' and table_schema = 'main'").fetchall()
        texts = [value for t, c in columns
                 for (value,) in cur.execute(f'select "{c}" from "{t}" where "{c}" is not null').fetchall()]
    assert texts and not [v for v in texts if "@" in v or "12345678" in v or "Chen" in v]
    workspace_module.close_connection(workspace.path)  # checkpointed: everything is in the file now
    stored = workspace.path.read_bytes()
    wal = workspace.path.with_name(workspace.path.name + ".wal")
    stored += wal.read_bytes() if wal.exists() else b""
    # edge case: the name and address were in the file too, and are not stored either
    for secret in (b"chen.wei", b"Chen.Wei", b"bob@example", b"13812345678", b"1234 5678", b"Nanjing", b"Bob Smith"):
        assert secret not in stored


def test_contacts_decrypt_with_the_key_file_and_not_without_it(workspace, tmp_path):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    chen = expected_pseudonym(workspace, "chen.wei@example.com")
    blobs = dict(table(workspace, "select field, ciphertext from contacts where customer_id = ?", [chen]))
    aead = AESGCM(subkey(workspace, b"shoplens/contacts/v1"))
    email, phone = (bytes(blobs[f]) for f in ("email", "phone"))
    assert aead.decrypt(email[:12], email[12:], f"{chen}|email".encode()) == b"chen.wei@example.com"
    assert aead.decrypt(phone[:12], phone[12:], f"{chen}|phone".encode()) == b"+86 138 1234 5678"
    with pytest.raises(InvalidTag):  # any other key
        AESGCM(bytes(32)).decrypt(email[:12], email[12:], f"{chen}|email".encode())
    with pytest.raises(InvalidTag):  # edge case: the right key, but the value moved to another customer's row
        aead.decrypt(email[:12], email[12:], b"cu_0000000000000000|email")
    consent = dict(table(workspace, "select customer_id, accepts_marketing from contact_consent"))
    assert consent == {chen: True, expected_pseudonym(workspace, "bob@example.com"): False}


def test_the_key_file_is_the_owners_alone_and_its_loss_is_refused(workspace, tmp_path):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    key = workspace.path.parent / ".keys" / f"{workspace.meta('workspace_id')}.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == 32
    # edge case: without the key file a new key is not minted (customers would split in two): refused
    key.rename(tmp_path / "moved.key")
    with pytest.raises(secrets.KeyFileError) as refused:
        ingest.load(workspace, shop_file(tmp_path / "june.csv", ["#1003,chen.wei@example.com,2024-06-01 10:00,50,yes,,,,"]))
    assert refused.value.key == "error.key_missing"
    assert table(workspace, "select count(*) from orders") == [(3,)]
    (tmp_path / "moved.key").write_bytes(bytes(32))  # another key in its place
    (tmp_path / "moved.key").rename(key)
    with pytest.raises(secrets.KeyFileError) as wrong:
        personal.contacts_of(workspace)
    assert wrong.value.key == "error.key_wrong"


def test_loading_again_keeps_one_contact_per_customer_and_field(workspace, tmp_path):
    # The tables have no primary key (migration 015): the load itself keeps them one row per customer and field.
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))  # the same file again, appended
    # edge case: a later order of Chen's gives a new phone and withdraws consent: the newest replaces the stored
    ingest.load(workspace, shop_file(tmp_path / "june.csv", ["#1003,chen.wei@example.com,2024-06-01 10:00,50,no,+86 139 0000 1111,,,"]))
    chen = expected_pseudonym(workspace, "chen.wei@example.com")
    assert table(workspace, "select customer_id, field, count(*) from contacts group by all order by all") == sorted([
        (chen, "email", 1), (chen, "phone", 1), (expected_pseudonym(workspace, "bob@example.com"), "email", 1)])
    phone = bytes(table(workspace, "select ciphertext from contacts where customer_id = ? and field = 'phone'", [chen])[0][0])
    aead = AESGCM(subkey(workspace, b"shoplens/contacts/v1"))
    assert aead.decrypt(phone[:12], phone[12:], f"{chen}|phone".encode()) == b"+86 139 0000 1111"
    assert table(workspace, "select customer_id, count(*), bool_and(accepts_marketing) from contact_consent "
                            "where customer_id = ? group by all", [chen]) == [(chen, 1, False)]


def test_a_failed_load_writes_no_contacts(workspace, tmp_path, monkeypatch):
    def fail(self, cur, orders=True):
        raise RuntimeError("disk gone")  # after contacts and orders were written, inside the transaction

    monkeypatch.setattr(Workspace, "bump_data_version", fail)
    with pytest.raises(RuntimeError):
        ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    # edge case: the key was needed and made, but the workspace does not refer to it
    assert table(workspace, "select (select count(*) from orders), (select count(*) from contacts), "
                            "(select count(*) from contact_consent)") == [(0, 0, 0)]
    assert workspace.meta(secrets.CHECK_META) is None


def test_forget_removes_the_contacts_and_unlinks_the_orders(workspace, tmp_path):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    chen = expected_pseudonym(workspace, "chen.wei@example.com")
    bob = expected_pseudonym(workspace, "bob@example.com")
    # edge case: found by the phone, spelled otherwise than in the file
    done = personal.forget(workspace, phone="138 1234 5678")
    assert (done.customers, done.contacts, done.orders) == (1, 2, 2)
    assert table(workspace, "select distinct customer_id from contacts") == [(bob,)]
    assert table(workspace, "select customer_id from contact_consent") == [(bob,)]
    keys = table(workspace, "select distinct customer_id from orders where order_id = '#1001'")
    assert len(keys) == 1 and keys[0][0] not in (chen, bob) and keys[0][0].startswith("cu_")
    assert table(workspace, "select count(*), sum(order_total) from orders") == [(3, 220.0)]  # sales stay true
    assert table(workspace, "select action, what, rows from personal_audit") == [("forget", "phone", 1)]


def test_masks():
    assert mask_email("chen.wei@example.com") == "c***@example.com"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("+1 (555) 123-4567") == "155****4567"  # 11 digits: 3 shown, 4 starred, 4 shown
    assert mask_email("no-at-sign") == "***"  # edge case: not an address, nothing of it shown
    assert mask_email(None) is None


def test_customer_lists_mask_contacts_and_leave_out_those_without_consent():
    rows = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["VIP", "VIP", "VIP"]})
    contacts = pd.DataFrame({"customer_id": ["a", "b"], "email": ["ann@shop.cn", "bo@shop.cn"],
                             "phone": ["13912345678", None], "accepts_marketing": [True, False]})
    masked = with_contacts(rows, contacts)
    assert masked["email"].tolist()[:2] == ["a***@shop.cn", "b***@shop.cn"] and masked["phone"].tolist()[0] == "139****5678"
    assert with_contacts(rows, contacts, full=True)["email"].tolist()[0] == "ann@shop.cn"
    # edge case: c has no consent record while the shop records consent: left out of a touch list too
    assert with_contacts(rows, contacts, consented_only=True)["customer_id"].tolist() == ["a"]
    assert with_contacts(rows, contacts.iloc[0:0]) is rows  # no contacts kept: the list as it was


@pytest.mark.parametrize("headers, expected", [
    (["Name", "Email", "Accepts Marketing", "Billing Name", "Shipping Address1", "Billing Province", "Phone"],
     [("Email", "email", "pseudonymised"), ("Accepts Marketing", "consent", "kept"), ("Billing Name", "name", "dropped"),
      ("Shipping Address1", "address", "dropped"), ("Phone", "phone", "encrypted")]),
    (["订单编号", "收货人", "手机", "联系电话", "收货地址", "同意营销", "省份"],
     [("收货人", "name", "dropped"), ("手机", "phone", "encrypted"), ("联系电话", "phone", "encrypted"),
      ("收货地址", "address", "dropped"), ("同意营销", "consent", "kept")]),
])
def test_personal_columns_are_named_in_english_and_chinese(headers, expected):
    # edge case: Shopify's "Name" is the order number and a province is a region, not personal
    found = personal.columns(headers, {"customer_id": headers[1]}, customer_is_personal=headers[1] == "Email")
    assert [(c.header, c.kind, c.action) for c in found] == expected


def test_cli_rfm_masks_by_default_and_logs_a_full_export(workspace, tmp_path, capsys):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    path = str(workspace.path)
    assert main(["rfm", "--workspace", path, "--out", str(tmp_path / "masked.csv")]) == 0
    masked = (tmp_path / "masked.csv").read_text(encoding="utf-8-sig")
    assert "c***@example.com" in masked and "138****5678" in masked and "chen.wei" not in masked
    assert table(workspace, "select count(*) from personal_audit") == [(0,)]
    assert main(["rfm", "--workspace", path, "--out", str(tmp_path / "full.csv"), "--contacts", "full", "--consented-only"]) == 0
    full = pd.read_csv(tmp_path / "full.csv", encoding="utf-8-sig", dtype=str)
    # edge case: bob declined marketing, so the consented list holds chen alone
    assert full["email"].tolist() == ["chen.wei@example.com"]
    assert table(workspace, "select action, rows from personal_audit") == [("export_full", 1)]


def test_cli_forget(workspace, tmp_path, capsys):
    ingest.load(workspace, shop_file(tmp_path / "may.csv"))
    assert main(["forget", "--workspace", str(workspace.path), "--email", " Bob@Example.com"]) == 0
    assert table(workspace, "select count(*) from contacts where field = 'email'") == [(1,)]
    # edge case: not an e-mail address: one line, exit 2, nothing changed
    assert main(["forget", "--workspace", str(workspace.path), "--email", "bob"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_the_service_tells_the_preview_which_columns_are_personal(workspace, tmp_path):
    from core.data import service as data_service

    report = ingest.preview(workspace, shop_file(tmp_path / "may.csv"))
    found = {c.header: c.action for c in data_service.personal_columns(report, workspace)}
    # edge case: the e-mail is the customer key here, so it is pseudonymised (and kept encrypted as a contact)
    assert found == {"Email": "pseudonymised", "Accepts Marketing": "kept", "Phone": "encrypted",
                     "Billing Name": "dropped", "Shipping Address1": "dropped"}
