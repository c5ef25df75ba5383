"""The improvement register (the playbook's 表9): every problem worth fixing becomes an entry with an owner, a
start and a due date, the metric it should move and a PDCA status, ranked by impact x urgency.

Every write checks the whole entry first and refuses it by the field's name, so a refused entry changes
nothing; the editable table is saved all or nothing."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from core.improvements import metrics
from core.platform.i18n import Message, translate
from core.platform.transactions import transaction
from core.platform.workspace import Workspace

STATUSES = ("plan", "do", "check", "act", "done")
SOURCES = ("scorecard", "funnel", "traffic", "ab_test", "budget", "customers", "manual")
# the stored columns, in the order the register shows them (start_date/due_date are `start`/`due` in add and update)
COLUMNS = ["id", "title", "scope", "metric", "metric_detail", "impact", "urgency", "owner", "start_date", "due_date",
           "status", "key_result", "source", "created_at"]
FIELDS = ["title", "scope", "metric", "metric_detail", "impact", "urgency", "owner", "start_date", "due_date", "status",
          "key_result", "source"]  # what a user gives; id and created_at are the register's
ALIASES = {"start": "start_date", "due": "due_date", "detail": "metric_detail"}


class InvalidImprovement(Message):
    """A field of an entry ShopLens cannot keep: the message names the field as the user knows it."""


class UnknownImprovement(Message):
    """No entry has this id."""


class InvalidRow(Message):
    """A row of the edited register that cannot be saved: its number and the problem, in the reader's language."""

    def __init__(self, row: int, problem: Message):
        self.problem = problem
        super().__init__("improvements.error.in_row", row=row, problem=problem.text())

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, row=self.params["row"], problem=self.problem.text(lang))


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value) -> str | None:
    return None if _blank(value) else str(value).strip()


def _score(value, field: str) -> int:
    """A whole number 1-5 from an int, a whole float (a table's 3.0) or text ("3")."""
    try:
        number = float(str(value).strip()) if not _blank(value) else None
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 5:
        raise InvalidImprovement(f"improvements.error.{field}", value="" if _blank(value) else value)
    return int(number)


def _date(value, field: str, required: bool) -> date | None:
    if _blank(value):
        if required:
            raise InvalidImprovement(f"improvements.error.{field}", value="")
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidImprovement(f"improvements.error.{field}", value=value) from None


def clean(entry: dict) -> dict:
    """The entry as stored (FIELDS), checked field by field; raises InvalidImprovement naming the first bad one."""
    title = _text(entry.get("title"))
    if title is None:
        raise InvalidImprovement("improvements.error.title")
    name = _text(entry.get("metric"))
    if name not in metrics.METRICS:
        raise InvalidImprovement("improvements.error.metric", value=name or "", known=", ".join(metrics.METRICS))
    about = metrics.METRICS[name]
    detail = _text(entry.get("metric_detail"))
    if about.needs_detail and detail is None:
        raise InvalidImprovement(f"improvements.error.needs_{about.detail}", metric=name)
    impact, urgency = _score(entry.get("impact"), "impact"), _score(entry.get("urgency"), "urgency")
    start = _date(entry.get("start_date"), "start", required=True)
    due = _date(entry.get("due_date"), "due", required=False)
    if due is not None and due < start:
        raise InvalidImprovement("improvements.error.due_before_start", due=due, start=start)
    status = _text(entry.get("status")) or "plan"
    if status not in STATUSES:
        raise InvalidImprovement("improvements.error.status", value=status, known=", ".join(STATUSES))
    source = _text(entry.get("source")) or "manual"
    if source not in SOURCES:
        raise InvalidImprovement("improvements.error.source", value=source, known=", ".join(SOURCES))
    return {"title": title, "scope": _text(entry.get("scope")), "metric": name,
            "metric_detail": detail if about.detail else None, "impact": impact, "urgency": urgency,
            "owner": _text(entry.get("owner")), "start_date": start, "due_date": due, "status": status,
            "key_result": _text(entry.get("key_result")), "source": source}


def _insert(cur, entry_id: int, entry: dict) -> None:
    cur.execute(f"insert into improvements (id, {', '.join(FIELDS)}) values (?, {', '.join('?' for _ in FIELDS)})",
                [entry_id, *(entry[f] for f in FIELDS)])


def _next_id(cur) -> int:
    return int(cur.execute("select coalesce(max(id), 0) + 1 from improvements").fetchone()[0])


def add(workspace: Workspace, *, title: str, metric: str, impact: int, urgency: int, owner: str | None, start,
        due=None, scope: str | None = None, metric_detail: str | None = None, key_result: str | None = None,
        source: str = "manual", status: str = "plan") -> int:
    """Add one entry and return its id (the largest so far + 1)."""
    entry = clean({"title": title, "metric": metric, "impact": impact, "urgency": urgency, "owner": owner,
                   "start_date": start, "due_date": due, "scope": scope, "metric_detail": metric_detail,
                   "key_result": key_result, "source": source, "status": status})
    with transaction(workspace) as cur:
        entry_id = _next_id(cur)
        _insert(cur, entry_id, entry)
    return entry_id


def _row(cur, entry_id) -> dict:
    found = cur.execute(f"select {', '.join(COLUMNS)} from improvements where id = ?", [entry_id]).fetchone()
    if found is None:
        raise UnknownImprovement("improvements.error.unknown_id", id=entry_id)
    return dict(zip(COLUMNS, found))


def _entry_id(entry_id) -> int:
    try:
        number = float(str(entry_id).strip())
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise UnknownImprovement("improvements.error.unknown_id", id=entry_id)
    return int(number)


