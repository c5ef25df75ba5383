"""Charts to inline SVG, drawn on one worker thread of our own.

Streamlit hands a download's data function to a thread without a script context, and a page may ask
for the report while another session renders: the renderer never runs on a caller's thread, draws one
chart at a time, and keeps each drawing by its spec, so the same chart is the same SVG every time.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shoplens-svg")
_lock = threading.Lock()
RENDER_TIMEOUT_SECONDS = 120


@lru_cache(maxsize=256)
def _draw(spec: str) -> str:
    import vl_convert

    with _lock:
        return vl_convert.vegalite_to_svg(spec)


def svg(chart) -> str:
    """The chart as an SVG element, drawn by Vega's own renderer with no browser and no network."""
    return _worker.submit(_draw, chart.to_json(indent=None)).result(timeout=RENDER_TIMEOUT_SECONDS)
