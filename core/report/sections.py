"""One function per part of the report, each from one family's service result, in the reader's language.

A part whose data the workspace does not hold is left out with a line saying what would add it."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from core.charts import diagnosis as diagnosis_charts
from core.charts import sales as sales_charts
from core.diagnosis import service as diagnosis
from core.platform.money import money
from core.report import html
from core.report.render import svg
from core.sales import service as sales_service

Translate = Callable[..., str]


REORDER_ROWS = 20  # the report lists the largest orders to place; the page and its download hold them all
REGISTER_ROWS = 15  # the register's highest priorities


def day(value, t: Translate) -> str:
    """A date the reader's way: 2024-05-01, in Chinese 2024/05/01, as on the pages."""
    return value.strftime(t("date.format"))


def _percent(value, digits: int = 1) -> str:
    return html.MISSING if value is None or pd.isna(value) else f"{value:.{digits}%}"


def _count(value) -> str:
    return html.MISSING if value is None or pd.isna(value) else f"{value:,.0f}"


def kpis(result, t: Translate, lang: str) -> list[str]:
    """The KPI tiles with their changes (or why a figure is missing) and the GMV bridge."""
    items = [(t(f"kpi.{c.kpi}"), diagnosis.shown_value(c, result.currency),
              t(c.missing) if c.missing else diagnosis.shown_change(c, lang)) for c in result.changes]
    parts = [html.heading(t("diagnosis.kpis")), html.tiles(items),
             html.paragraph(t("kpi.compared", start=day(result.before.start, t), end=day(result.before.end, t)), "muted")]
    if result.gmv_bridge:
        parts += [svg(diagnosis_charts.gmv_waterfall(result.before.gmv, result.gmv_bridge, result.current.gmv, lang,
                                                     result.currency)),
                  html.paragraph(t("kpi.bridge_help"), "muted")]
    else:
        parts.append(html.paragraph(t(result.bridge_missing)))
    return parts


def health(result, t: Translate, lang: str) -> list[str]:
    """The scorecard with its coverage, what would complete it, and the problems to fix."""
    card = result.card
    total = html.MISSING if card.total is None else f"{card.total:.2f}"
    parts = [html.heading(t("diagnosis.health")), f'<p class="total">{html.text(t("diagnosis.total", total=total))}</p>',
             html.paragraph(t("health.coverage", scored=len(card.scored), metrics=len(card.weighed),
                                share=f"{card.coverage:.0%}"))]
    if card.total is None and card.scored:
        parts.append(html.paragraph(t("health.no_total", floor=f"{result.coverage_floor:.0%}"), "muted"))
    if card.scored:
        parts += [svg(diagnosis_charts.radar(card.dimension_scores(), lang)), html.table(
            [t("col.metric"), t("col.dimension"), t("col.value"), t("col.score"), t("col.weight"), t("col.evidence")],
            [[t(f"health.metric.{r.metric}"), t(f"health.dimension.{r.dimension}"), diagnosis.format_value(r.unit, r.value),
              r.score, f"{r.effective_weight if card.total is not None else r.weight:.0%}",
              t(r.evidence.detail, **r.evidence.params)] for r in card.scored],
            {i for i, r in enumerate(card.scored) if r.score < 3})]
    needed = card.to_complete()
    if needed:
        separator = t("diagnosis.list_separator")
        parts += [html.paragraph(t("health.complete"))] + [
            html.paragraph("• " + t(f"health.complete.{data}", metrics=separator.join(t(f"health.metric.{m}") for m in metrics)))
            for data, metrics in needed]
    parts.append(html.heading(t("diagnosis.problems"), 3))
    parts.append(html.table([t("col.priority"), t("col.metric"), t("col.cause"), t("col.action")],
                            [[p.priority, t(f"health.metric.{p.metric}"), t(p.cause), t(p.action)] for p in result.problems])
                 if result.problems else html.paragraph(t("diagnosis.no_problems")))
    return parts


