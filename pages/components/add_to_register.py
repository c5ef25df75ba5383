""""Add to the register" beside a finding: the owner picks one of the page's findings and it becomes an
entry of the improvement register, prefilled with its metric, impact and urgency (core/improvements)."""

from __future__ import annotations

import streamlit as st

from core.improvements import service as improvements
from core.platform.workspace import Workspace
from pages.components.state import lang, t
from pages.components.translated_choices import translated


def offer(workspace: Workspace, found: list[improvements.Suggestion], key: str) -> None:
    """A select of the findings (when there are several) and one button; the demo only shows what it would add."""
    if not found:
        return
    titles = [s.title(lang()) for s in found]
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(t("improvements.add_which"), range(len(found)), format_func=titles.__getitem__,
                            key=translated(f"{key}_finding")) if len(found) > 1 else 0
    if workspace.is_demo:
        right.button(t("improvements.add"), key=f"{key}_add", disabled=True, help=t("improvements.demo_read_only"))
        return
    if right.button(t("improvements.add"), key=f"{key}_add", help=t("improvements.add_help")):
        entry = improvements.add_suggestion(workspace, found[chosen], lang())
        st.success(t("improvements.added", id=entry))  # the title is the shop's text: not read as markdown
