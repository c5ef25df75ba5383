"""Charts of the Diagnosis page and report: health radar, funnel, GMV bridge, traffic and bounce."""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import pandas as pd

from core.charts.style import ANOMALY_COLOR, DATE_AXIS, DATE_FORMATS, LEAK_COLOR, OK_COLOR
from core.platform.i18n import translate
from core.platform.money import money, symbol

MISSING_COLOR = "#9ca3af"  # a dimension without data: grey
RADAR_SCALE = alt.Scale(domain=[-6.5, 6.5])  # the web's radius is 5, its labels sit at 5.8


# A tooltip names its field in the interface's language (column keys), with separators, and dates as numbers.
TIP_TITLES = {"stage": "col.stage", "entered": "col.entered", "lost": "col.lost", "loss_rate": "col.loss_rate",
              "conversion_from_top": "col.conversion_from_top", "segment": "col.segment", "date": "col.date",
              "channel": "col.channel", "uv": "col.uv", "share_of_uv": "col.share", "value": "col.value",
              "baseline": "col.baseline", "change": "col.change", "bounce_rate": "col.bounce_rate"}


def _tip(field: str, lang: str, number_format: str | None = None) -> alt.Tooltip:
    name = field.split(":")[0]
    shown = DATE_FORMATS["day"] if field.endswith(":T") else number_format
    return alt.Tooltip(field, title=translate(TIP_TITLES[name], lang), **({"format": shown} if shown else {}))


def radar_data(dimension_scores: dict[str, float | None], lang: str = "en") -> pd.DataFrame:
    """One row per dimension, in order: its label, score, whether it is missing (no scored metric), the
    point on the web (x, y: None when missing), the path (`run`) it lies on and a note ("no data" when
    missing). A path joins neighbouring scored dimensions only: a missing one is a gap, never a point."""
    names = list(dimension_scores)
    runs = _runs(names, {n for n in names if dimension_scores[n] is not None})
    run_of = {name: i for i, run in enumerate(runs) for name in run}
    rows = []
    for name in names:
        score = dimension_scores[name]
        missing = score is None
        x, y = (None, None) if missing else _point(names, name, score)
        rows.append({
            "dimension": name, "label": translate(f"health.dimension.{name}", lang),
            "score": None if missing else round(score, 2), "missing": missing, "x": x, "y": y, "run": run_of.get(name),
            "note": translate("chart.no_data", lang) if missing else "",
            "label_x": _point(names, name, 5.8)[0], "label_y": _point(names, name, 5.8)[1],
            "note_x": _point(names, name, 2)[0], "note_y": _point(names, name, 2)[1],
        })
    return pd.DataFrame(rows)


def _point(names: list[str], name: str, radius: float) -> tuple[float, float]:
    angle = 2 * math.pi * names.index(name) / len(names)
    return radius * math.sin(angle), radius * math.cos(angle)


def _runs(names: list[str], scored: set[str]) -> list[list[str]]:
    """Neighbouring scored dimensions around the web; all of them scored is one closed run (first repeated)."""
    if scored == set(names):
        return [names + names[:1]]
    gap = next(i for i, name in enumerate(names) if name not in scored)
    runs, current = [], []
    for name in names[gap + 1:] + names[:gap + 1]:  # starts after a gap and ends on it
        if name in scored:
            current.append(name)
        elif current:
            runs, current = runs + [current], []
    return runs


def radar(dimension_scores: dict[str, float | None], lang: str = "en") -> alt.LayerChart:
    """Score per dimension on a 1-5 spider web (Altair has no polar line, so points are placed by hand).
    A dimension with no scored metric is a gap in the line, its label grey and "no data" on its spoke."""
    names = list(dimension_scores)
    data = radar_data(dimension_scores, lang)
    rings = pd.DataFrame(
        [{"ring": r, "order": i, "x": _point(names, n, r)[0], "y": _point(names, n, r)[1]}
         for r in range(1, 6) for i, n in enumerate(names + names[:1])]
    )
    by_name = data.set_index("dimension")
    runs = _runs(names, set(data.loc[~data["missing"], "dimension"]))
    shape = pd.DataFrame(
        [{"run": r, "order": i, "dimension": by_name.loc[n, "label"], "score": by_name.loc[n, "score"],
          "x": by_name.loc[n, "x"], "y": by_name.loc[n, "y"]} for r, run in enumerate(runs) for i, n in enumerate(run)],
        columns=["run", "order", "dimension", "score", "x", "y"],
    )
    x, y = alt.X("x:Q", scale=RADAR_SCALE, axis=None), alt.Y("y:Q", scale=RADAR_SCALE, axis=None)
    grid = alt.Chart(rings).mark_line(color="#d1d5db", strokeWidth=1).encode(x=x, y=y, detail="ring:N", order="order:Q")
    fill = {} if data["missing"].any() else {"fill": OK_COLOR, "fillOpacity": 0.2}  # only a closed shape has an area
    area = alt.Chart(shape).mark_line(point=True, color=OK_COLOR, strokeWidth=2, **fill).encode(
        x=x, y=y, detail="run:N", order="order:Q",
        tooltip=[alt.Tooltip("dimension:N", title=translate("chart.dimension", lang)),
                 alt.Tooltip("score:Q", title=translate("chart.score", lang))])
    marks = data.assign(status=data["missing"].map({True: "missing", False: "scored"}))
    marks = marks[["label", "note", "status", "label_x", "label_y", "note_x", "note_y"]]
    status = alt.Color("status:N", scale=alt.Scale(domain=["scored", "missing"], range=["#111827", MISSING_COLOR]),
                       legend=None)
    text = alt.Chart(marks).mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("label_x:Q", scale=RADAR_SCALE, axis=None), y=alt.Y("label_y:Q", scale=RADAR_SCALE, axis=None),
        text="label:N", color=status)
    notes = alt.Chart(marks[marks["status"] == "missing"]).mark_text(fontSize=12, fontStyle="italic", color=MISSING_COLOR).encode(
        x=alt.X("note_x:Q", scale=RADAR_SCALE, axis=None), y=alt.Y("note_y:Q", scale=RADAR_SCALE, axis=None), text="note:N")
    return (grid + area + text + notes).properties(width=360, height=360, title=translate("chart.radar_title", lang))


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
        tooltip=[_tip("stage:N", lang), _tip("entered:Q", lang, ",.0f"), _tip("lost:Q", lang, ",.0f"),
                 _tip("loss_rate:Q", lang, ".1%"), _tip("conversion_from_top:Q", lang, ".1%")],
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
        tooltip=[_tip("segment:N", lang), _tip("stage:N", lang), _tip("loss_rate:Q", lang, ".1%")],
    ).properties(height=260, title=translate("chart.funnel_split_title", lang))


