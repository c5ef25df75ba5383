"""Customer tiers: who the customers are, how many sit in each tier, who is slipping away, and the
lists to download for each campaign; one section at a time, under the day, window and money lines they share."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.charts import customers as charts
from core.customers import service
from core.improvements import service as improvements
from core.platform.money import money
from core.platform.workspace import Workspace
from pages.components import add_to_register, data_status, export_buttons, period_picker
from pages.components.state import ahead, cached, derived, fragment, guard, in_background, lang, plain, show_pending, start, t, t_user
from pages.components.tables import shop_text
from pages.components.translated_choices import translated

SECTIONS = ("tiers", "movement", "groups", "churn", "plan", "lists")
WINDOWS = (None, 90, 180, 365)
CLUSTER_CHOICES = (None, 2, 3, 4, 5, 6)
GROUPS_KEY = "cluster_k"  # the clusters section's number of groups
TOUCH_CHANNELS = ("sms", "email", "call", "push")  # the touch plan's channels


def _other_windows(window: int | None) -> list[int | None]:
    """The windows not shown: one click away, so worked out once the page is drawn (decision 0018)."""
    return [other for other in WINDOWS if other != window]


def _tier_label(tier: str) -> str:
    return t(f"rfm.tier.{tier.lower()}")


def _amounts(values, currency: str | None) -> list[str]:
    return [money(v, currency) for v in values]


def _counts(*labels: str) -> dict:
    """Counts and days stay numbers (they sort as numbers) shown with thousands separators, as the tiles show them."""
    return {label: st.column_config.NumberColumn(label, format="localized") for label in labels}


def _text(key: str, view: service.TierView) -> str:
    """A catalog text, with the amounts it quotes scaled like the lines in force; typed text stays as typed."""
    return t(key, **view.money_texts.get(key, {}))


def _forget_edits(workspace: Workspace, key: str) -> None:
    """Another set of lines: the threshold inputs start again from it; saved for every page (the demo only previews)."""
    for name in [n for n in st.session_state if str(n).startswith("threshold_")]:
        del st.session_state[name]
    if not workspace.is_demo:
        service.choose_lines(workspace, st.session_state[key])


def _lines(workspace: Workspace) -> str:
    """Which money lines are in force: scaled to the shop, the playbook's, or the owner's saved ones."""
    saved = cached(service.lines_choice, workspace)
    key = f"tier_lines_{saved.choice}"  # a new widget once the saved choice changes, so it starts from it
    return st.radio(t("tiers.lines.choice"), saved.options, index=saved.options.index(saved.choice), key=translated(key),
                    horizontal=True, format_func=lambda option: t(f"tiers.lines.option.{option}"),
                    on_change=_forget_edits, args=(workspace, key))


def _tiers(workspace: Workspace, view: service.TierView) -> None:
    shares = view.shares
    st.subheader(t("tiers.shares"))
    key, params = view.lines_note
    st.info(t_user(key, **params))
    left, right = st.columns([3, 2])
    left.dataframe(pd.DataFrame({
        t("col.tier"): [_tier_label(x) for x in shares["tier"]], t("col.customers"): shares["customers"],
        t("col.share"): shares["share"].map("{:.1%}".format),
        t("col.reference_share"): shares["reference_share"].map("{:.0%}".format),
        t("col.goal"): [_text(g, view) for g in shares["goal"]],
    }), hide_index=True, column_config=_counts(t("col.customers")))
    right.altair_chart(charts.tier_shares(shares, lang()))
    with st.expander(t("tiers.rule"), key="tier_rule_section"):
        for _, key, params in view.rules:
            st.write("• " + t_user(key, **params))
    with st.expander(t("tiers.thresholds", currency=view.currency or "–"), key="tier_lines_section"):
        _thresholds(workspace, view)


@fragment
def _thresholds(workspace: Workspace, view: service.TierView) -> None:
    """Typing a line reruns this editor alone: nothing changes until it is saved, then the page follows."""
    with guard():
        if workspace.is_demo:
            st.caption(t("tiers.demo_note"))
        edited = {}  # starts from the lines in force; saving makes them the owner's
        columns = st.columns(4)
        for index, (name, value) in enumerate(view.thresholds.items()):
            edited[name] = columns[index % 4].number_input(
                t(f"field.threshold.{name}"), min_value=0.0 if isinstance(value, float) else 0, value=value,
                key=f"threshold_{name}")
        if not workspace.is_demo and st.button(t("tiers.save_thresholds"), key="save_thresholds"):
            service.save_thresholds(workspace, edited)
            st.rerun()


def _segments(view: service.TierView) -> None:
    st.subheader(t("tiers.segments"))
    segments = view.segments
    st.dataframe(pd.DataFrame({
        t("col.segment"): [t(f"rfm.segment.{s}") for s in segments["segment"]], t("col.customers"): segments["customers"],
        t("col.recency_days"): segments["recency_days"], t("col.monetary"): _amounts(segments["monetary"], view.currency),
    }), hide_index=True, column_config=_counts(t("col.customers"), t("col.recency_days")))


@fragment
def _movement(workspace: Workspace, view: service.TierView) -> None:
    """The earlier date drives this section alone."""
    with guard():
        _movement_section(workspace, view)


def _movement_section(workspace: Workspace, view: service.TierView) -> None:
    st.subheader(t("tiers.movement"))
    choice = view.movement_from
    if choice is None:
        st.info(t("tiers.movement_too_short"))
        return
    # a box of its own per day: a new day compares with the lookback before it (counted in the same pass as the
    # day's tiers), not with the earlier date kept from the last day
    before = st.date_input(t("tiers.movement_from"), value=choice.default, min_value=choice.earliest,
                           max_value=choice.latest, key=f"movement_before_{view.as_of.isoformat()}", persist_state="page")
    moved = cached(service.movement, workspace, before, view.as_of, view.window_days, view.lines)
    for window in _other_windows(view.window_days):
        ahead(service.movement, workspace, before, view.as_of, window, view.lines)
    left, right = st.columns([3, 2])
    summary = moved.summary.rename(
        index=lambda i: _tier_label(i) if i in service.TIERS else t(f"rfm.change.{i}"),
        columns=lambda c: _tier_label(c) if c in service.TIERS else t(f"rfm.change.{c}"))
    left.dataframe(summary, column_config=_counts(*summary.columns))
    left.caption(t("tiers.movement_help"))
    right.altair_chart(charts.tier_movement(moved.changes, lang()))


def _describe(row: pd.Series) -> str:
    return t(row["description_key"], **{name: t(key) for name, key in row["description_params"].items()})


@fragment
def _groups(workspace: Workspace, view: service.TierView) -> None:
    """The number of groups drives this section alone; the lists carry the number chosen here."""
    with guard():
        _clusters_section(workspace, view)


def _groups_chosen() -> int | None:
    """The number of groups asked for in the clusters section (None: chosen by silhouette), kept while it is not
    shown: the lists carry those groups, and the groups start in the background for it."""
    return st.session_state.get(GROUPS_KEY)


def _clusters_section(workspace: Workspace, view: service.TierView) -> None:
    st.subheader(t("tiers.clusters"))
    k = st.selectbox(t("tiers.k"), CLUSTER_CHOICES, key=translated(GROUPS_KEY), persist_state="page",
                     format_func={o: (t("tiers.k_auto") if o is None else str(o)) for o in CLUSTER_CHOICES}.get)
    groups = in_background(service.clusters, workspace, view.as_of, view.window_days, k)
    if groups is None:  # in the background: seconds on a big shop
        show_pending("tiers.clusters_pending")
        return
    if groups.problem_key:
        st.info(t_user(groups.problem_key, **groups.problem_params))
        return
    st.caption(t("tiers.k_chosen", k=groups.k, score=f"{groups.silhouette_score:.3f}"))
    table = groups.clusters
    st.dataframe(pd.DataFrame({
        t("col.cluster"): table["cluster"], t("col.customers"): table["customers"],
        t("col.share"): table["share"].map("{:.1%}".format), t("col.recency_days"): table["recency_days"],
        t("col.frequency"): table["frequency"],
        t("col.monetary"): _amounts(table["monetary"], view.currency),
        t("col.description"): [_describe(row) for _, row in table.iterrows()],
    }), hide_index=True, column_config=_counts(t("col.customers"), t("col.recency_days"), t("col.frequency")))
    if k is None:
        st.dataframe(pd.DataFrame({t("col.k"): [str(tried) for tried in groups.silhouette],
                                   t("col.silhouette"): [f"{v:.3f}" for v in groups.silhouette.values()]}), hide_index=True)


def _churn_risk(workspace: Workspace, view: service.TierView, model: service.ChurnView):
    """Each customer's risk, matched to the customers once per day, window and model: the at-risk list and the
    list to download share it, and other tier lines, a tier to export or a rerun of the page reuse it."""
    return derived(service.churn_risk_of, workspace, (view.as_of, view.window_days, model.scores is not None), view,
                   model, services=(service.churn,))


def _churn_section(workspace: Workspace, view: service.TierView) -> None:
    model = in_background(service.churn, workspace, view.as_of)
    st.subheader(t("tiers.churn", days=service.CHURN_HORIZON_DAYS))
    if model is None:  # the model trains in the background: seconds on a big shop
        show_pending("tiers.churn_pending")
        return
    if model.problem_key:
        st.info(t_user(model.problem_key, **model.problem_params))
        return
    left, right = st.columns(2)
    left.metric(t("tiers.churn_auc"), f"{model.auc:.3f}")
    right.metric(t("tiers.churn_baseline"), f"{model.baseline_auc:.3f}")
    st.caption(t("tiers.churn_help", cutoff=model.cutoff, days=model.horizon_days, holdout=f"{model.count_holdout:,}"))
    st.altair_chart(charts.churn_lift(model.lift, lang()))
    st.markdown("**" + t("tiers.at_risk") + "**")
    # once per day, window, lines and model: a tier to export or a rerun of the page reuses it
    risky = derived(service.at_risk, workspace, (view.as_of, view.window_days, view.lines), view,
                    _churn_risk(workspace, view, model), services=(service.tiers, service.churn))
    st.dataframe(pd.DataFrame({
        t("col.customer"): shop_text(risky["customer_id"]), t("col.tier"): [_tier_label(x) for x in risky["tier"]],
        t("col.monetary"): _amounts(risky["monetary"], view.currency), t("col.recency_days"): risky["recency_days"],
        t("col.churn_risk"): risky["churn_risk"].map("{:.0%}".format),
    }), hide_index=True, column_config=_counts(t("col.recency_days")))
    if len(risky):
        add_to_register.offer(workspace, [improvements.from_at_risk(len(risky))], key="register_at_risk")


@fragment
def _plan(workspace: Workspace, view: service.TierView) -> None:
    st.subheader(t("tiers.plan"))
    vip_orders_per_year = view.vip_orders_per_year
    saved = cached(service.touch_plan, workspace, vip_orders_per_year)
    # default texts are catalog keys, their amounts scaled like the lines in force; typed texts stay as typed
    frame = saved.touches.assign(**{c: [_text(v, view) for v in saved.touches[c]] for c in saved.text_columns})
    edits = _unsaved_edits(workspace)
    for row, cells in edits.items():
        for column, value in cells.items():
            if row in frame.index and column in frame.columns:  # a cell of the plan as it is (never a new row)
                frame.at[row, column] = value
    labels = {"tier": t("col.tier"), "channel": t("col.channel_plan"),
              **{c: t(f"col.{c}") for c in (*saved.text_columns[1:], *saved.count_columns)}}
    edited = st.data_editor(frame, hide_index=True, disabled=["tier"], key="plan_editor",
                            column_config={c: st.column_config.Column(label) for c, label in labels.items()})
    for row, cells in st.session_state["plan_editor"]["edited_rows"].items():  # the same cells again: no harm
        edits.setdefault(int(row), {}).update(cells)
    rows = edited.to_dict("records")
    checked = service.check_plan(rows, vip_orders_per_year)
    for key, params in checked.warnings:
        st.warning(t_user(key, **params))
    if not checked.warnings:
        st.success(t("tiers.plan_ok"))
    st.caption(plain(_text("tiers.plan_vip_cap", view)))  # "$1,000 ... $300" is not math
    _measured_kpis(workspace)
    _cross_sell(workspace)
    if workspace.is_demo:
        st.caption(t("tiers.demo_note"))
    elif st.button(t("tiers.save_plan"), key="save_plan"):
        service.save_plan(workspace, rows)
        edits.clear()
        st.rerun()


def _unsaved_edits(workspace: Workspace) -> dict:
    """The plan's cells edited and not saved, {row: {column: value}}: a data editor keeps nothing once another
    section is shown, so they are kept here and put back when the plan is shown again. Cells not edited follow
    the language and the money lines."""
    return st.session_state.setdefault(f"plan_edits:{workspace.path}", {})


def _measured_kpis(workspace: Workspace) -> None:
    """The plan's KPIs as measured: each tier's touches against their holdouts (Improvements page)."""
    kpis = cached(improvements.tier_kpis, workspace, improvements.campaigns_version(workspace))
    measured = kpis[kpis["conversion"].notna()]
    st.markdown("**" + t("tiers.measured_kpis") + "**")
    if measured.empty:
        st.caption(t("improvements.no_campaigns"))
        return
    st.dataframe(pd.DataFrame({
        t("col.tier"): [_tier_label(x) for x in measured["tier"]],
        t("improvements.campaign.col.campaigns"): measured["campaigns"],
        t("improvements.campaign.col.measured"): measured["conversion"].map("{:.1%}".format),
        t("improvements.campaign.col.conversion_holdout"): [
            "–" if pd.isna(v) else f"{v:.1%}" for v in measured["conversion_holdout"]],
        t("improvements.campaign.col.target"): ["–" if pd.isna(v) else f"{v:.0%}" for v in measured["target"]],
    }), hide_index=True)


def _cross_sell(workspace: Workspace) -> None:
    """The Potential tier's cross-sell, named: what sells with what, from the Products page's rules."""
    found = in_background(service.cross_sell, workspace)
    st.markdown("**" + t("tiers.cross_sell_title") + "**")
    if found is None:
        show_pending("tiers.cross_sell_pending")
    elif found.missing:
        st.caption(t_user(found.missing, **found.missing_params))
    elif not found.suggestions:
        st.caption(t("tiers.cross_sell_none"))
    else:  # a table, not markdown: product names are the shop's text and must not be read as markup
        st.dataframe(pd.DataFrame({
            t("tiers.cross_sell_product"): shop_text(s.product_name for s in found.suggestions),
            t("tiers.cross_sell_partner"): shop_text(s.partner_name for s in found.suggestions),
            t("tiers.cross_sell_share"): [f"{s.confidence:.0%}" for s in found.suggestions],
        }), hide_index=True)


@fragment
def _lists(workspace: Workspace, view: service.TierView) -> None:
    """The tier to export and the touch drive this section alone; its lists carry the groups and the churn risk."""
    with guard():
        groups = in_background(service.clusters, workspace, view.as_of, view.window_days, _groups_chosen())
        model = in_background(service.churn, workspace, view.as_of)
        _export(workspace, view, groups, model)


def _export(workspace: Workspace, view: service.TierView, groups: service.ClusterView | None,
            model: service.ChurnView | None) -> None:
    st.subheader(t("tiers.export"))
    if groups is None or model is None:  # the list is there at once; its group and risk columns follow
        st.caption(t("tiers.export_pending"))
        groups, model = groups or service.ClusterView(), model or service.ChurnView(service.CHURN_HORIZON_DAYS)
    options = [None, *service.TIERS]
    tier = st.selectbox(t("tiers.export_tier"), options, key=translated("export_tier"), persist_state="page",
                        format_func={o: (t("tiers.export_all") if o is None else _tier_label(o)) for o in options}.get)
    group = derived(service.group_of, workspace, (view.as_of, view.window_days, _groups_chosen(),
                                                  groups.labels is not None), view, groups, services=(service.clusters,))
    listing = service.customer_list(view, group, _churn_risk(workspace, view, model), tier)
    st.caption(t("tiers.customers") + f": {len(listing.rows):,}")
    keeps_contacts = service.keeps_contacts(workspace)
    _download(workspace, listing, "tiers", keeps_contacts)
    if tier is not None and len(listing.rows):
        _touch(workspace, tier, listing, keeps_contacts)


def _without_contacts(listing: service.CustomerList) -> service.CustomerList:
    """The list as it was before its contact columns were added (to add them again, in full)."""
    rows = listing.rows.drop(columns=[c for c in ("email", "phone", "accepts_marketing") if c in listing.rows.columns])
    return service.CustomerList(rows=rows, file_name=listing.file_name)


def _download(workspace: Workspace, listing: service.CustomerList, key: str, has_contacts: bool) -> None:
    """Contact details masked unless the owner ticks the box: an explicit choice, logged when downloaded. The
    file is made on the click, not on every run: the list of a big shop's 326k customers takes seconds."""
    full = has_contacts and st.checkbox(t("tiers.contacts_full"), key=f"{key}_contacts_full",
                                        help=t("tiers.contacts_full_help"))
    if full:
        st.caption(t("tiers.contacts_full_note"))
    language = lang()

    def rows():
        chosen = service.with_contacts(workspace, _without_contacts(listing), full=full).listing
        return service.customer_file_rows(chosen, language)

    export_buttons.show_export_csv(rows, listing.file_name, key=f"{key}_csv",
                                   on_click=service.log_full_export if full else None,
                                   args=(workspace, listing) if full else None)


