"""What the app shows is safe (issue 15): a shop's, a file's or a user's text is never read as Markdown (an image
in a name would be fetched by every browser that shows it), the table toolbar's own CSV download holds no live
formula, and a workspace another process holds reads as a message with the demo, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.data import service
from core.data.sample import generate
from core.platform.i18n import translate
from core.platform.workspace import Workspace, close_connection
from pages.components.state import plain
from tests.conftest import ROOT, write_csv

APP = str(ROOT / "app.py")
PIXEL = "![x](http://127.0.0.1:9/p.png)"
EVIL = f"{PIXEL} [link](http://x) <b>bold</b> $x^2$"
# Markup that would act, not escaped: an image or a link ("[" opens both), raw HTML, math between dollars,
# a bare address GFM makes a link
LIVE = re.compile(r"(?<!\\)\[|(?<!\\)<[a-z/]|(?<!\\)\$|https?://|www\.")


def test_plain_shows_every_markup_character_as_itself():
    assert plain(PIXEL) == r"!\[x\](http\://127.0.0.1:9/p.png)"  # no "[": neither image nor link
    assert plain("<b>$5 & $6</b>") == r"\<b>\$5 \& \$6\</b>"  # no tag opens, no math between the dollars
    assert plain("see www.x.com or a@b.cn, *now*") == r"see www\.x.com or a\@b.cn, \*now\*"
    # edge case: a line break would start a new block: it becomes a space; a list or heading mark at the start
    # is escaped, an underscore inside a word is not markup in GFM and stays
    assert plain("a\n# b\r\n- c") == "a # b - c"
    assert plain("# b") == r"\# b" and plain("1. b") == r"1\. b" and plain("- b") == r"\- b"
    assert plain("corner_shop.duckdb: row 5") == "corner_shop.duckdb: row 5"
    assert plain("淘宝店 CDNOW") == "淘宝店 CDNOW"  # letters, digits, spaces and Chinese stay as they are


def markdown_texts(at: AppTest) -> list[str]:
    """Every text Streamlit renders as Markdown: bodies, alerts, captions, headings, and widget and metric labels
    (select box options and table cells are shown as plain text by Streamlit itself)."""
    texts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "header",
                                   "subheader", "toast") for e in at.get(kind)]
    for kind in ("metric", "selectbox", "multiselect", "slider", "select_slider", "radio", "checkbox", "toggle",
                 "text_input", "number_input", "button", "expander", "date_input"):
        texts += [str(e.label) for e in at.get(kind) if getattr(e, "label", None)]
    texts += [str(option) for radio in at.radio for option in radio.options]  # radio options are Markdown too
    return texts


def assert_inert(at: AppTest, *expected: str) -> None:
    assert not at.exception
    texts = markdown_texts(at)
    assert [text for text in texts if LIVE.search(text)] == []
    joined = "\n".join(texts)
    for text in expected:  # the user's text is there, escaped: shown, not dropped
        assert plain(text) in joined


@pytest.fixture
def evil_shop(data_dir, tmp_path) -> Workspace:
    """A shop whose experiment, page, channel and own name hold markup, loaded as an owner would load it."""
    files = generate(tmp_path / "sample", order_lines=3_000)
    experiments = files["experiments"].read_text(encoding="utf-8")
    files["experiments"].write_text(experiments.replace("checkout_button_color", EVIL).replace(",checkout,", f",{EVIL},"),
                                    encoding="utf-8")
    spend = files["marketing_spend"].read_text(encoding="utf-8")
    files["marketing_spend"].write_text(spend.replace(",search,", f",{EVIL},"), encoding="utf-8")
    shop = service.new_workspace("Shop " + PIXEL)
    for kind in ("orders", "marketing_spend", "experiments"):
        service.load(shop, files[kind], kind=kind)
    return Workspace(shop.path)


def opened(workspace: Workspace, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["workspace_path"] = str(workspace.path)
    at.run()
    return at.switch_page(page).run()


def test_ab_page_shows_experiment_names_and_pages_as_text(evil_shop):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["workspace_path"] = str(evil_shop.path)
    at.session_state["ab_experiment"] = EVIL
    at.run()
    at.switch_page("pages/ab_testing.py").run()
    assert at.selectbox(key="ab_experiment").value == EVIL  # options are plain text: the name as typed
    assert_inert(at, EVIL)  # the page shows in the experiment's facts caption


def test_budget_page_shows_channel_names_as_text(evil_shop):
    at = opened(evil_shop, "pages/budget.py")
    # edge case: a channel name is also a widget label (its role select, its what-if slider), Markdown there too
    assert_inert(at, EVIL)
    assert plain(EVIL) in [s.label for s in at.selectbox]


def test_sidebar_and_data_page_show_workspace_and_file_names_as_text(evil_shop):
    at = opened(evil_shop, "pages/data.py")
    assert_inert(at)
    at.file_uploader[0].upload(f"{PIXEL}.csv", b"order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01 10:00,100\n",
                               "text/csv").run()
    assert_inert(at, f"{PIXEL}.csv")  # the file's facts name it
    at.button(key="load_button").click().run()
    # the load's success names the workspace, typed with an image in its name
    assert_inert(at, "Shop " + PIXEL)
    assert any(plain("Shop " + PIXEL) in s.value for s in at.success)


def test_errors_naming_a_file_show_its_name_as_text(data_dir):
    at = opened(Workspace(service.demo_workspace().path), "pages/data.py")
    at.text_input(key="new_workspace_name").input("Corner").run()
    at.file_uploader[0].upload(f"{PIXEL}.csv", b"\x00\x01\x02binary", "text/csv").run()
    assert at.error  # refused: the message names the file, escaped
    assert_inert(at)


FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3"]


def test_upload_tables_show_formulas_as_the_safe_download_writes_them(data_dir):
    """Streamlit's table toolbar downloads what the table shows: the preview and the rejected rows show each
    formula with a leading apostrophe, as core.platform.export writes the app's own downloads."""
    rows = "\n".join(f"A{i},c{i},2024-05-0{i} 10:00,100,{f}" for i, f in enumerate(FORMULAS, start=1))
    bad = "A9,c9,not a date,100,=HYPERLINK(\"http://x\")"
    data = f"order_id,customer_id,order_time,order_total,product_name\n{rows}\n{bad}\n".encode()
    at = opened(Workspace(service.demo_workspace().path), "pages/data.py")
    at.text_input(key="new_workspace_name").input("Corner").run()
    at.file_uploader[0].upload("orders.csv", data, "text/csv").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    cells = {str(v) for frame in frames for column in frame.columns for v in frame[column].tolist()}
    # edge case: "-2+3" and "+1+1" would be computed by a spreadsheet too, not only "=" and "@"
    assert {"'" + f for f in FORMULAS} <= cells
    assert not {f for f in FORMULAS} & cells
    assert any(str(v).startswith("'=HYPERLINK") for v in cells)  # the rejected row, neutralised as well
    assert not any(str(v).startswith(("=", "@", "+")) for v in cells)


