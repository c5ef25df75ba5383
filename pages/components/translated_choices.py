"""Select boxes and radios whose options are shown in the interface language keep their choice when it changes.

Streamlit 1.67 keeps such a choice in the browser as its shown label, and the browser sends that label back at the
next click. After a switch of language the label is the old language's, matches no option, and the widget quietly
returns the label itself (decision 0020). Writing each choice back when the language changes makes the switch's run
send the browser the choice under its new label.
"""

from __future__ import annotations

import streamlit as st

_KEYS = "_translated_choice_keys"


def translated(key: str) -> str:
    """The key of a select box or radio with translated options, noted so a switch of language relabels it."""
    st.session_state.setdefault(_KEYS, set()).add(key)
    return key


def relabel() -> None:
    """The language select's callback: each translated choice on the page is written back as it is, so the run
    that follows sends it to the browser under the new language's label. Choices of pages left behind are no
    longer in the session's state and are skipped."""
    for key in st.session_state.get(_KEYS, ()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
