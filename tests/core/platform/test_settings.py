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


def test_within_a_page_run_the_versions_are_read_once_and_again_after_a_write(workspace, monkeypatch):
    from core.platform.workspace import Workspace, versions_read_once

    settings.put(workspace, "customers.touch_plan", [{"tier": "VIP"}])
    cursors = []
    plain = Workspace.cursor
    monkeypatch.setattr(Workspace, "cursor", lambda self: cursors.append(1) or plain(self))
    with versions_read_once():
        keys = [workspace.cache_key(("customers.touch_plan",)) for _ in range(20)]
        read_before_write = len(cursors)
        # edge case: a save in the middle of the run; the rest of the run sees its version
        settings.put(workspace, "customers.touch_plan", [{"tier": "VIP", "content": "new text"}])
        after = workspace.cache_key(("customers.touch_plan",))
        with versions_read_once():  # a section inside the page: the page's reading holds
            inner = workspace.cache_key(("customers.touch_plan",))
    assert read_before_write == 1
    assert {key[2] for key in keys} == {1} and after[2] == inner[2] == 2
    assert workspace.cache_key(("customers.touch_plan",))[2] == 2  # outside a run: read at every call
