"""The shop report: what a stakeholder asks first, from every family's service, as one HTML file.

It follows the reader's language, shows amounts in the shop's currency, says what it leaves out for
want of data, and draws its charts on a thread of its own (core/report/render.py), so a download from
the app and `python -m core report` give the same file."""

from __future__ import annotations

from datetime import date

from core.budget import service as budget
from core.customers import service as customers
from core.data import service as data
from core.diagnosis import service as diagnosis
from core.improvements import service as improvements
from core.platform.i18n import translate
from core.platform.workspace import Workspace
from core.products import service as products
from core.report import html, sections
from core.sales import service as sales

LANGS = ("en", "zh")


def shop_report(workspace: Workspace, start: date | None = None, end: date | None = None, lang: str = "en",
                shop: str | None = None) -> str:
    """The report for start..end (default: the last 30 days of the data) against the period before."""
    def t(key: str, **params) -> str:
        return translate(key, lang, **params)

    held = {entry["name"]: entry["rows"] for entry in data.summary(workspace)}
    start, end = diagnosis.date_range(workspace).period(start, end)
    result = diagnosis.diagnose(workspace, start, end)
    name = shop or workspace.display_name
    body = [html.heading(t("report.title", shop=name), 1), html.paragraph(t("report.period", start=sections.day(start, t), end=sections.day(end, t)), "muted")]
    if held.get("orders"):
        body += sections.sales(sales.overview(workspace, start, end),
                               sales.sales(workspace, sales.suggested_grain(start, end), start, end), t, lang)
    body += sections.kpis(result, t, lang)
    body += sections.health(result, t, lang)
    body += sections.funnel(result, t, lang)
    body += sections.traffic(result, t, lang)
    if held.get("orders"):
        body += sections.cohorts(sales.cohorts(workspace), t, lang)
        as_of = customers.default_as_of(workspace)
        if as_of is not None:
            body += sections.tiers(customers.tiers(workspace, as_of), t)
        body += sections.products(products.cross_sell(workspace), products.restock(workspace), t)
    register = improvements.entries(workspace, end)
    body += sections.improvements(improvements.judged(register, improvements.compare_all(
        workspace, improvements.measured(register))), t)
    if held.get("marketing_spend"):
        body += sections.budget(budget.overview(workspace), t, result.currency)
    body += sections.missing(t, [d for d in ("traffic_daily", "funnel_stages", "marketing_spend", "inventory") if not held.get(d)])
    return html.page(t("report.title", shop=name), lang, body)
