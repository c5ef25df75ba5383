"""The Data page's service: what a workspace holds, names for new workspaces, loads that fail cleanly."""

from __future__ import annotations

import pytest

from core.data import service
from core.data.ingest import RejectedRows
from core.platform.errors import WorkspaceError, WorkspaceReadOnly
from core.platform.transactions import transaction
from core.platform.workspace import Workspace
from tests.conftest import write_csv

ORDERS = """
    order_id,customer_id,order_time,order_total
    A1,c1,2024-05-01 10:00,100
    A2,c1,2024-05-03 09:00,40
    A3,c2,2024-05-07 18:30,60
"""


def test_summary_counts_rows_orders_customers_and_the_date_span(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    orders = service.summary(workspace)[0]
    # three lines, three orders, two customers (c1 ordered twice), 1 to 7 May
    assert orders == {"name": "orders", "rows": 3, "hidden_rows": 0, "orders": 3, "customers": 2, "min_date": "2024-05-01", "max_date": "2024-05-07"}
    assert set(service.last_loaded(workspace)) == {"orders"}


def test_a_new_workspace_needs_a_name_and_one_no_other_workspace_shows(data_dir, tmp_path):
    assert service.new_workspace("Corner Shop").path == data_dir / "corner_shop.duckdb"
    with pytest.raises(WorkspaceError) as caught:
        service.new_workspace("   ")  # issue 11: "!!!" is a name now (see the punctuation test below)
    assert caught.value.key == "error.workspace_name"
    service.load(Workspace(data_dir / "corner_shop.duckdb"), write_csv(tmp_path / "orders.csv", ORDERS))
    with pytest.raises(WorkspaceError) as caught:
        service.new_workspace("corner shop")  # same file name once slugged
    assert caught.value.key == "error.workspace_exists"


def test_a_failed_first_load_leaves_no_workspace_file(data_dir, tmp_path):
    # edge case: the file would create the workspace, but one row's time does not parse
    bad = write_csv(tmp_path / "orders.csv", ORDERS + "A4,c3,someday,10\n")
    target = Workspace(data_dir / "new_shop.duckdb")
    with pytest.raises(RejectedRows):
        service.load(target, bad)
    assert not target.path.exists()


def test_the_price_outlier_choice_is_a_setting_not_data(workspace, tmp_path):
    service.load(workspace, write_csv(tmp_path / "orders.csv", ORDERS))
    assert service.excludes_price_outliers(workspace) is False
    service.save_excludes_price_outliers(workspace, True)
    assert service.excludes_price_outliers(workspace) is True
    assert workspace.data_version == 1  # only the load moved it


def _made(name: str, tmp_path) -> Workspace:
    """A workspace the way the Data page makes one: named, then its first load."""
    shop = service.new_workspace(name)
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))
    return shop


def test_a_chinese_name_is_accepted_and_kept(data_dir, tmp_path):
    shop = _made("我的淘宝店", tmp_path)
    assert shop.path == data_dir / "workspace.duckdb"
    assert shop.display_name == "我的淘宝店"
    assert service.workspaces() == [("workspace", "我的淘宝店")]


def test_a_mixed_name_is_kept_as_typed_not_cut_to_its_ascii(data_dir, tmp_path):
    shop = _made("淘宝店 CDNOW", tmp_path)
    assert (shop.path.name, Workspace(shop.path).display_name) == ("cdnow.duckdb", "淘宝店 CDNOW")


def test_two_names_that_slug_alike_get_two_files(data_dir, tmp_path):
    first, second, third = (_made(name, tmp_path) for name in ("淘宝店 CDNOW", "CDNOW", "CDNOW!"))
    assert [w.path.name for w in (first, second, third)] == ["cdnow.duckdb", "cdnow_2.duckdb", "cdnow_3.duckdb"]
    assert service.workspaces() == [("cdnow_2", "CDNOW"), ("cdnow_3", "CDNOW!"), ("cdnow", "淘宝店 CDNOW")]
    for shop in (first, second, third):  # each file holds its own load: the three orders of ORDERS, once
        assert service.summary(shop)[0]["orders"] == 3


def test_names_without_ascii_letters_get_generated_files_one_each(data_dir, tmp_path):
    # decided for issue 11: emoji or punctuation alone are names too; the file is workspace, workspace_2, ...
    shops = [_made(name, tmp_path) for name in ("🛍️🎉", "!!!", "我的淘宝店")]
    assert [w.path.name for w in shops] == ["workspace.duckdb", "workspace_2.duckdb", "workspace_3.duckdb"]
    assert dict(service.workspaces()) == {"workspace": "🛍️🎉", "workspace_2": "!!!", "workspace_3": "我的淘宝店"}


def test_a_name_another_workspace_shows_is_refused_and_its_file_left_alone(data_dir, tmp_path):
    _made("我的淘宝店", tmp_path)
    for same in ("我的淘宝店", " 我的淘宝店  ", "Demo shop", "演示店铺"):  # the demo shows as 'Demo shop'
        with pytest.raises(WorkspaceError) as caught:
            service.new_workspace(same)
        assert caught.value.key == "error.workspace_exists"
    assert service.new_workspace("Demo").path.name == "demo_2.duckdb"  # the demo's file is never taken


