"""Chart builders: each takes plain results and returns an Altair chart, so pages and the report share them."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.platform.i18n import translate

LEAK_COLOR, OK_COLOR, ANOMALY_COLOR = "#dc2626", "#2563eb", "#dc2626"


def radar(dimension_scores: dict[str, float | None], lang: str = "en") -> alt.LayerChart:
    """Score per dimension on a 1-5 spider web (Altair has no polar line, so points are placed by hand)."""
    names = list(dimension_scores)
    angle = {name: 2 * math.pi * i / len(names) for i, name in enumerate(names)}

    def point(name, radius):
        return radius * math.sin(angle[name]), radius * math.cos(angle[name])

    rings = pd.DataFrame(
        [{"ring": r, "order": i, "x": point(n, r)[0], "y": point(n, r)[1]}
         for r in range(1, 6) for i, n in enumerate(names + names[:1])]
    )
    scored = [(n, s) for n, s in dimension_scores.items() if s is not None]
    shape = pd.DataFrame(
        [{"order": i, "dimension": translate(f"health.dimension.{n}", lang), "score": round(s, 2),
          "x": point(n, s)[0], "y": point(n, s)[1]} for i, (n, s) in enumerate(scored + scored[:1])]
    )
    labels = pd.DataFrame(
        [{"label": translate(f"health.dimension.{n}", lang), "x": point(n, 5.8)[0], "y": point(n, 5.8)[1]} for n in names]
    )
    scale = alt.Scale(domain=[-6.5, 6.5])
    axis = None
    grid = alt.Chart(rings).mark_line(color="#d1d5db", strokeWidth=1).encode(
        x=alt.X("x:Q", scale=scale, axis=axis), y=alt.Y("y:Q", scale=scale, axis=axis), detail="ring:N", order="order:Q")
    area = alt.Chart(shape).mark_line(point=True, color=OK_COLOR, strokeWidth=2, fill=OK_COLOR, fillOpacity=0.2).encode(
        x=alt.X("x:Q", scale=scale, axis=axis), y=alt.Y("y:Q", scale=scale, axis=axis), order="order:Q",
        tooltip=[alt.Tooltip("dimension:N", title=translate("chart.dimension", lang)), alt.Tooltip("score:Q", title=translate("chart.score", lang))])
    text = alt.Chart(labels).mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("x:Q", scale=scale, axis=axis), y=alt.Y("y:Q", scale=scale, axis=axis), text="label:N")
    return (grid + area + text).properties(width=360, height=360, title=translate("chart.radar_title", lang))


def funnel(stages: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Users per stage as bars, leaking stages in red, with each stage's loss rate beside it."""
    data = stages.assign(
        label=[f"{r:.0%}" if pd.notna(r) else "" for r in stages["loss_rate"]],
        status=[translate("chart.leak" if f else "chart.ok", lang) for f in stages["flagged"]],
    )
    order = list(data["stage"])
    base = alt.Chart(data).encode(y=alt.Y("stage:N", sort=order, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("entered:Q", title=translate("chart.users", lang)),
        color=alt.Color("status:N", scale=alt.Scale(domain=[translate("chart.ok", lang), translate("chart.leak", lang)],
                                                     range=[OK_COLOR, LEAK_COLOR]), title=None),
        tooltip=["stage:N", "entered:Q", "lost:Q", alt.Tooltip("loss_rate:Q", format=".1%"), alt.Tooltip("conversion_from_top:Q", format=".1%")],
    )
    text = base.mark_text(align="left", dx=4).encode(x="entered:Q", text="label:N")
    return (bars + text).properties(height=40 * len(data) + 20, title=translate("chart.funnel_title", lang))


def funnel_split(segments: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Loss rate per stage for each segment side by side (device or channel)."""
    data = segments.dropna(subset=["loss_rate"])
    order = list(dict.fromkeys(data.sort_values("step")["stage"]))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("stage:N", sort=order, title=None),
        xOffset="segment:N",
        y=alt.Y("loss_rate:Q", axis=alt.Axis(format="%"), title=translate("chart.loss_rate", lang)),
        color=alt.Color("segment:N", title=translate("chart.segment", lang)),
        tooltip=["segment:N", "stage:N", alt.Tooltip("loss_rate:Q", format=".1%")],
    ).properties(height=260, title=translate("chart.funnel_split_title", lang))


def gmv_waterfall(before: float, parts: list[tuple[str, float]], after: float, lang: str = "en") -> alt.LayerChart:
    """From last period's GMV to this period's, one bar per factor's contribution."""
    rows, running = [], before
    rows.append({"step": translate("kpi.previous_gmv", lang), "start": 0.0, "end": before, "kind": "total", "amount": before})
    for factor, amount in parts:
        rows.append({"step": translate(f"kpi.factor.{factor}", lang), "start": running, "end": running + amount,
                     "kind": "up" if amount >= 0 else "down", "amount": amount})
        running += amount
    rows.append({"step": translate("kpi.current_gmv", lang), "start": 0.0, "end": after, "kind": "total", "amount": after})
    data = pd.DataFrame(rows)
    order = list(data["step"])
    base = alt.Chart(data).encode(x=alt.X("step:N", sort=order, title=None))
    bars = base.mark_bar(size=48).encode(
        y=alt.Y("start:Q", title="GMV"), y2="end:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["total", "up", "down"], range=["#6b7280", "#16a34a", LEAK_COLOR]), legend=None),
        tooltip=["step:N", alt.Tooltip("amount:Q", format=",.0f")],
    )
    text = base.mark_text(dy=-8).encode(y="end:Q", text=alt.Text("amount:Q", format=",.0f"))
    return (bars + text).properties(height=300, title=translate("chart.waterfall_title", lang))


def traffic(daily: pd.DataFrame, flagged: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Daily UV per source, with the days flagged as drops marked."""
    lines = alt.Chart(daily).mark_line().encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("uv:Q", title=translate("chart.uv", lang)),
        color=alt.Color("channel:N", title=translate("chart.channel", lang)),
        tooltip=["date:T", "channel:N", "uv:Q", alt.Tooltip("share_of_uv:Q", format=".1%")],
    )
    drops = flagged[flagged["metric"] == "uv_drop"]
    points = alt.Chart(drops).mark_point(color=ANOMALY_COLOR, size=120, filled=True, shape="triangle-down").encode(
        x="date:T", y="value:Q",
        tooltip=["date:T", "channel:N", alt.Tooltip("value:Q", format=",.0f"), alt.Tooltip("baseline:Q", format=",.0f"),
                 alt.Tooltip("change:Q", format=".0%")],
    )
    return (lines + points).properties(height=300, title=translate("chart.traffic_title", lang))


def bounce(daily_totals: pd.DataFrame, threshold: float, lang: str = "en") -> alt.LayerChart:
    """Daily bounce rate across sources against the 70% line; days above it marked."""
    line = alt.Chart(daily_totals).mark_line(color=OK_COLOR).encode(
        x=alt.X("date:T", title=None), y=alt.Y("bounce_rate:Q", axis=alt.Axis(format="%"), title=translate("chart.bounce_rate", lang)),
        tooltip=["date:T", alt.Tooltip("bounce_rate:Q", format=".1%")],
    )
    rule = alt.Chart(pd.DataFrame({"y": [threshold]})).mark_rule(color=LEAK_COLOR, strokeDash=[4, 4]).encode(y="y:Q")
    high = alt.Chart(daily_totals[daily_totals["bounce_rate"] > threshold]).mark_point(color=ANOMALY_COLOR, filled=True, size=80).encode(
        x="date:T", y="bounce_rate:Q")
    return (line + rule + high).properties(height=220, title=translate("chart.bounce_title", lang))


def variant_rates(rates: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Conversion rate per variant with its interval (columns variant, rate, low, high)."""
    base = alt.Chart(rates).encode(y=alt.Y("variant:N", title=translate("chart.variant", lang)))
    x = alt.X("low:Q", axis=alt.Axis(format=".1%"), title=translate("chart.conversion_rate", lang), scale=alt.Scale(zero=False))
    whiskers = base.mark_rule(color=OK_COLOR, strokeWidth=3).encode(x=x, x2="high:Q")
    dots = base.mark_point(color="#111827", filled=True, size=90).encode(
        x="rate:Q",
        tooltip=["variant:N", alt.Tooltip("rate:Q", format=".2%"), alt.Tooltip("low:Q", format=".2%"), alt.Tooltip("high:Q", format=".2%")])
    return (whiskers + dots).properties(height=45 * len(rates) + 40, title=translate("chart.rates_title", lang))


def cumulative_rates(daily: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Running conversion rate per variant by day: early days swing, which is why peeking misleads."""
    return alt.Chart(daily).mark_line(point=True).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("cumulative_rate:Q", axis=alt.Axis(format=".1%"), title=translate("chart.cumulative_rate", lang),
                scale=alt.Scale(zero=False)),
        color=alt.Color("variant:N", title=translate("chart.variant", lang)),
        tooltip=["date:T", "variant:N", "cumulative_users:Q", alt.Tooltip("cumulative_rate:Q", format=".2%")],
    ).properties(height=260, title=translate("chart.cumulative_title", lang))


def tier_shares(shares: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Each tier's share of customers beside the playbook's reference share."""
    rows = []
    for r in shares.itertuples():
        tier = translate(f"rfm.tier.{r.tier.lower()}", lang)
        rows += [{"tier": tier, "kind": translate("chart.actual", lang), "share": r.share},
                 {"tier": tier, "kind": translate("chart.reference", lang), "share": r.reference_share}]
    order = [translate(f"rfm.tier.{t.lower()}", lang) for t in shares["tier"]]
    return alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("tier:N", sort=order, title=None), xOffset="kind:N",
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=[translate("chart.actual", lang), translate("chart.reference", lang)], range=[OK_COLOR, "#d1d5db"])),
        tooltip=["tier:N", "kind:N", alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=260, title=translate("chart.tier_shares_title", lang))


def tier_movement(changes: pd.Series, lang: str = "en") -> alt.Chart:
    """How many customers moved up, down, stayed, or are new since the earlier date."""
    counts = changes.value_counts()
    data = pd.DataFrame({"change": [translate(f"rfm.change.{c}", lang) for c in counts.index], "customers": counts.values,
                         "direction": counts.index})
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("customers:Q", title=None), y=alt.Y("change:N", sort="-x", title=None),
        color=alt.Color("direction:N", legend=None, scale=alt.Scale(
            domain=["up", "down", "same", "new", "gone"], range=["#16a34a", LEAK_COLOR, "#9ca3af", OK_COLOR, "#6b7280"])),
        tooltip=["change:N", "customers:Q"],
    ).properties(height=180, title=translate("chart.movement_title", lang))


def churn_lift(lift: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Churn rate per risk decile for the model and for recency alone: a steeper model line sorts better."""
    model, baseline = translate("chart.model", lang), translate("chart.recency_only", lang)
    data = pd.concat([
        pd.DataFrame({"decile": lift["decile"], "churn_rate": lift["churn_rate"], "score": model}),
        pd.DataFrame({"decile": lift["decile"], "churn_rate": lift["baseline_churn_rate"], "score": baseline}),
    ])
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("decile:O", title=translate("chart.decile", lang)),
        y=alt.Y("churn_rate:Q", axis=alt.Axis(format="%"), title=translate("chart.churn_rate", lang)),
        color=alt.Color("score:N", title=None), tooltip=["decile:O", "score:N", alt.Tooltip("churn_rate:Q", format=".1%")],
    ).properties(height=240, title=translate("chart.lift_title", lang))


def response_curve(months: pd.DataFrame, curve, channel: str, lang: str = "en") -> alt.LayerChart:
    """A channel's monthly (spend, revenue) points, its fitted curve and the uncertainty band."""
    import numpy as np

    top = max(curve.max_spend * 1.6, 1.0)
    grid = np.linspace(0, top, 80)
    low, high = curve.band(grid)
    line = pd.DataFrame({"spend": grid, "revenue": curve.predict(grid), "low": low, "high": high})
    x = alt.X("spend:Q", title=translate("chart.spend", lang))
    band = alt.Chart(line).mark_area(opacity=0.2, color=OK_COLOR).encode(x=x, y="low:Q", y2="high:Q")
    fitted = alt.Chart(line).mark_line(color=OK_COLOR).encode(x=x, y=alt.Y("revenue:Q", title=translate("chart.revenue", lang)))
    points = alt.Chart(months).mark_point(color="#111827", filled=True).encode(
        x="spend:Q", y="attributed_revenue:Q", tooltip=["month:T", alt.Tooltip("spend:Q", format=",.0f"),
                                                         alt.Tooltip("attributed_revenue:Q", format=",.0f")])
    return (band + fitted + points).properties(height=220, title=channel)


def what_if(channels: pd.Series, revenue_now: pd.Series, revenue_new: pd.Series, lang: str = "en") -> alt.Chart:
    """Predicted revenue per channel for the current split beside the proposed one."""
    now, new = translate("chart.current_split", lang), translate("chart.proposed_split", lang)
    data = pd.concat([pd.DataFrame({"channel": channels, "revenue": revenue_now, "split": now}),
                      pd.DataFrame({"channel": channels, "revenue": revenue_new, "split": new})])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("channel:N", title=None), xOffset="split:N", y=alt.Y("revenue:Q", title=translate("chart.revenue", lang)),
        color=alt.Color("split:N", title=None, scale=alt.Scale(domain=[now, new], range=["#d1d5db", OK_COLOR])),
        tooltip=["channel:N", "split:N", alt.Tooltip("revenue:Q", format=",.0f")],
    ).properties(height=240, title=translate("chart.what_if_title", lang))


def matrix_heatmap(matrix: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Category x channel coloured by growth-potential stars, each cell labelled with its share of GMV:
    the darkest cells are where the next money should go."""
    data = matrix[["category", "channel", "stars", "share_of_gmv"]].assign(
        share_label=matrix["share_of_gmv"].map("{:.0%}".format))
    base = alt.Chart(data).encode(
        x=alt.X("channel:N", title=translate("chart.channel", lang), axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("category:N", title=translate("chart.category", lang)))
    cells = base.mark_rect().encode(
        color=alt.Color("stars:O", title=translate("chart.stars", lang), scale=alt.Scale(domain=[1, 2, 3, 4, 5], scheme="blues")),
        tooltip=["category:N", "channel:N", "stars:O", alt.Tooltip("share_of_gmv:Q", format=".1%")])
    labels = base.mark_text(fontSize=11).encode(
        text="share_label:N",
        color=alt.condition(alt.datum.stars >= 4, alt.value("white"), alt.value("#111827")))
    # Streamlit fits the whole chart, axes and legend included, into this height
    return (cells + labels).properties(height=120 + 40 * data["category"].nunique(),
                                       title=translate("chart.matrix_title", lang))