@pytest.fixture
def held(tmp_path, data_dir):
    """A workspace another process holds (a CLI load, a second server): DuckDB refuses this one the file."""
    shop = service.new_workspace("Busy Shop")
    service.load(shop, write_csv(tmp_path / "orders.csv", """
        order_id,customer_id,order_time,order_total
        A1,c1,2024-05-01 10:00,100
    """))
    close_connection(shop.path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\n"
                               "print('held', flush=True)\ntime.sleep(120)", str(shop.path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield Path(shop.path)
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("page", ["pages/sales.py", "pages/ab_testing.py", "pages/budget.py", "pages/data.py"])
def test_a_workspace_another_process_holds_shows_a_message_and_the_demo(held, page):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    # chosen in the sidebar while another process holds it
    at.sidebar.selectbox[1].select("busy_shop").run()
    assert not at.exception
    busy = translate("error.workspace_busy", "en", name="busy_shop")  # escaped like any message naming a file
    assert [e.value for e in at.error] == [plain(busy) + " " + translate("error.showing_demo", "en")]
    assert at.sidebar.selectbox[1].value == "demo"  # the demo is what the page shows now
    # edge case: every page after it still works, on the demo, without a traceback
    at.switch_page(page).run()
    assert not at.exception
    assert at.session_state["workspace_path"] == str(service.demo_workspace().path)
