"""Charts to inline SVG, drawn on one worker thread of our own.

Streamlit hands a download's data function to a thread without a script context, and a page may ask
for the report while another session renders: the renderer never runs on a caller's thread, draws one
chart at a time, and keeps each drawing by its spec, so the same chart is the same SVG every time.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import lru_cache

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shoplens-svg")
_lock = threading.Lock()
RENDER_TIMEOUT_SECONDS = 120


@lru_cache(maxsize=256)
def _draw(spec: str) -> str:
    import vl_convert

    with _lock:
        return vl_convert.vegalite_to_svg(spec)


def _steady(value):
    """Numbers to 10 significant digits: a sum DuckDB adds up in parallel differs run to run in its last
    bits, which would move a bar by a billionth of a pixel and make two reports of the same data differ."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {key: _steady(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_steady(item) for item in value]
    return value


def _altair_settings_lock():
    """Altair's theme and data transformer are global to the process, and Streamlit switches both while it
    draws a chart on a page (to no theme, and data sent as Arrow references), under a lock of its own. A
    report built on Streamlit's download thread at that moment got a spec without the default sizes or
    without its data: the half-drawn and blank charts. Take the same lock when Streamlit is loaded (core
    never imports it); the name is private to the pinned Streamlit 1.67."""
    module = sys.modules.get("streamlit.elements.vega_charts")
    return getattr(module, "_altair_globals_lock", None) or nullcontext()


def _chart_dict(chart) -> dict:
    """The spec with Altair's own defaults, whatever another thread has switched them to."""
    import altair as alt

    with _altair_settings_lock(), alt.theme.enable("default"), alt.data_transformers.enable("default"):
        return chart.to_dict()


def _spec(chart) -> str:
    """The chart's spec as text that depends on what is drawn only: Altair's defaults, steady numbers, and
    datasets named by their place rather than by a hash of their (noisy) values."""
    spec = _steady(_chart_dict(chart))
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    for index, name in enumerate(spec.get("datasets", {})):
        text = text.replace(json.dumps(name), json.dumps(f"shoplens-data-{index}"))
    return text


def svg(chart) -> str:
    """The chart as an SVG element, drawn by Vega's own renderer with no browser and no network.

    The renderer numbers gradients by how many it has drawn before; they are named after the chart
    instead, so the same chart is the same SVG and two charts in one report never share an id."""
    spec = _spec(chart)
    drawing = _worker.submit(_draw, spec).result(timeout=RENDER_TIMEOUT_SECONDS)
    tag = hashlib.sha1(spec.encode()).hexdigest()[:10]
    return re.sub(r"gradient_(\d+)", lambda m: f"gradient_{tag}_{m.group(1)}", drawing) if "gradient_" in drawing else drawing
