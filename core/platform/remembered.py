"""A few recent results of a costly query kept in this process, for every caller at once.

The page, its background work and other pages all ask for the same per-customer frame (say the RFM numbers on
one day): kept here, a change of tier lines reassigns tiers to a frame already read instead of reading it again.
The key is what the result depends on: the workspace (its id), its data version, the version of the settings
named, and the arguments; a load or a saved setting makes a new key, so nothing stale is ever handed out.
Results are shared, so callers treat them as read-only (`assign`, never item assignment).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from core.platform.services import reads_settings

Function = TypeVar("Function", bound=Callable)


def remembered(*settings_keys: str, size: int = 4) -> Callable[[Function], Function]:
    """Keep the `size` latest results of `function(workspace, *args)`, which reads the settings `settings_keys`.
    Two callers asking at once may both compute it; the second answer replaces the first, equal to it."""

    def wrap(function: Function) -> Function:
        kept: OrderedDict[tuple, object] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def call(workspace, *args):
            key = (workspace.cache_key(settings_keys), args)
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key]
            value = function(workspace, *args)
            with lock:
                kept[key] = value
                while len(kept) > size:
                    kept.popitem(last=False)
            return value

        call.forget = kept.clear  # tests
        return reads_settings(*settings_keys)(call)

    return wrap
