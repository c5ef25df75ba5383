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
    "pages/products.py": ("Products & stock", "商品与库存"),
    "pages/improvements.py": ("Improvements", "改进"),
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
    assert at.dataframe[1].value["Row in file"].tolist() == [4]  # the rejected row, shown
    # issue 12: with a rejected row and 'skip bad rows' not ticked there is nothing to load, and the
    # button says so before a click (a failed load is tested below)
    assert at.button(key="load_button").disabled
    assert "tick the box above to load the others" in " ".join(c.value for c in at.caption)
    assert not at.error
    assert not (data_dir / "broken.duckdb").exists()
    assert len(set(upload_dir().iterdir()) - before) == 1  # only the copy the preview reads


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


# Issue 12: no rough edges on the Data page.
def _upload(data_dir, name: str, file_name: str, content: bytes, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input(name).run()
    at.file_uploader[0].upload(file_name, content, "text/csv").run()
    return at


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" + bytes(range(256))


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "photo.csv is not a text table: it looks like a PNG image."),
    ("zh", "photo.csv 不是文本表格：它看起来是PNG 图片。"),
])
def test_an_image_renamed_csv_is_called_an_image_not_an_encoding_problem(data_dir, lang, expected):
    at = _upload(data_dir, "pics", "photo.csv", PNG, lang)
    assert not at.exception
    assert at.error[0].value.startswith(expected)  # was "byte 29 is not valid gb18030"
    assert "gb18030" not in at.error[0].value


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "shop.csv: required columns for Orders are not mapped: Customer."),
    ("zh", "shop.csv：订单的必填列未映射：客户。"),
])
def test_unmapped_required_columns_are_named_as_the_form_labels_them(data_dir, lang, expected):
    at = _upload(data_dir, "labels", "shop.csv", ORDERS_CSV.encode(), lang)
    headers = ORDERS_CSV.splitlines()[0].split(",")
    at.selectbox(key=widget_key("map_orders_customer_id", headers)).set_value("").run()  # the form shows "Customer *"
    assert [e.value for e in at.error] == [expected]  # was "... not mapped: customer_id."


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "order_time: expected a date and time such as 2024-05-01 10:00"),
    ("zh", "order_time：应为日期时间（如 2024-05-01 10:00）"),
])
def test_rejected_rows_give_their_reason_as_a_sentence_in_the_users_language(data_dir, lang, expected):
    at = _upload(data_dir, "reasons", "orders.csv", (ORDERS_CSV + "A3,c3,someday,10,s3,1,10\n").encode(), lang)
    rejected = at.dataframe[1].value
    assert rejected[{"en": "Why it was rejected", "zh": "拒收原因"}[lang]].tolist() == [expected]  # was "order_time: not_timestamp"


def test_load_is_disabled_when_no_row_is_valid_even_with_skip_ticked(data_dir):
    rows = "order_id,customer_id,order_time,order_total\nA1,c1,someday,10\nA2,c2,never,5\n"
    at = _upload(data_dir, "empty", "orders.csv", rows.encode())
    assert [m.value for m in at.metric] == ["2", "0", "2"]
    at.checkbox(key="skip_bad_rows").check().run()
    assert at.button(key="load_button").disabled  # 0 accepted rows: skipping leaves nothing
    assert "Nothing to load" in " ".join(c.value for c in at.caption)


def test_a_load_that_fails_leaves_no_progress_bar_frozen(data_dir, monkeypatch):
    from core.data import ingest

    def fail(*args, **kwargs):
        raise ingest.IngestError("error.no_rows", file="orders.csv")

    monkeypatch.setattr(ingest, "commit", fail)  # fails after the bar reached "saving"
    before = set(upload_dir().iterdir())
    at = _upload(data_dir, "failing", "orders.csv", ORDERS_CSV.encode())
    assert not at.button(key="load_button").disabled
    at.button(key="load_button").click().run()
    assert at.error[0].value == "orders.csv: there are no rows to load."
    assert not at.get("progress")  # the bar is gone, not frozen at "Saving"
    assert not (data_dir / "failing.duckdb").exists()
    assert set(upload_dir().iterdir()) <= before  # the failed load's temporary copy is gone too


def test_the_data_page_tables_read_well(data_dir):
    """issue 12: counts with thousands separators (123,780 in a table as on the tiles), "–" for what is missing
    (Streamlit wrote "None"), and dataset dates the Chinese way in Chinese."""
    import json
    import re

    at = _upload(data_dir, "readable", "orders.csv", (ORDERS_CSV + "A3,c3,someday,10,s3,1,10\n").encode(), "zh")
    assert at.dataframe and all(d.proto.placeholder == "–" for d in at.dataframe)
    rejected, preview = at.dataframe[1], at.dataframe[2]
    assert json.loads(rejected.proto.columns)["文件中的行号"]["type_config"]["format"] == "localized"
    # the preview's columns under the form's labels (was order_id, order_total...), numbers with separators
    assert "order_id" not in preview.value.columns and "is_price_outlier" not in preview.value.columns
    assert {json.loads(preview.proto.columns)[c]["type_config"]["format"] for c in ("订单实付金额", "数量")} == {"localized"}
    summary = [d for d in at.dataframe if "行数" in d.value.columns]
    assert summary and json.loads(summary[0].proto.columns)["行数"]["type_config"]["format"] == "%,d"
    spans = [span for span in summary[0].value["日期范围"] if span != "–"]
    # the demo's datasets, dated the way the picker writes them (2024/05/01 – ...), not 2024-05-01
    assert spans and all(re.fullmatch(r"\d{4}/\d{2}/\d{2} – \d{4}/\d{2}/\d{2}", span) for span in spans)


def test_the_upload_preview_says_which_columns_are_personal_and_what_happens_to_them(data_dir):
    at = app()
    at.switch_page("pages/data.py").run()
    at.text_input(key="new_workspace_name").input("Corner Shop").run()
    # a Shopify-like file: the customer is named by e-mail, with a phone and a billing name beside it
    shopify = ("Name,Email,Created at,Total,Phone,Billing Name\n"
               "#1001,ann@example.com,2024-05-01 10:00,100,13812345678,Ann Lee\n")
    at.file_uploader[0].upload("orders_export.csv", shopify.encode(), "text/csv").run()
    assert not at.exception
    found = next(d.value for d in at.dataframe if "What ShopLens does" in d.value.columns)
    said = dict(zip(found["Column"], found["What ShopLens does"]))
    # edge case: the e-mail is the customer key here, so it becomes a pseudonym rather than a kept contact
    assert said == {"Email": "replaced by a pseudonym", "Phone": "kept encrypted", "Billing Name": "not stored"}
