"""Every widget keeps its value, and every section its open state, when the language changes (decision 0020), read
from the pages' code: each has a key, and each select box or radio showing translated options gets it through
`translated`. The browser test
(tests/browser/test_language_switch_in_browser.py) shows why; this one keeps a new widget from forgetting."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

WIDGETS = {"slider", "number_input", "text_input", "text_area", "selectbox", "radio", "toggle", "checkbox",
           "date_input", "time_input", "multiselect", "select_slider", "segmented_control", "pills", "data_editor",
           "expander"}
# select boxes whose shown options are the shop's own words (product names and SKUs), the same in any language;
# the language select itself, written in each language; and the workspace select, which the sidebar sets from the
# session's workspace at every run (so the browser is sent its label, the demo's name in the new language)
NOT_NOTED = {("products.py", "basket_product"), ("products.py", "forecast_sku"), ("sidebar.py", "lang"),
             ("sidebar.py", "WORKSPACE_KEY")}


def widget_calls():
    for path in sorted((ROOT / "pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS:
                yield path, node, {k.arg: k.value for k in node.keywords}


def test_every_widget_and_section_has_a_key():
    # without one, the identity includes the translated label: after a switch a widget is new and a section closes
    unkeyed = [f"{path.name}:{node.lineno} {node.func.attr}" for path, node, kwargs in widget_calls() if "key" not in kwargs]
    assert unkeyed == []


def test_select_boxes_and_radios_with_shown_options_are_relabelled_on_a_switch():
    missing = []
    for path, node, kwargs in widget_calls():
        if node.func.attr not in ("selectbox", "radio") or "format_func" not in kwargs:
            continue
        key = kwargs["key"]
        wrapped = isinstance(key, ast.Call) and getattr(key.func, "id", None) == "translated"
        named = key.value if isinstance(key, ast.Constant) else getattr(key, "id", None)
        if not wrapped and (path.name, named) not in NOT_NOTED:
            missing.append(f"{path.name}:{node.lineno}")
    assert missing == []
