"""Round steps for amounts: a budget moves by 100, 500 or 1,000, never by 7,615.95."""

from __future__ import annotations

import pytest

from core.budget.steps import nice_step


@pytest.mark.parametrize(("span", "step"), [
    (1_523_190.0, 10_000.0),  # 1,523,190 / 200 = 7,615.95 -> the next round unit, 10,000
    (300.0, 2.0),  # 1.5 -> 2
    (100_000.0, 500.0),  # exactly 500
    (60_000.0, 500.0),  # 300 -> 500
    (40.0, 1.0), (0.0, 1.0),  # never below one unit of money
])
def test_the_step_is_one_two_or_five_times_a_power_of_ten(span, step):
    assert nice_step(span) == step
