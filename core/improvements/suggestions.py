"""What a finding elsewhere in ShopLens becomes in the register: a title, the metric it should move, and a
suggested impact and urgency the owner can change. One function per kind of finding, on plain values, so
every page can offer "add to the register" without the register knowing the pages.

The suggested scores follow the playbook's priorities: a P0 problem or a traffic drop (act within 24
hours) is urgent; a leaking funnel stage or a channel losing money matters a lot but takes a plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.platform.i18n import translate

# A scorecard metric and the measured metric that shows whether fixing it worked: typed-in health inputs
# (load time, errors, service) cannot be measured from uploads, their effect shows in bounce and conversion.
SCORECARD_METRICS = {
    "bounce_rate": "bounce_rate",
    "first_screen_load_seconds": "bounce_rate",
    "server_error_rate": "conversion_rate",
    "service_first_response_seconds": "conversion_rate",
    "return_rate": "return_rate",
    "sku_sell_through": "gmv",
    "inventory_turnover": "gmv",
}
PRIORITY_SCORES = {"P0": (5, 5), "P1": (4, 4), "P2": (3, 2)}  # impact, urgency


@dataclass(frozen=True)
class Suggestion:
    """A register entry waiting for the owner's click."""
    title_key: str
    metric: str
    impact: int
    urgency: int
    source: str  # scorecard, funnel, traffic, ab_test, budget, customers
    detail: str | None = None  # the funnel stage, the channel... the metric is about
    title_params: dict = field(default_factory=dict)

    def title(self, lang: str = "en") -> str:
        return translate(self.title_key, lang, **self.title_params)


def from_problem(metric: str, priority: str, score: int, lang: str = "en") -> Suggestion:
    impact, urgency = PRIORITY_SCORES.get(priority, (3, 3))
    return Suggestion("improvements.suggest.problem", SCORECARD_METRICS.get(metric, "gmv"), impact, urgency, "scorecard",
                      title_params={"metric": translate(f"health.metric.{metric}", lang), "score": score,
                                    "priority": priority})


def from_funnel_stage(stage: str, loss_rate: float) -> Suggestion:
    urgency = 4 if loss_rate >= 0.5 else 3
    return Suggestion("improvements.suggest.funnel", "funnel_loss_rate", 4, urgency, "funnel", detail=stage,
                      title_params={"stage": stage, "loss": f"{loss_rate:.0%}"})


def from_anomaly(kind: str, channel: str | None, day) -> Suggestion:
    """A traffic drop is urgent (the playbook: act within 24 hours); a bounce spike a little less."""
    if kind == "uv_drop":
        return Suggestion("improvements.suggest.uv_drop", "uv", 3, 5, "traffic", detail=channel,
                          title_params={"channel": channel or "", "day": day})
    return Suggestion("improvements.suggest.high_bounce", "bounce_rate", 3, 4, "traffic", detail=channel,
                      title_params={"channel": channel or "", "day": day})


def from_ab_winner(test: str, winner: str) -> Suggestion:
    return Suggestion("improvements.suggest.ab_winner", "conversion_rate", 3, 3, "ab_test",
                      title_params={"test": test, "variant": winner})


def from_drop_candidate(channel: str, roi: float) -> Suggestion:
    return Suggestion("improvements.suggest.drop_channel", "channel_roi", 4, 3, "budget", detail=channel,
                      title_params={"channel": channel, "roi": f"{roi:.2f}"})


def from_at_risk(customers: int) -> Suggestion:
    return Suggestion("improvements.suggest.at_risk", "repurchase_rate", 4, 4, "customers",
                      title_params={"customers": customers})
