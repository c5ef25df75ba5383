from core.platform import settings


def test_settings_round_trip_and_move_the_data_version(workspace):
    assert settings.get(workspace, "tiers", {"vip_days": 30}) == {"vip_days": 30}
    settings.put(workspace, "tiers", {"vip_days": 45, "names": ["VIP", "潜力"]})
    assert settings.get(workspace, "tiers") == {"vip_days": 45, "names": ["VIP", "潜力"]}
    assert workspace.data_version == 1
