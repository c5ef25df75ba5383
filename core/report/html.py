"""The report's building blocks: escaped text, tables whose empty cells read "–", sections."""

from __future__ import annotations

import math
from html import escape

STYLE = """
body{font-family:-apple-system,Segoe UI,Roboto,"Noto Sans SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1000px;color:#111827;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left}
th{background:#f9fafb}.bad{color:#dc2626;font-weight:600}.muted{color:#6b7280}.total{font-size:2rem;font-weight:700}
.tiles{display:flex;flex-wrap:wrap;gap:1rem}.tile{border:1px solid #e5e7eb;border-radius:.5rem;padding:.6rem .9rem;min-width:9rem}
.tile .label{color:#6b7280;font-size:.85rem}.tile .value{font-size:1.5rem;font-weight:600}.tile .change{font-size:.85rem}
"""
MISSING = "–"


def cell(value) -> str:
    """A table cell's text: "–" for a value that is not there (None, NaN), never "None" or "nan"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return MISSING
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def text(value) -> str:
    return escape(cell(value))


def paragraph(value, css: str | None = None) -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{text(value)}</p>"


def heading(value, level: int = 2) -> str:
    return f"<h{level}>{text(value)}</h{level}>"


def table(headers: list[str], rows: list[list], bad_rows: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{text(h)}</th>" for h in headers)
    bad = ' class="bad"'
    body = "".join(
        f"<tr{bad if i in bad_rows else ''}>" + "".join(f"<td>{text(v)}</td>" for v in row) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def tiles(items: list[tuple[str, str, str | None]]) -> str:
    """KPI tiles: (label, value, change or a reason)."""
    parts = []
    for label, value, note in items:
        parts.append(f'<div class="tile"><div class="label">{text(label)}</div><div class="value">{text(value)}</div>'
                     + (f'<div class="change">{text(note)}</div>' if note else "") + "</div>")
    return '<div class="tiles">' + "".join(parts) + "</div>"


def page(title: str, lang: str, body: list[str]) -> str:
    language = "zh-CN" if lang == "zh" else "en"
    return "\n".join([
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">',
        f"<title>{text(title)}</title><style>{STYLE}</style></head><body>", *body, "</body></html>",
    ])
