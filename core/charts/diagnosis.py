"""Charts of the Diagnosis page and report: health radar, funnel, GMV bridge, traffic and bounce."""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import pandas as pd

from core.charts.colors import ANOMALY_COLOR, LEAK_COLOR, OK_COLOR
from core.platform.i18n import translate


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
        tooltip=[alt.Tooltip("dimension:N", title=translate("chart.dimension", lang)),
                 alt.Tooltip("score:Q", title=translate("chart.score", lang))])
    text = alt.Chart(labels).mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("x:Q", scale=scale, axis=axis), y=alt.Y("y:Q", scale=scale, axis=axis), text="label:N")
    return (grid + area + text).properties(width=360, height=360, title=translate("chart.radar_title", lang))


def funnel(stages: pd.DataFrame, leak_threshold: float, lang: str = "en") -> alt.LayerChart:
    """Users per stage as bars, leaking stages (losing more than `leak_threshold`) in red, each stage's loss rate beside it."""
    leak = translate("chart.leak", lang, threshold=f"{leak_threshold:.0%}")
    data = stages.assign(
        label=[f"{r:.0%}" if pd.notna(r) else "" for r in stages["loss_rate"]],
        status=[leak if f else translate("chart.ok", lang) for f in stages["flagged"]],
    )
    order = list(data["stage"])
    base = alt.Chart(data).encode(y=alt.Y("stage:N", sort=order, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("entered:Q", title=translate("chart.users", lang)),
        color=alt.Color("status:N", scale=alt.Scale(domain=[translate("chart.ok", lang), leak],
                                                     range=[OK_COLOR, LEAK_COLOR]), title=None),
        tooltip=["stage:N", "entered:Q", "lost:Q", alt.Tooltip("loss_rate:Q", format=".1%"),
                 alt.Tooltip("conversion_from_top:Q", format=".1%")],
    )
    text = base.mark_text(align="left", dx=4).encode(x="entered:Q", text="label:N")
    title = translate("chart.funnel_title", lang, threshold=f"{leak_threshold:.0%}")
    return (bars + text).properties(height=40 * len(data) + 20, title=title)


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


def gmv_waterfall(before: float, parts: Sequence[tuple[str, float]], after: float, lang: str = "en") -> alt.LayerChart:
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
        color=alt.Color("kind:N", scale=alt.Scale(domain=["total", "up", "down"], range=["#6b7280", "#16a34a", LEAK_COLOR]),
                        legend=None),
        tooltip=["step:N", alt.Tooltip("amount:Q", format=",.0f")],
    )
    text = base.mark_text(dy=-8).encode(y="end:Q", text=alt.Text("amount:Q", format=",.0f"))
    return (bars + text).properties(height=300, title=translate("chart.waterfall_title", lang))


def traffic(daily: pd.DataFrame, flagged: pd.DataFrame, uv_drop: float, lang: str = "en") -> alt.LayerChart:
    """Daily UV per source, with the days flagged as drops (of `uv_drop` or more) marked."""
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
    return (lines + points).properties(height=300, title=translate("chart.traffic_title", lang, threshold=f"{uv_drop:.0%}"))


def bounce(daily_totals: pd.DataFrame, threshold: float, lang: str = "en") -> alt.LayerChart:
    """Daily bounce rate across sources against the high-bounce line; days above it marked."""
    line = alt.Chart(daily_totals).mark_line(color=OK_COLOR).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("bounce_rate:Q", axis=alt.Axis(format="%"), title=translate("chart.bounce_rate", lang)),
        tooltip=["date:T", alt.Tooltip("bounce_rate:Q", format=".1%")],
    )
    rule = alt.Chart(pd.DataFrame({"y": [threshold]})).mark_rule(color=LEAK_COLOR, strokeDash=[4, 4]).encode(y="y:Q")
    above = daily_totals[daily_totals["bounce_rate"] > threshold]
    high = alt.Chart(above).mark_point(color=ANOMALY_COLOR, filled=True, size=80).encode(x="date:T", y="bounce_rate:Q")
    return (line + rule + high).properties(height=220, title=translate("chart.bounce_title", lang, threshold=f"{threshold:.0%}"))