def update(workspace: Workspace, id, **changes) -> None:
    """Change some fields of one entry (status, due date, ... by the names `add` takes); the entry is checked
    as a whole, so a change that would make it invalid is refused and nothing is written."""
    unknown = sorted(set(changes) - set(FIELDS) - set(ALIASES))
    if unknown:
        raise InvalidImprovement("improvements.error.unknown_field", field=", ".join(unknown))
    entry_id = _entry_id(id)
    with transaction(workspace) as cur:
        current = _row(cur, entry_id)
        current.update({ALIASES.get(key, key): value for key, value in changes.items()})
        entry = clean(current)
        cur.execute(f"update improvements set {', '.join(f'{f} = ?' for f in FIELDS)} where id = ?",
                    [*(entry[f] for f in FIELDS), entry_id])


def delete(workspace: Workspace, id) -> None:
    entry_id = _entry_id(id)
    with transaction(workspace) as cur:
        _row(cur, entry_id)
        cur.execute("delete from improvements where id = ?", [entry_id])


def is_overdue(row, today: date) -> bool:
    """Past its due date and not done. `row` is a mapping or a table row with due_date and status."""
    due = _date(row["due_date"], "due", required=False)
    return due is not None and due < today and row["status"] != "done"


def entries(workspace: Workspace, today: date | None = None) -> pd.DataFrame:
    """Every entry with priority = impact x urgency and `overdue` as of `today` (default: the computer's
    date), highest priority first, then the earliest due date (none last), then the oldest id."""
    with workspace.cursor() as cur:
        table = cur.execute(
            f"select {', '.join(COLUMNS)}, impact * urgency as priority from improvements "
            "order by priority desc, due_date asc nulls last, id").fetchdf()
    for column in ("start_date", "due_date"):
        table[column] = pd.Series([None if _blank(v) else pd.Timestamp(v).date() for v in table[column]], index=table.index,
                                  dtype=object)
    for column in ("title", "scope", "metric", "metric_detail", "owner", "key_result"):  # empty is None, not NaN
        table[column] = pd.Series([_text(value) for value in table[column]], index=table.index, dtype=object)
    today = today or date.today()
    table["overdue"] = [is_overdue(row, today) for row in table.to_dict("records")]
    return table[["id", "title", "scope", "metric", "metric_detail", "impact", "urgency", "priority", "owner",
                  "start_date", "due_date", "status", "key_result", "source", "overdue", "created_at"]]


def replace_all(workspace: Workspace, table: pd.DataFrame) -> None:
    """Save the edited register as a whole: every row is checked first (a bad one is refused by its number,
    counting from 1, and nothing is written); rows without an id are new and get the next ids; a row
    left fully empty (the editor's spare line) is dropped; an id used twice is refused."""
    rows, seen = [], set()
    for number, record in enumerate(table.to_dict("records"), start=1):
        record = {ALIASES.get(key, key): value for key, value in record.items()}
        if all(_blank(record.get(f)) for f in ("id", *FIELDS)):
            continue
        try:
            entry_id = None if _blank(record.get("id")) else _entry_id(record["id"])
            if entry_id is not None and entry_id in seen:
                raise InvalidImprovement("improvements.error.duplicate_id", id=entry_id)
            entry = clean(record)
        except Message as problem:
            raise InvalidRow(number, problem) from None
        seen.add(entry_id)
        rows.append((entry_id, entry))
    with transaction(workspace) as cur:
        created = dict(cur.execute("select id, created_at from improvements").fetchall())
        next_id = max([*(i for i, _ in rows if i is not None), *created, 0]) + 1
        cur.execute("delete from improvements")
        for entry_id, entry in rows:
            if entry_id is None:
                entry_id, next_id = next_id, next_id + 1
            _insert(cur, entry_id, entry)
            if entry_id in created:  # an entry kept keeps the day it was first written
                cur.execute("update improvements set created_at = ? where id = ?", [created[entry_id], entry_id])


def demo_entries() -> list[dict]:
    """The demo shop's register: its known problems as entries (the keywords `add` takes), started on days
    inside the demo's data (2025-11-01 .. 2026-10-31) so before and after show numbers."""
    return [
        {"title": "Product detail pages lose more visitors: bounce climbing since September", "scope": "product_detail",
         "metric": "bounce_rate", "metric_detail": None, "impact": 4, "urgency": 5, "owner": "Web team",
         "start": date(2026, 10, 1), "due": date(2026, 10, 31), "status": "check",
         "key_result": "Bounce rate back under 55%", "source": "traffic"},
        {"title": "Roll out checkout button colour B (won its A/B test)", "scope": "checkout",
         "metric": "conversion_rate", "metric_detail": None, "impact": 3, "urgency": 4, "owner": "Product",
         "start": date(2026, 9, 22), "due": date(2026, 10, 15), "status": "act",
         "key_result": "Conversion rate up 0.5 points", "source": "ab_test"},
        {"title": "Social ads return less than they cost (ROI below 1 since August)", "scope": "social",
         "metric": "channel_roi", "metric_detail": "social", "impact": 4, "urgency": 3, "owner": "Marketing",
         "start": date(2026, 8, 1), "due": date(2026, 9, 30), "status": "do",
         "key_result": "Social ROI back above 1.5", "source": "budget"},
        {"title": "feed_ads visitors fell ~38% on 12-15 October", "scope": "feed_ads", "metric": "uv",
         "metric_detail": "feed_ads", "impact": 3, "urgency": 5, "owner": "Marketing",
         "start": date(2026, 10, 16), "due": date(2026, 10, 20), "status": "done",
         "key_result": "feed_ads visitors back to their usual level", "source": "traffic"},
    ]