@fragment
def _touch(workspace: Workspace, tier: str, listing: service.CustomerList, keeps_contacts: bool) -> None:
    """A fragment of its own: the touch's channel, share and date rerun it alone."""
    with guard():
        _touch_section(workspace, tier, listing, keeps_contacts)


def _touch_section(workspace: Workspace, tier: str, listing: service.CustomerList, keeps_contacts: bool) -> None:
    """Use the list for a touch: record who is contacted and who is held out, so the Improvements page can
    measure the campaign; the download then holds only the customers to contact."""
    st.markdown("**" + t("tiers.touch_title") + "**")
    channel_box, share_box, day_box = st.columns(3)
    channel = channel_box.selectbox(t("tiers.touch_channel"), TOUCH_CHANNELS, key=translated("touch_channel"),
                                    format_func=lambda c: t(f"improvements.campaign.channel.{c}"), persist_state="page")
    share = share_box.slider(t("tiers.touch_holdout"), 0, 50, 10, 5, format="%d%%", key="touch_holdout",
                             help=t("tiers.touch_holdout_help"), persist_state="page")
    sent_on = day_box.date_input(t("tiers.touch_date"), value=date.today(), format=period_picker.DATE_FORMAT,
                                 key="touch_date", persist_state="page")
    if workspace.is_demo:
        st.caption(t("tiers.touch_demo"))
        return
    # customers without marketing consent are left out of the touch (and its holdout) unless the owner says so;
    # a workspace that keeps no contact details has nothing to look up
    reachable = (service.with_contacts(workspace, listing, consented_only=True) if keeps_contacts
                 else service.ContactList(listing=listing, has_contacts=False, full=False, left_out=0))
    if reachable.has_contacts:
        include = st.checkbox(t("tiers.touch_include_unconsented"), key="touch_include_unconsented",
                              help=t("tiers.touch_include_unconsented_help"))
        if include:
            reachable = service.with_contacts(workspace, listing)
        elif reachable.left_out:
            st.caption(t("tiers.touch_left_out", count=f"{reachable.left_out:,}"))
    if st.button(t("tiers.touch_record"), key="touch_record"):
        with guard():
            campaign = improvements.record_campaign(workspace, tier, channel, sent_on,
                                                    reachable.listing.rows["customer_id"].tolist(), share / 100)
            st.session_state["touch_campaign"] = (campaign.id, tuple(campaign.contacted), len(campaign.holdout))
    recorded = st.session_state.get("touch_campaign")
    if recorded:
        campaign_id, contacted, held_out = recorded
        st.success(t("tiers.touch_recorded", id=campaign_id, contacted=len(contacted), holdout=held_out))
        chosen = service.contact_list(reachable.listing, contacted, f"touch_{campaign_id}_{tier.lower()}.csv")
        _download(workspace, chosen, "touch", reachable.has_contacts)


