"""Dataset kind, column mapping and date order, suggested from the headers and correctable.

The widgets are keyed by the file's headers: a second file with other columns gets fresh suggestions,
not the choices made for the first one (which silently dropped its currency, status and refunds)."""

from __future__ import annotations

import hashlib

import streamlit as st

from core.data import service
from pages.components.state import t
from pages.components.translated_choices import translated

UNMAPPED = ""


def widget_key(name: str, headers: list[str]) -> str:
    """A widget's key for this set of headers: the same file keeps the owner's choices, another starts afresh."""
    return f"{name}_{hashlib.sha1(chr(31).join(headers).encode()).hexdigest()[:12]}"


def show(headers: list[str], detected_kind: str | None) -> tuple[str, dict[str, str], bool | None]:
    kinds = list(service.KINDS)
    kind = st.selectbox(
        t("data.kind"), kinds, index=kinds.index(detected_kind) if detected_kind else 0,
        format_func={k: t(f"dataset.{k}") for k in kinds}.get, key=translated(widget_key("upload_kind", headers)),
    )
    if detected_kind is None:
        st.warning(t("data.kind_not_detected"))
    dataset = service.dataset(kind)
    suggested = service.suggested_mapping(kind, headers)
    mapping: dict[str, str] = {}
    with st.expander(t("data.mapping"), expanded=detected_kind is None, key="mapping_section"):
        st.caption(t("data.mapping_help"))
        columns = st.columns(3)
        options = [UNMAPPED, *headers]
        labels = {**{h: h for h in headers}, UNMAPPED: t("data.unmapped")}
        melted = set(dataset.melt or ())  # a wide table fills these from its columns: nothing to choose
        for index, f in enumerate(f for f in dataset.fields if f.name not in melted):
            label = t(f"field.{f.name}") + (" *" if f.required else "")
            choice = columns[index % 3].selectbox(
                label, options, index=options.index(suggested.get(f.name, UNMAPPED)),
                format_func=labels.get, key=translated(widget_key(f"map_{kind}_{f.name}", headers)),
            )
            if choice != UNMAPPED:
                mapping[f.name] = choice
        orders = ["auto", "month_first", "day_first"]
        order = st.radio(
            t("data.date_order"), orders, horizontal=True,
            format_func={o: t(f"data.date_order.{o}") for o in orders}.get, key=translated(widget_key("upload_date_order", headers)),
        )
    day_first = {"auto": None, "month_first": False, "day_first": True}[order]
    return kind, mapping, day_first
