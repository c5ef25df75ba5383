"""A self-contained HTML diagnosis report: scores, problems, funnel, anomalies and charts as inline
SVG, so it opens anywhere with no network. Every value from the data is HTML-escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from core.charts import diagnosis as charts
from core.platform.i18n import translate

if TYPE_CHECKING:  # the service builds the report, so the report may not import it at run time
    from core.diagnosis.service import Diagnosis

STYLE = """
body{font-family:-apple-system,Segoe UI,Roboto,"Noto Sans SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1000px;color:#111827}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left}
th{background:#f9fafb}.bad{color:#dc2626;font-weight:600}.muted{color:#6b7280}.total{font-size:2rem;font-weight:700}
"""


def svg(chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_json())


def _table(headers: list[str], rows: list[list], bad_rows: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    bad = ' class="bad"'
    body = "".join(
        f"<tr{bad if i in bad_rows else ''}>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def format_value(metric_unit: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if metric_unit == "rate" else f"{value:,.2f}"


def build_html(shop: str, result: Diagnosis, lang: str = "en") -> str:
    t = lambda key, **params: translate(key, lang, **params)  # noqa: E731
    card = result.card
    parts = [
        f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(t('report.title', shop=shop))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(t('report.title', shop=shop))}</h1>",
        f"<p class=\"muted\">{escape(t('report.period', start=result.start, end=result.end))}</p>",
        f"<h2>{escape(t('diagnosis.health'))}</h2>",
        f"<p class=\"total\">{escape(t('diagnosis.total', total=f'{card.total:.2f}' if card.total is not None else '–'))}</p>",
        svg(charts.radar(card.dimension_scores(), lang)),
        _table(
            [t("col.metric"), t("col.dimension"), t("col.value"), t("col.score"), t("col.weight"), t("col.evidence")],
            [[t(f"health.metric.{r.metric}"), t(f"health.dimension.{r.dimension}"), format_value(r.unit, r.value),
              r.score if r.score is not None else "–",
              f"{r.effective_weight:.0%}" if r.score is not None else t("health.left_out"),
              t(r.evidence.detail, **r.evidence.params)] for r in card.rows],
            {i for i, r in enumerate(card.rows) if r.score is not None and r.score < 3},
        ),
        f"<h2>{escape(t('diagnosis.problems'))}</h2>",
        _table([t("col.priority"), t("col.metric"), t("col.cause"), t("col.action")],
               [[p.priority, t(f"health.metric.{p.metric}"), t(p.cause), t(p.action)] for p in result.problems])
        if result.problems else f"<p>{escape(t('diagnosis.no_problems'))}</p>",
    ]
    if not result.funnel.empty:
        parts += [
            f"<h2>{escape(t('diagnosis.funnel'))}</h2>",
            svg(charts.funnel(result.funnel, result.leak_threshold, lang)),
            _table([t("col.stage"), t("col.entered"), t("col.lost"), t("col.loss_rate"), t("col.cause")],
                   [[r.stage, f"{r.entered:,.0f}", "" if pd.isna(r.lost) else f"{r.lost:,.0f}",
                     "" if pd.isna(r.loss_rate) else f"{r.loss_rate:.1%}", t(r.cause) if r.cause else ""]
                    for r in result.funnel.itertuples()],
                   set(result.funnel.index[result.funnel["flagged"]])),
        ]
    if not result.daily_by_channel.empty:
        parts += [
            f"<h2>{escape(t('diagnosis.traffic'))}</h2>",
            svg(charts.traffic(result.daily_by_channel, result.anomalies, result.uv_drop_threshold, lang)),
            svg(charts.bounce(result.daily_totals, result.bounce_threshold, lang)),
            f"<p>{escape(t('diagnosis.act_within'))}</p>",
            _table([t("col.date"), t("col.channel"), t("col.metric"), t("col.value"), t("col.baseline")],
                   [[str(r.date)[:10], r.channel, t(f"anomaly.{r.metric}", threshold=f"{result.bounce_threshold:.0%}"),
                     f"{r.value:.1%}" if r.metric == "high_bounce" else f"{r.value:,.0f}",
                     f"{r.baseline:.0%}" if r.metric == "high_bounce" else f"{r.baseline:,.0f}"]
                    for r in result.anomalies.itertuples()])
            if not result.anomalies.empty else f"<p>{escape(t('diagnosis.no_anomalies'))}</p>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)
