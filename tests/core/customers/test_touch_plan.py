"""The touch plan and its caps, each at its edge."""

from dataclasses import replace

import pytest

from core.customers import touch_plan as playbook
from core.customers.touch_plan import DEFAULT_PLAN, cap_warnings


def test_the_default_plan_respects_every_cap():
    # VIPs ordering 6 times a year: 4 offers at 10% cover 4/6 of orders -> 6.7% of spend
    assert cap_warnings(DEFAULT_PLAN, vip_orders_per_year=6) == []


@pytest.mark.parametrize(("sms", "warned"), [(2, False), (3, True)])
def test_sms_cap_at_its_edge(sms, warned):
    plan = [replace(DEFAULT_PLAN[1], sms_per_month=sms)]
    assert bool(cap_warnings(plan, None)) is warned


def test_phone_cap_and_vip_discount_cap():
    vip = replace(DEFAULT_PLAN[0], calls_per_quarter=2, offers_per_year=6, discount_percent=15)
    keys = [key for key, _ in cap_warnings([vip], vip_orders_per_year=6)]
    assert keys == ["plan.warn.calls"]  # 15% on every order is exactly the cap
    vip = replace(vip, calls_per_quarter=1, discount_percent=16)
    assert cap_warnings([vip], vip_orders_per_year=6) == [("plan.warn.vip_discount", {"share": "16%", "cap": "15%"})]
    assert playbook.vip_discount_share(replace(vip, offers_per_year=3), 6) == pytest.approx(0.08)


def test_the_plan_is_saved_per_workspace(workspace):
    plan = playbook.load_plan(workspace)
    plan[3].content = "Comeback gift"
    playbook.save_plan(workspace, plan)
    assert playbook.load_plan(workspace)[3].content == "Comeback gift"
    assert [t.tier for t in playbook.load_plan(workspace)] == list(playbook.TIERS)
