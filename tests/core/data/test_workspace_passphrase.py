"""A workspace made on a shared server is protected before its first row goes in; deleting one deletes its key."""

from __future__ import annotations

import pytest

from core.data import service
from core.platform import access, secrets
from core.platform.workspace import Workspace
from tests.conftest import table, write_csv

ORDERS = "order_id,customer_id,order_time,order_total\nA1,a@example.com,2024-05-01 10:00,100\n"


def test_a_new_workspace_is_protected_by_its_first_load(tmp_path, data_dir):
    shop = service.new_workspace("Team shop")
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS), passphrase="correct horse battery", who="app 10.0.0.2")
    opened = Workspace(shop.path)
    assert access.is_protected(opened)
    assert access.unlock(opened, "correct horse battery") is True
    # the protection is older than the load: the audit lists it first
    assert table(opened, "select action, who from personal_audit order by logged_at, action limit 1") == [("protect", "app 10.0.0.2")]


def test_a_short_passphrase_is_refused_before_any_file_is_made(tmp_path, data_dir):
    shop = service.new_workspace("Team shop")
    with pytest.raises(access.PassphraseTooShort):
        service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS), passphrase="short")
    assert not shop.path.exists()  # edge: no open workspace left behind by the refusal


def test_deleting_a_workspace_deletes_its_key_file(tmp_path, data_dir):
    shop = service.new_workspace("Shop with e-mails")
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))  # e-mail keys: a key file is made
    opened = Workspace(shop.path)
    key = secrets.key_path(opened.path, opened.meta("workspace_id"))
    assert key.exists()
    service.delete_workspace(opened)
    assert not shop.path.exists() and not key.exists()
    # edge: another workspace's key file in the same folder stays
    other = service.new_workspace("Other")
    service.load(other, write_csv(tmp_path / "orders.csv", ORDERS))
    other = Workspace(other.path)
    assert secrets.key_path(other.path, other.meta("workspace_id")).exists()