def gmv_waterfall(before: float, parts: Sequence[tuple[str, float]], after: float, lang: str = "en",
                  currency: str | None = None) -> alt.LayerChart:
    """From last period's GMV to this period's, one bar per factor's contribution, in the shop's currency."""
    rows, running = [], before
    rows.append({"step": translate("kpi.previous_gmv", lang), "start": 0.0, "end": before, "kind": "total", "amount": before})
    for factor, amount in parts:
        rows.append({"step": translate(f"kpi.factor.{factor}", lang), "start": running, "end": running + amount,
                     "kind": "up" if amount >= 0 else "down", "amount": amount})
        running += amount
    rows.append({"step": translate("kpi.current_gmv", lang), "start": 0.0, "end": after, "kind": "total", "amount": after})
    data = pd.DataFrame(rows)
    data["shown"] = [money(amount, currency) for amount in data["amount"]]
    order = list(data["step"])
    mark = symbol(currency)
    base = alt.Chart(data).encode(x=alt.X("step:N", sort=order, title=None))
    bars = base.mark_bar(size=48).encode(
        y=alt.Y("start:Q", title=f"GMV ({mark})" if mark else "GMV"), y2="end:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["total", "up", "down"], range=["#6b7280", "#16a34a", LEAK_COLOR]),
                        legend=None),
        tooltip=[alt.Tooltip("step:N", title=translate("chart.step", lang)), alt.Tooltip("shown:N", title="GMV")],
    )
    text = base.mark_text(dy=-8).encode(y="end:Q", text="shown:N")
    return (bars + text).properties(height=300, title=translate("chart.waterfall_title", lang))


def traffic(daily: pd.DataFrame, flagged: pd.DataFrame, uv_drop: float, lang: str = "en") -> alt.LayerChart:
    """Daily UV per source, with the days flagged as drops (of `uv_drop` or more) marked."""
    lines = alt.Chart(daily).mark_line().encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("uv:Q", title=translate("chart.uv", lang)),
        color=alt.Color("channel:N", title=translate("chart.channel", lang)),
        tooltip=[_tip("date:T", lang), _tip("channel:N", lang), _tip("uv:Q", lang, ",.0f"), _tip("share_of_uv:Q", lang, ".1%")],
    )
    drops = flagged[flagged["metric"] == "uv_drop"]
    points = alt.Chart(drops).mark_point(color=ANOMALY_COLOR, size=120, filled=True, shape="triangle-down").encode(
        x="date:T", y="value:Q",
        tooltip=[_tip("date:T", lang), _tip("channel:N", lang), _tip("value:Q", lang, ",.0f"), _tip("baseline:Q", lang, ",.0f"),
                 _tip("change:Q", lang, ".0%")],
    )
    return (lines + points).properties(height=300, title=translate("chart.traffic_title", lang, threshold=f"{uv_drop:.0%}"))


def bounce(daily_totals: pd.DataFrame, threshold: float, lang: str = "en") -> alt.LayerChart:
    """Daily bounce rate across sources against the high-bounce line; days above it marked."""
    line = alt.Chart(daily_totals).mark_line(color=OK_COLOR).encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("bounce_rate:Q", axis=alt.Axis(format="%"), title=translate("chart.bounce_rate", lang)),
        tooltip=[_tip("date:T", lang), _tip("bounce_rate:Q", lang, ".1%")],
    )
    rule = alt.Chart(pd.DataFrame({"y": [threshold]})).mark_rule(color=LEAK_COLOR, strokeDash=[4, 4]).encode(y="y:Q")
    above = daily_totals[daily_totals["bounce_rate"] > threshold]
    high = alt.Chart(above).mark_point(color=ANOMALY_COLOR, filled=True, size=80).encode(x="date:T", y="bounce_rate:Q")
    return (line + rule + high).properties(height=220, title=translate("chart.bounce_title", lang, threshold=f"{threshold:.0%}"))
