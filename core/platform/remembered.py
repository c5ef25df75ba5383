"""A few recent results of a costly query kept in this process, for every caller at once.

The page, its background work and other pages all ask for the same per-customer frame (say the RFM numbers on
one day): kept here, a change of tier lines reassigns tiers to a frame already read instead of reading it again.
The key is what the result depends on: the workspace (its id), its data version, the version of the settings
named, and the arguments; a load or a saved setting makes a new key, so nothing stale is ever handed out.
Results are shared, so callers treat them as read-only (`assign`, never item assignment).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from core.platform.services import reads_settings

Function = TypeVar("Function", bound=Callable)


MAX_BYTES = 256 << 20  # per function: a 1M-line shop's RFM frame holds 23 MB, a 10M-line shop's ten times that


def remembered(*settings_keys: str, size: int = 4, max_bytes: int = MAX_BYTES) -> Callable[[Function], Function]:
    """Keep the `size` latest results of `function(workspace, *args)`, which reads the settings `settings_keys`,
    and fewer when their frames hold more than `max_bytes` (the latest is always kept).
    Two callers asking at once may both compute it; the second answer replaces the first, equal to it."""

    def wrap(function: Function) -> Function:
        kept: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def call(workspace, *args):
            key = (workspace.cache_key(settings_keys), args)
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key][0]
            value = function(workspace, *args)
            with lock:
                kept[key] = (value, _bytes(value))
                while len(kept) > size or (len(kept) > 1 and sum(held for _, held in kept.values()) > max_bytes):
                    kept.popitem(last=False)
            return value

        return reads_settings(*settings_keys)(call)

    return wrap


def _bytes(value: object) -> int:
    """What a kept frame holds: its arrays (the text of repeated labels is shared, so counted as pointers)."""
    pandas = sys.modules.get("pandas")  # not imported here: the CLI's ingest imports this module and no pandas
    return int(value.memory_usage(index=True, deep=False).sum()) if pandas and isinstance(value, pandas.DataFrame) else 0
