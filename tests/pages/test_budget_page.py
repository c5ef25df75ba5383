"""The Budget page on the demo shop, through AppTest, including a slider."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import budget, ingest
from core.workspace import Workspace
from tests.conftest import ROOT
from tests.pages.conftest import page_for

APP = str(ROOT / "app.py")


def test_roi_drop_candidate_optimizer_and_a_slider():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/budget.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Budget"
    assert at.warning[0].value == "social: ROI below 1 in each of its last 3 months: a candidate to drop or rework."
    moves = [m.value for m in at.markdown if m.value.startswith("• Move")]
    assert moves and "from social to search" in moves[0]
    before = {m.label: m.value for m in at.metric}["Predicted ROI"]
    at.toggle(key="budget_hold").set_value(False).run()
    at.slider(key="slider_social").set_value(0.0).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}["Predicted ROI"]
    assert float(after) > float(before)  # cutting the channel below ROI 1 lifts the overall ROI


def _split_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Playbook split"))


def test_roles_drive_the_playbook_split_and_the_sliders():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/budget.py").run()
    # email has no role from its name, so it keeps its share of last month's spend
    assert at.selectbox(key="role_email").value == "other"
    assert "search 39%" in _split_caption(at) and "email 3%" in _split_caption(at)
    at.selectbox(key="role_email").set_value("social").run()
    assert not at.exception
    assert "email 10%, feed_ads 30%, search 40%, social 10%, test_channel 10%" in _split_caption(at)
    assert not [b for b in at.button if b.key == "save_roles"]  # the demo is read-only
    at.button(key="use_playbook").click().run()
    total = at.number_input(key="budget_total").value
    assert at.slider(key="slider_search").value == round(0.4 * total)
    assert at.slider(key="slider_email").value == round(0.1 * total)
    at.button(key="use_current").click().run()
    assert at.slider(key="slider_email").value < 0.05 * total


def test_matrix_split_by_customer_tier():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/budget.py").run()
    plain = at.dataframe[-1].value
    assert "Customer tier" not in plain.columns
    at.toggle(key="matrix_by_tier").set_value(True).run()
    assert not at.exception
    tiered = at.dataframe[-1].value
    assert set(tiered["Customer tier"]) <= {"VIP", "Potential", "Normal", "Churned", "New"} and "New" in set(tiered["Customer tier"])
    assert len(tiered) > len(plain)


def test_roles_are_saved_in_an_own_workspace(tmp_path):
    own = Workspace(tmp_path / "own.duckdb")
    ingest.load(own, ROOT / "sample_data" / "marketing_spend.csv", kind="marketing_spend")
    at = page_for(own.path, "pages.budget").run()
    at.selectbox(key="role_test_channel").set_value("other").run()
    at.button(key="save_roles").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Roles saved for this workspace."]
    assert budget.load_roles(own, ["test_channel", "email"]) == {"test_channel": "other", "email": "other"}
