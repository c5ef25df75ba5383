"""The improvement register: ids, priority order, overdue, refusals that change nothing, the editable table."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.improvements import register
from core.platform.i18n import Message
from tests.conftest import table


@pytest.fixture
def ws(workspace):
    return workspace.create()


def _add(ws, **changes) -> int:
    entry = {"title": "Checkout loses half its users", "metric": "conversion_rate", "impact": 3, "urgency": 3,
             "owner": "Li", "start": date(2026, 3, 1)} | changes
    return register.add(ws, **entry)


def test_ids_count_up_and_the_register_is_sorted_by_priority_then_due(ws):
    low = _add(ws, impact=2, urgency=2)  # priority 4
    high_late = _add(ws, impact=4, urgency=5, due=date(2026, 6, 1))  # 20
    high_soon = _add(ws, impact=5, urgency=4, due=date(2026, 4, 1))  # 20, due sooner
    high_undated = _add(ws, impact=5, urgency=4)  # 20, no due date: after the dated ones
    assert (low, high_late, high_soon, high_undated) == (1, 2, 3, 4)
    found = register.entries(ws, today=date(2026, 5, 1))
    assert found["id"].tolist() == [3, 2, 4, 1]
    assert found["priority"].tolist() == [20, 20, 20, 4]
    # due 1 April, not done, looked at on 1 May: overdue; due 1 June: not yet
    assert found["overdue"].tolist() == [True, False, False, False]


def test_a_done_entry_is_never_overdue():
    assert register.is_overdue({"due_date": date(2026, 4, 1), "status": "do"}, date(2026, 4, 2))
    assert not register.is_overdue({"due_date": date(2026, 4, 1), "status": "done"}, date(2026, 4, 2))
    assert not register.is_overdue({"due_date": date(2026, 4, 1), "status": "do"}, date(2026, 4, 1))  # due today


@pytest.mark.parametrize(("changes", "key"), [
    ({"impact": 6}, "improvements.error.impact"),
    ({"urgency": 2.5}, "improvements.error.urgency"),
    ({"metric": "happiness"}, "improvements.error.metric"),
    ({"status": "finished"}, "improvements.error.status"),
    ({"start": "March"}, "improvements.error.start"),
    ({"due": date(2026, 2, 1)}, "improvements.error.due_before_start"),
    ({"title": "  "}, "improvements.error.title"),
    ({"metric": "funnel_loss_rate"}, "improvements.error.needs_stage"),
])
def test_bad_input_is_refused_by_field_and_changes_nothing(ws, changes, key):
    with pytest.raises(register.InvalidImprovement) as refused:
        _add(ws, **changes)
    assert refused.value.key == key
    assert table(ws, "select count(*) from improvements") == [(0,)]


def test_text_from_a_form_is_read_as_numbers_and_dates(ws):
    entry_id = _add(ws, impact="4", urgency=5.0, start="2026-03-01", due="2026-03-31", metric="funnel_loss_rate",
                    metric_detail=" checkout ")
    row = register.entries(ws).iloc[0]
    assert (entry_id, row["impact"], row["urgency"], row["priority"]) == (1, 4, 5, 20)
    assert (row["start_date"], row["due_date"], row["metric_detail"]) == (date(2026, 3, 1), date(2026, 3, 31), "checkout")
    assert row["scope"] is None and row["key_result"] is None  # empty text is None, not NaN


def test_update_checks_the_whole_entry(ws):
    entry_id = _add(ws, due=date(2026, 3, 20))
    register.update(ws, entry_id, status="check", owner="Wang")
    row = register.entries(ws).iloc[0]
    assert (row["status"], row["owner"]) == ("check", "Wang")
    # moving the start past the due date would make the entry invalid: refused, nothing written
    with pytest.raises(register.InvalidImprovement):
        register.update(ws, entry_id, start=date(2026, 4, 1), status="done")
    assert table(ws, "select status, start_date from improvements") == [("check", date(2026, 3, 1))]
    with pytest.raises(register.UnknownImprovement):
        register.update(ws, 99, status="done")
    with pytest.raises(register.InvalidImprovement):
        register.update(ws, entry_id, colour="red")


def test_delete(ws):
    keep, gone = _add(ws), _add(ws)
    register.delete(ws, gone)
    assert register.entries(ws)["id"].tolist() == [keep]
    with pytest.raises(register.UnknownImprovement):
        register.delete(ws, gone)


def test_replace_all_saves_the_edited_table_all_or_nothing(ws):
    first, second = _add(ws, title="one"), _add(ws, title="two")
    edited = register.entries(ws)
    edited.loc[edited["id"] == second, "status"] = "do"
    new_row = {"id": None, "title": "three", "metric": "aov", "impact": 2.0, "urgency": 1.0, "owner": None,
               "start_date": pd.Timestamp("2026-03-05"), "due_date": pd.NaT, "status": None}
    spare = dict.fromkeys(edited.columns)  # the editor's empty last line
    saved = pd.concat([edited[edited["id"] != first], pd.DataFrame([new_row, spare])], ignore_index=True)
    register.replace_all(ws, saved)
    after = register.entries(ws)
    # 'one' removed, 'two' now in progress, 'three' new with the next id (3) and the default status
    assert sorted(zip(after["id"], after["title"], after["status"])) == [(2, "two", "do"), (3, "three", "plan")]
    # a bad impact in row 2 refuses the whole table, naming the row
    broken = after.copy()
    broken.loc[1, "impact"] = 9
    broken.loc[0, "title"] = "renamed"
    with pytest.raises(register.InvalidRow) as refused:
        register.replace_all(ws, broken)
    assert refused.value.params["row"] == 2 and refused.value.problem.key == "improvements.error.impact"
    assert "Row 2" in str(refused.value) and "第 2 行" in refused.value.text("zh")
    assert sorted(register.entries(ws)["title"]) == ["three", "two"]


def test_an_id_used_twice_is_refused(ws):
    _add(ws)
    twice = pd.concat([register.entries(ws)] * 2, ignore_index=True)
    with pytest.raises(register.InvalidRow) as refused:
        register.replace_all(ws, twice)
    assert refused.value.problem.key == "improvements.error.duplicate_id"


def test_the_demo_refuses_writes(ws):
    with ws.cursor() as cur:
        cur.execute("insert or replace into workspace_meta values ('is_demo', 'true')")
    with pytest.raises(Message):
        _add(ws)


def test_demo_entries_are_valid_and_start_inside_the_demo_data():
    for entry in register.demo_entries():
        cleaned = register.clean({register.ALIASES.get(k, k): v for k, v in entry.items()})
        assert date(2025, 11, 1) < cleaned["start_date"] <= date(2026, 10, 31)
