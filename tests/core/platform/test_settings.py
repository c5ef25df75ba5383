"""Settings keep their own version: saving one moves neither the data version nor other keys' versions."""

from core.platform import settings


def test_settings_round_trip_with_a_version_of_their_own(workspace):
    assert settings.get(workspace, "tiers", {"vip_days": 30}) == {"vip_days": 30}
    settings.put(workspace, "tiers", {"vip_days": 45, "names": ["VIP", "潜力"]})
    assert settings.get(workspace, "tiers") == {"vip_days": 45, "names": ["VIP", "潜力"]}
    assert workspace.data_version == 0  # no data changed: no cached data result is thrown away
    assert workspace.settings_version(("tiers",)) == 1


def test_a_key_s_version_moves_only_when_that_key_is_saved(workspace):
    settings.put(workspace, "customers.tier_thresholds", {"vip_min_frequency": 3})
    settings.put(workspace, "customers.touch_plan", [{"tier": "VIP"}])
    settings.put(workspace, "customers.touch_plan", [{"tier": "VIP", "content": "new text"}])
    # the touch plan was saved at versions 2 and 3; the thresholds still stand at 1
    assert workspace.settings_version(("customers.tier_thresholds",)) == 1
    assert workspace.settings_version(("customers.touch_plan",)) == 3
    assert workspace.settings_version(("customers.tier_thresholds", "customers.touch_plan")) == 3
    assert workspace.settings_version(("never.saved",)) == 0
    assert workspace.settings_version(()) == 0