def _tiers_and_segments(workspace: Workspace, view: service.TierView) -> None:
    _tiers(workspace, view)
    _segments(view)


# One section at a time (decision 0021): a new day, window or set of lines works out and draws the section shown,
# not the seven the page held (a new day reacted in 0.54 s in Chromium at 1M lines, now 0.39 s).
SECTION_DRAWN_BY = {"tiers": _tiers_and_segments, "movement": _movement, "groups": _groups, "churn": _churn_section,
                    "plan": _plan, "lists": _lists}


def render(workspace: Workspace) -> None:
    st.title(t("tiers.title"))
    if not data_status.require(workspace, "orders"):
        return
    with guard():
        choice = cached(service.as_of_choice, workspace)
        if choice is None:
            st.info(t("tiers.no_customers"))
            return
        left, right = st.columns(2)
        as_of = left.date_input(t("tiers.as_of"), value=choice.default, min_value=choice.earliest, max_value=choice.latest,
                                key="tiers_as_of")
        window = right.selectbox(t("tiers.window"), WINDOWS, key=translated("tiers_window"), format_func={
            w: (t("tiers.window.all") if w is None else t("tiers.window.days", days=w)) for w in WINDOWS}.get)
        lines = _lines(workspace)
        view = cached(service.tiers, workspace, as_of, window, lines)
        for other in _other_windows(window):
            ahead(service.tiers, workspace, as_of, other, lines)
        section = st.segmented_control(t("tiers.section"), SECTIONS, format_func=lambda s: t(f"tiers.section.{s}"),
                                       default=SECTIONS[0], required=True, key="tiers_section",
                                       label_visibility="collapsed")
        # the models start whatever is shown: their sections find them ready, or being worked out
        start(service.churn, workspace, view.as_of)
        start(service.clusters, workspace, view.as_of, view.window_days, _groups_chosen())
        start(service.cross_sell, workspace)
        SECTION_DRAWN_BY[section](workspace, view)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
