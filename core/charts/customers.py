"""Charts of the Customer tiers page: tier shares against the playbook, movement, churn lift."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.style import LEAK_COLOR, OK_COLOR
from core.platform.i18n import translate


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


def tier_movement(counts: pd.Series, lang: str = "en") -> alt.Chart:
    """How many customers moved up, down, stayed, or are new since the earlier date (`counts`: customers per change)."""
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
