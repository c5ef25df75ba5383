"""The app as a user meets it through AppTest: every page on the demo, both languages, an upload."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.platform.workspace import Workspace
from pages.components.mapping_editor import widget_key
from pages.components.uploader import upload_dir
from tests.conftest import ROOT, table
from tests.pages.conftest import page_for

APP = str(ROOT / "app.py")
PAGES = {
    "pages/sales.py": ("Sales overview", "销售概览"),
    "pages/diagnosis.py": ("Diagnosis", "诊断"),
    "pages/ab_testing.py": ("A/B testing", "A/B 测试"),
    "pages/customer_tiers.py": ("Customer tiers", "客户分层"),
    "pages/budget.py": ("Budget", "预算"),
    "pages/data.py": ("Data", "数据"),
}
ORDERS_CSV = (
    "order_id,customer_id,order_time,order_total,sku,quantity,unit_price\n"
    "A1,c1,2024-05-01 10:00,100,s1,1,100\n"
    "A2,c2,2024-05-02 11:00,50,s2,2,25\n"
)


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


# AppTest runs only the page script after switch_page, so the sidebar is checked from the entry page.
def test_the_app_opens_on_the_demo_shop():
    at = app()
    assert not at.exception
    assert at.title[0].value == "Sales overview"  # what an orders-only owner needs first
    sidebar = [c.value for c in at.sidebar.caption]
    assert "Demo shop: read-only sample data." in sidebar
    assert "Orders: 60,000 rows 2025-11-01 – 2026-10-31" in sidebar


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_in_both_languages(page, lang):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == PAGES[page][lang == "zh"]
    assert not at.error


def test_upload_on_the_demo_asks_for_a_new_workspace_then_loads(data_dir):
    at = app()
    at.switch_page("pages/data.py").run()
    assert at.info[0].value.startswith("You are looking at the demo shop")
    assert at.file_uploader[0].disabled  # no name yet
    at.text_input(key="new_workspace_name").input("Corner Shop").run()
    assert not at.file_uploader[0].disabled
    at.file_uploader[0].upload("orders.csv", ORDERS_CSV.encode(), "text/csv").run()
    assert [m.value for m in at.metric] == ["2", "2", "0"]
    assert at.selectbox(key=widget_key("upload_kind", ORDERS_CSV.splitlines()[0].split(","))).value == "orders"
    at.button(key="load_button").click().run()
    assert not at.exception
    assert at.success[0].value == "Loaded 2 Orders row(s) into workspace 'Corner Shop'."  # the name as typed
    assert at.session_state["workspace_path"].endswith("corner_shop.duckdb")
    assert not at.file_uploader[0].value  # the uploader is cleared for the next file
    summary = at.dataframe[0].value
    assert summary.loc[summary["Dataset"] == "Orders", "Rows"].item() == 2
    assert table(Workspace(data_dir / "corner_shop.duckdb"), "select count(*) from orders") == [(2,)]


def test_a_bad_upload_shows_located_problems_and_creates_nothing(data_dir):
    before = set(upload_dir().iterdir())
    at = app()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("broken").run()
    at.file_uploader[0].upload("orders.csv", (ORDERS_CSV + "A3,c3,someday,10,s3,1,10\n").encode(), "text/csv").run()
    assert [m.value for m in at.metric] == ["3", "2", "1"]
    problems = at.dataframe[0].value.iloc[:, 0].tolist()
    assert problems == ["orders.csv, row 4, column 'order_time': expected a date and time such as 2024-05-01 10:00, got 'someday'."]
    assert at.dataframe[1].value["row"].tolist() == [4]  # the rejected row, shown
    at.button(key="load_button").click().run()
    assert "1 row(s) cannot be loaded" in at.error[0].value
    assert not (data_dir / "broken.duckdb").exists()
    assert "Traceback" not in " ".join(e.value for e in at.error)
    assert set(upload_dir().iterdir()) <= before  # the failed upload's temporary copy is gone too


def test_a_successful_upload_leaves_no_temporary_copy(data_dir):
    before = set(upload_dir().iterdir())
    at = app()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("tidy").run()
    at.file_uploader[0].upload("orders.csv", ORDERS_CSV.encode(), "text/csv").run()
    assert len(set(upload_dir().iterdir()) - before) == 1  # the copy DuckDB reads while the owner checks the preview
    at.button(key="load_button").click().run()
    assert at.success[0].value == "Loaded 2 Orders row(s) into workspace 'tidy'."
    assert set(upload_dir().iterdir()) <= before


def test_an_unreadable_file_gets_a_message_not_a_traceback():
    at = app()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("x").run()
    at.file_uploader[0].upload("weird.csv", b"foo,bar\n1,2\n", "text/csv").run()
    assert not at.exception
    assert at.warning[0].value.startswith("The headers did not match a dataset")


def test_the_data_page_as_a_function_of_its_workspace(data_dir):
    """ethelred style: hand the page a workspace of our own."""
    from core.data import ingest
    from tests.conftest import write_csv

    own = Workspace(data_dir / "own.duckdb")
    ingest.load(own, write_csv(data_dir / "t.csv", "date,channel,uv\n2024-05-01,a,10\n"))

    at = page_for(own.path, "pages.data").run()
    assert not at.exception
    assert not at.info  # not the demo: no read-only notice
    summary = at.dataframe[0].value
    assert summary.loc[summary["Dataset"] == "Daily traffic", "Rows"].item() == 1


def test_a_damaged_workspace_is_explained_and_the_demo_shown_instead(data_dir):
    (data_dir / "broken.duckdb").write_bytes(b"\x00garbage" * 1000)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["workspace_path"] = str(data_dir / "broken.duckdb")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.error[0].value == ("工作区文件“broken”已损坏，或不是 ShopLens 工作区。请从备份恢复，或删除后重新导入数据。"
                                 " 现在显示的是演示店铺。")
    assert at.title[0].value == "销售概览"  # the page still works, on the demo


def test_a_chinese_workspace_name_is_accepted_and_named_in_the_sidebar(data_dir):
    """Issue 11: '我的淘宝店' used to be refused for having no letter or digit."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("我的淘宝店").run()
    assert not at.error
    at.file_uploader[0].upload("orders.csv", ORDERS_CSV.encode(), "text/csv").run()
    at.button(key="load_button").click().run()
    assert not at.exception
    assert at.success[0].value == "已将 2 行订单导入工作区“我的淘宝店”。"
    assert at.session_state["workspace_path"] == str(data_dir / "workspace.duckdb")  # a generated, safe file name
    at.switch_page("app.py").run()  # the sidebar is drawn by the entry page
    picker = at.sidebar.selectbox[1]
    assert picker.options == ["演示店铺", "我的淘宝店"] and picker.value == "workspace"


def test_a_second_file_gets_its_own_column_mapping(data_dir):
    """A file with fewer columns first, then the real export: the export's currency and status must load."""
    at = app()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("two files").run()
    at.file_uploader[0].upload("first.csv", ORDERS_CSV.encode(), "text/csv").run()
    full = ("order_id,customer_id,order_time,order_total,status,currency\n"
            "B1,c1,2024-05-01 10:00,100,cancelled,USD\nB2,c2,2024-05-02 11:00,50,completed,USD\n")
    at.file_uploader[0].upload("export.csv", full.encode(), "text/csv").run()
    at.button(key="load_button").click().run()
    assert not at.exception
    shop = Workspace(data_dir / "two_files.duckdb")
    assert table(shop, "select order_id, status, currency from orders order by 1") == [
        ("B1", "cancelled", "USD"), ("B2", "completed", "USD")]