def funnel(result, t: Translate, lang: str) -> list[str]:
    table = result.funnel
    if table.empty:
        return []
    return [html.heading(t("diagnosis.funnel")), svg(diagnosis_charts.funnel(table, result.leak_threshold, lang)),
            html.table([t("col.stage"), t("col.entered"), t("col.lost"), t("col.loss_rate"), t("col.cause")],
                       [[r.stage, _count(r.entered), _count(r.lost), _percent(r.loss_rate),
                         t(r.cause) if isinstance(r.cause, str) else ""] for r in table.itertuples()],
                       set(table.index[table["flagged"]]))]


def traffic(result, t: Translate, lang: str) -> list[str]:
    if result.daily_by_channel.empty:
        return []
    bounce, rate = f"{result.bounce_threshold:.0%}", diagnosis.RATE_ANOMALIES
    rows = [[day(r.date, t), t("anomaly.all_channels") if r.channel == diagnosis.WHOLE_DAY else r.channel,
             t(f"anomaly.{r.metric}", threshold=bounce),
             _percent(r.value) if r.metric in rate else _count(r.value),
             _percent(r.baseline, 0) if r.metric in rate else _count(r.baseline)]
            for r in result.anomalies.itertuples()]
    return [html.heading(t("diagnosis.traffic")),
            svg(diagnosis_charts.traffic(result.daily_by_channel, result.anomalies, result.uv_drop_threshold, lang)),
            svg(diagnosis_charts.bounce(result.daily_totals, result.bounce_threshold, lang)),
            html.paragraph(t("diagnosis.act_within")),
            html.table([t("col.date"), t("col.channel"), t("col.metric"), t("col.value"), t("col.baseline")], rows)
            if rows else html.paragraph(t("diagnosis.no_anomalies"))]


def tiers(view, t: Translate) -> list[str]:
    """How many customers sit in each tier, beside the playbook's reference shares."""
    shares = view.shares
    return [html.heading(t("tiers.shares")),
            html.table([t("col.tier"), t("col.customers"), t("col.share"), t("col.reference_share")],
                       [[t(f"rfm.tier.{r.tier.lower()}"), _count(r.customers), _percent(r.share), _percent(r.reference_share, 0)]
                        for r in shares.itertuples()])]


def budget(overview, t: Translate, currency: str | None) -> list[str]:
    """Each channel's latest month: spend, revenue, ROI and the suggested action."""
    latest = overview.latest
    return [html.heading(t("budget.title")),
            html.table([t("col.channel"), t("budget.col.spend"), t("budget.col.revenue"), t("budget.col.roi"), t("budget.col.action")],
                       [[r.channel, money(r.spend, currency), money(r.attributed_revenue, currency),
                         html.MISSING if pd.isna(r.roi) else f"{r.roi:.2f}", t(r.action)] for r in latest.itertuples()]),
            html.paragraph(t("budget.latest_month", month=overview.latest_month), "muted")]


def products(together, restock, t: Translate) -> list[str]:
    """What sells together (the cross-sell to offer) and, with stock figures, the largest orders to place now."""
    parts = [html.heading(t("products.title")), html.heading(t("tiers.cross_sell_title"), 3)]
    if together.missing:
        parts.append(html.paragraph(t(together.missing, **together.missing_params), "muted"))
    elif not together.suggestions:
        parts.append(html.paragraph(t("tiers.cross_sell_none"), "muted"))
    else:
        parts.append(html.table([t("tiers.cross_sell_product"), t("tiers.cross_sell_partner"), t("tiers.cross_sell_share")],
                                [[s.product_name, s.partner_name, f"{s.confidence:.0%}"] for s in together.suggestions]))
    parts.append(html.heading(t("products.restock_title"), 3))
    if restock.missing:
        return parts + [html.paragraph(t(restock.missing), "muted")]
    counts = restock.counts()
    parts.append(html.tiles([(t(f"products.status.{status}"), _count(count), None) for status, count in counts.items()]))
    rows = restock.plan[restock.plan["suggested_order"] > 0].head(REORDER_ROWS)
    if rows.empty:
        return parts
    return parts + [html.table(
        [t("products.col.product_name"), t("products.col.sku"), t("products.col.on_hand"), t("products.col.days_of_cover"),
         t("products.col.suggested_order")],
        [[r.product_name if isinstance(r.product_name, str) else r.sku, r.sku, _count(r.on_hand), _count(r.days_of_cover),
          _count(r.suggested_order)] for r in rows.itertuples()])]


