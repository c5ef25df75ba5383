"""Steps for amount inputs and sliders in round units (100, 500, 1,000), so a marketer moves a budget by
amounts they would type, never by 7,615.95."""

from __future__ import annotations

import math

NICE = (1, 2, 5)  # 1, 2, 5, 10, 20, 50, ...
STEPS_PER_RANGE = 200  # a slider's range is covered in about this many steps


def nice_step(span: float, steps: int = STEPS_PER_RANGE) -> float:
    """The round unit (1, 2 or 5 times a power of ten, at least 1) closest above span / steps."""
    rough = span / steps if span > 0 else 0.0
    if rough <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    return float(next((n * power for n in NICE if n * power >= rough), 10 * power))