def test_a_first_load_never_writes_into_a_file_made_meanwhile(data_dir, tmp_path):
    # two owners type names with the same file name; the second loads after the first made the file
    first, second = service.new_workspace("Corner Shop"), service.new_workspace("Corner-Shop")
    assert first.path == second.path  # both free when they were named
    service.load(first, write_csv(tmp_path / "orders.csv", ORDERS))
    with pytest.raises(WorkspaceError) as caught:
        service.load(second, write_csv(tmp_path / "orders.csv", ORDERS))
    assert caught.value.key == "error.workspace_exists"
    assert service.summary(first)[0]["rows"] == 3 and first.display_name == "Corner Shop"  # untouched


def test_a_failed_first_load_into_a_named_workspace_can_be_tried_again(data_dir, tmp_path):
    shop = service.new_workspace("我的淘宝店")
    with pytest.raises(RejectedRows):
        service.load(shop, write_csv(tmp_path / "bad.csv", ORDERS + "A4,c3,someday,10\n"))
    assert not shop.path.exists() and service.workspaces() == []
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))
    assert Workspace(shop.path).display_name == "我的淘宝店"


def test_rename_changes_the_name_shown_not_the_file(data_dir, tmp_path):
    shop = _made("Corner Shop", tmp_path)
    other = _made("淘宝店 CDNOW", tmp_path)
    service.rename_workspace(shop, "  我的 店 🎉 ")
    assert service.workspaces() == [("corner_shop", "我的 店 🎉"), ("cdnow", "淘宝店 CDNOW")]  # by name: 我 < 淘
    assert shop.path.exists() and service.summary(shop)[0]["rows"] == 3
    service.rename_workspace(shop, "我的 店 🎉")  # its own name again: fine
    with pytest.raises(WorkspaceError) as caught:
        service.rename_workspace(shop, "淘宝店 cdnow")  # the other one's
    assert caught.value.key == "error.workspace_exists"
    with pytest.raises(WorkspaceError) as caught:
        service.rename_workspace(other, "")
    assert caught.value.key == "error.workspace_name"
    assert dict(service.workspaces()) == {"cdnow": "淘宝店 CDNOW", "corner_shop": "我的 店 🎉"}


def test_delete_removes_the_file_and_frees_the_name(data_dir, tmp_path):
    shop = _made("我的淘宝店", tmp_path)
    service.delete_workspace(shop)
    assert not shop.path.exists() and not (data_dir / "workspace.duckdb.wal").exists()
    assert service.workspaces() == []
    assert service.new_workspace("我的淘宝店").path == shop.path


def test_the_demo_cannot_be_renamed_or_deleted(data_dir, tmp_path):
    demo = _made("Looks like a demo", tmp_path)
    with transaction(demo) as cur:
        demo.set_meta(cur, "is_demo", "true")
    for change in (lambda: service.rename_workspace(demo, "Mine"), lambda: service.delete_workspace(demo)):
        with pytest.raises(WorkspaceReadOnly):
            change()
    assert demo.path.exists() and demo.display_name == "Looks like a demo"


def test_the_demo_comes_first_in_the_list(data_dir, tmp_path):
    _made("Apple", tmp_path)
    (data_dir / "demo.duckdb").write_bytes(b"")  # unreadable: listed by its stem
    _made("Zebra", tmp_path)
    assert service.workspaces() == [("demo", "demo"), ("apple", "Apple"), ("zebra", "Zebra")]


def test_path_like_names_stay_inside_the_data_folder(data_dir, tmp_path):
    for name in ("../x", "a/b", "../../etc/passwd"):
        shop = _made(name, tmp_path)
        assert shop.path.parent == data_dir and Workspace(shop.path).display_name == name
    assert sorted(p.name for p in data_dir.iterdir() if p.suffix == ".duckdb") == ["a_b.duckdb", "etc_passwd.duckdb", "x.duckdb"]
    assert not (data_dir.parent / "x.duckdb").exists()


def test_rejected_rows_give_sentences_in_the_users_language(workspace, tmp_path):
    path = write_csv(tmp_path / "orders.csv", ORDERS + "A4,,someday,10\n")
    report = service.preview(workspace, path, file_name="orders.csv", kind="orders", mapping=None, day_first=None)
    assert report.rejected["reason"].tolist() == ["customer_id: missing; order_time: not_timestamp"]  # the codes stay for the CLI
    assert service.rejected_rows(report, "en")["reason"].tolist() == [
        "customer_id: expected a value (this column is required); order_time: expected a date and time such as 2024-05-01 10:00"]
    assert service.rejected_rows(report, "zh")["reason"].tolist() == [
        "customer_id：应为非空值（此列必填）；order_time：应为日期时间（如 2024-05-01 10:00）"]


def test_a_load_is_blocked_only_when_nothing_valid_would_load(workspace, tmp_path):
    def blocked(text, skip):
        report = service.preview(workspace, write_csv(tmp_path / "o.csv", text), file_name="o.csv", kind="orders",
                                 mapping=None, day_first=None)
        return service.load_blocked(report, skip)

    assert blocked(ORDERS, False) is None
    assert blocked(ORDERS + "A4,c3,someday,10\n", False) == "data.load_needs_skip"
    assert blocked(ORDERS + "A4,c3,someday,10\n", True) is None
    only_bad = "order_id,customer_id,order_time,order_total\nA4,c3,someday,10\n"
    assert blocked(only_bad, True) == "data.load_nothing_valid"