def improvements(judged: pd.DataFrame, t: Translate) -> list[str]:
    """The improvement register by priority: each entry's status and whether its metric moved; overdue rows
    marked."""
    if judged.empty:
        return []
    rows = judged.head(REGISTER_ROWS)
    overdue = {i for i, late in enumerate(rows["overdue"]) if late}
    return [html.heading(t("improvements.register_title")),
            html.table([t("improvements.col.priority"), t("improvements.col.title"), t("improvements.col.metric"),
                        t("improvements.col.status"), t("improvements.col.due_date"), t("improvements.col.change"),
                        t("improvements.col.overdue")],
                       [[r.priority, r.title, t(f"improvements.metric.{r.metric}"), t(f"improvements.status.{r.status}"),
                         html.MISSING if pd.isna(r.due_date) else day(pd.Timestamp(r.due_date).date(), t),
                         html.MISSING if pd.isna(r.change) else f"{r.change:+.1%}",
                         t("improvements.yes") if r.overdue else ""] for r in rows.itertuples()], overdue)]


def missing(t: Translate, datasets: list[str]) -> list[str]:
    """What the report leaves out for want of data, and which upload would add it."""
    if not datasets:
        return []
    names = t("diagnosis.list_separator").join(t(f"dataset.{d}") for d in datasets)
    return [html.paragraph(t("report.left_out", datasets=names), "muted")]


def sales(overview, over_time, t: Translate, lang: str) -> list[str]:
    """The period's sales figures against the period before, sales over time, new against returning, top sellers."""
    items = [(t(f"sales.figure.{f.key}"), sales_service.shown_value(f, overview.currency),
              t(f.missing) if f.missing else sales_service.shown_change(f, lang)) for f in overview.figures]
    parts = [html.heading(t("sales.title")), html.tiles(items),
             html.paragraph(t("sales.compared", start=day(overview.previous_start, t), end=day(overview.previous_end, t)), "muted")]
    if not overview.has_orders:
        return parts + [html.paragraph(t("sales.no_orders_in_period"))]
    parts += [html.heading(t("sales.over_time"), 3),
              svg(sales_charts.sales_over_time(over_time.periods, over_time.by, over_time.currency, lang)),
              svg(sales_charts.new_and_returning(over_time.periods, over_time.by, lang)),
              html.paragraph(t("sales.new_returning_help"), "muted"), html.heading(t("sales.top_products"), 3)]
    if overview.products_missing:
        return parts + [html.paragraph(t(overview.products_missing))]
    products = overview.top_products
    growth = [t("sales.new_seller") if pd.isna(g) else f"{g:+.1%}" for g in products["sales_growth"]]
    return parts + [html.table(
        [t("sales.col.product"), t("sales.col.sku"), t("sales.col.units"), t("sales.col.sales"), t("sales.col.growth")],
        [[r.product_name, r.sku, _count(r.units), money(r.sales, overview.currency), g]
         for r, g in zip(products.itertuples(), growth)])]


def cohorts(found, t: Translate, lang: str) -> list[str]:
    """Retention by the month customers first ordered, the lifetime-value curve and repeat purchase."""
    if not found.cohorts:
        return []
    repeat = found.repeat
    median = repeat.median_days_to_second_order
    return [html.heading(t("sales.cohorts")),
            html.tiles([(t("sales.repeat_rate"), _percent(repeat.repeat_rate), None),
                        (t("sales.median_days_to_second"), html.MISSING if median is None else f"{median:,.0f}",
                         t("sales.missing.no_second_orders") if median is None else None),
                        (t("sales.repeat_customers"), f"{repeat.repeat_customers:,} / {repeat.customers:,}", None)]),
            svg(sales_charts.retention_heatmap(found.grid, lang)), html.paragraph(t("sales.retention_help"), "muted"),
            svg(sales_charts.lifetime_value(found.grid, found.currency, lang)),
            html.paragraph(t("sales.lifetime_value_help"), "muted")]
