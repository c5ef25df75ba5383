"""The Budget page on the demo shop, through AppTest, including a slider."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

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
