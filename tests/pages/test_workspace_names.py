"""Workspace names as the owner types them (issue 11): kept for the sidebar and messages, renamed and
deleted on the Data page (deleting asks first), never the demo."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.data import service
from core.platform.workspace import Workspace
from tests.conftest import ROOT, table, write_csv

APP = str(ROOT / "app.py")
ORDERS = "order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01 10:00,100\nA2,c2,2024-05-02 11:00,50\n"


def made(name: str, tmp_path, orders: str = ORDERS) -> Workspace:
    """A workspace as the Data page makes one: named as typed, then its first load."""
    shop = service.new_workspace(name)
    service.load(shop, write_csv(tmp_path / "orders.csv", orders))
    return Workspace(shop.path)


def data_page(workspace: Workspace | None = None, lang: str = "en") -> AppTest:
    """The app opened on `workspace` (the demo when None), then its Data page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    if workspace is not None:
        at.session_state["workspace_path"] = str(workspace.path)
    at.run()
    return at.switch_page("pages/data.py").run()


def sidebar_names(at: AppTest) -> list[str]:
    """The workspace picker's entries (the second sidebar select box; the first is the language)."""
    at.switch_page("app.py").run()  # AppTest runs a page alone after switch_page: the entry page draws the sidebar
    return at.sidebar.selectbox[1].options


def test_a_mixed_name_is_kept_as_typed_through_an_upload(data_dir):
    at = data_page()
    at.text_input(key="new_workspace_name").input("淘宝店 CDNOW").run()
    at.file_uploader[0].upload("orders.csv", ORDERS.encode(), "text/csv").run()
    at.button(key="load_button").click().run()
    assert not at.exception
    assert at.success[0].value == "Loaded 2 Orders row(s) into workspace '淘宝店 CDNOW'."  # not 'cdnow'
    assert at.session_state["workspace_path"] == str(data_dir / "cdnow.duckdb")
    assert sidebar_names(at) == ["Demo shop", "淘宝店 CDNOW"]


@pytest.mark.parametrize(("lang", "demo_label"), [("en", "Demo shop"), ("zh", "演示店铺")])
def test_the_sidebar_shows_display_names_and_the_demo_in_the_interface_language(data_dir, tmp_path, lang, demo_label):
    made("淘宝店 CDNOW", tmp_path)
    made("CDNOW", tmp_path)  # the same file name once slugged: a file of its own, cdnow_2
    made("🛍️ 小店", tmp_path)
    made("!!!", tmp_path)  # punctuation alone is a name too; the file is workspace_2
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    picker = at.sidebar.selectbox[1]
    # demo first, then by name (code point order: '!' < 'C' < '淘' < '🛍')
    assert picker.options == [demo_label, "!!!", "CDNOW", "淘宝店 CDNOW", "🛍️ 小店"]
    assert picker.value == "demo"  # the values are the file stems; the labels the names as typed
    assert sorted(p.name for p in data_dir.glob("*.duckdb")) == [
        "cdnow.duckdb", "cdnow_2.duckdb", "demo.duckdb", "workspace.duckdb", "workspace_2.duckdb"]


def test_the_demo_has_no_rename_or_delete():
    at = data_page()
    assert not at.exception
    keys = {b.key for b in at.button}
    assert not keys & {"rename_button", "delete_button", "delete_yes"}
    assert "Workspace" not in [h.value for h in at.subheader]


def test_rename_changes_the_name_everywhere_but_the_file(tmp_path):
    shop = made("Corner Shop", tmp_path)
    at = data_page(shop)
    assert "Workspace" in [h.value for h in at.subheader]
    assert "Kept in the file corner_shop.duckdb, which keeps its name when you rename the workspace." in [
        c.value for c in at.main.caption]
    assert at.button(key="rename_button").disabled  # nothing typed yet
    at.text_input(key="rename_corner_shop").input("我的淘宝店 🎉").run()
    at.button(key="rename_button").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "The workspace is now called '我的淘宝店 🎉'."
    assert Workspace(shop.path).display_name == "我的淘宝店 🎉" and shop.path.exists()
    assert table(shop, "select count(*) from orders") == [(2,)]  # the data stays
    assert sidebar_names(at) == ["Demo shop", "我的淘宝店 🎉"]


def test_rename_to_a_name_another_workspace_has_is_refused_in_chinese(tmp_path):
    made("淘宝店 CDNOW", tmp_path)
    shop = made("Corner Shop", tmp_path)
    at = data_page(shop, lang="zh")
    assert "工作区" in [h.value for h in at.subheader]
    at.text_input(key="rename_corner_shop").input("淘宝店 cdnow").run()
    at.button(key="rename_button").click().run()
    assert at.error[0].value == "名为“淘宝店 cdnow”的工作区已存在。"
    assert Workspace(shop.path).display_name == "Corner Shop"


def test_delete_asks_first_and_cancel_keeps_everything(tmp_path):
    shop = made("我的淘宝店", tmp_path)
    at = data_page(shop)
    at.button(key="delete_button").click().run()
    assert at.warning[0].value == "Delete the workspace '我的淘宝店' and all the data in it? This cannot be undone."
    assert shop.path.exists()  # asking deletes nothing
    at.button(key="delete_no").click().run()
    assert not at.warning and shop.path.exists()
    assert at.session_state["workspace_path"] == str(shop.path)


def test_delete_after_confirming_removes_the_workspace_and_shows_the_demo(data_dir, tmp_path):
    shop = made("我的淘宝店", tmp_path)
    at = data_page(shop, lang="zh")
    at.button(key="delete_button").click().run()
    assert at.warning[0].value == "删除工作区“我的淘宝店”及其中的全部数据？此操作无法撤销。"
    at.button(key="delete_yes").click().run()
    assert not at.exception
    assert at.success[0].value == "工作区“我的淘宝店”已删除；现在显示的是演示店铺。"
    assert not shop.path.exists()
    assert at.session_state["workspace_path"] == str(data_dir / "demo.duckdb")
    assert at.info[0].value.startswith("当前是只读的演示店铺")  # the demo's read-only notice
    assert sidebar_names(at) == ["演示店铺"]


def test_a_workspace_made_again_after_a_delete_shows_its_own_data(tmp_path):
    # the new file has the old one's name and data version: results cached for the old one must not show
    shop = made("Corner Shop", tmp_path)
    before = shop.data_version
    at = data_page(shop)
    assert at.dataframe[0].value["Rows"].tolist()[0] == 2
    at.button(key="delete_button").click().run()
    at.button(key="delete_yes").click().run()
    again = made("Corner Shop", tmp_path, orders=ORDERS + "A3,c3,2024-05-03 12:00,70\n")
    assert again.path == shop.path and again.data_version == before == 1
    at.session_state["workspace_path"] = str(again.path)
    at.run()
    assert at.dataframe[0].value["Rows"].tolist()[0] == 3
