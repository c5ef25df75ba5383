"""Channel roles: guesses from names, the playbook split they give, roles saved per workspace."""

from __future__ import annotations

import pytest

from core.budget import roles as channel_roles

GUESSED = {"Baidu SEM": "search", "信息流": "feed", "Douyin": "social", "test lab": "testing"}


def test_roles_are_guessed_from_names():
    assert {name: channel_roles.role_for(name) for name in GUESSED} == GUESSED
    assert channel_roles.role_for("Search test") == "testing"  # a test is a test whatever it tests
    assert channel_roles.role_for("email") == "other"


@pytest.mark.parametrize("roles, current", [
    (GUESSED, None), ({"search": "search", "newsletter": "other"}, {"search": 300, "newsletter": 100}),
    ({"a": "other", "b": "other"}, None), ({"a": "other", "b": "other"}, {"a": 1, "b": 3}), ({"only": "feed"}, {})])
def test_default_split_sums_to_one(roles, current):
    split = channel_roles.default_split(roles, current)
    assert set(split) == set(roles) and sum(split.values()) == pytest.approx(1.0)


def test_default_split_by_role():
    assert channel_roles.default_split(GUESSED) == pytest.approx(
        {"Baidu SEM": 0.4, "信息流": 0.3, "Douyin": 0.2, "test lab": 0.1})
    # 'other' keeps its quarter of today's spend; search and feed share the rest 40:30
    split = channel_roles.default_split({"search": "search", "feed": "feed", "email": "other"},
                                        {"search": 50, "feed": 25, "email": 25})
    assert split == pytest.approx({"search": 0.75 * 4 / 7, "feed": 0.75 * 3 / 7, "email": 0.25})
    # two channels in one role share it evenly
    split = channel_roles.default_split({"s": "search", "f": "feed", "x": "social", "y": "social", "t": "testing"})
    assert split["x"] == split["y"] == pytest.approx(0.1)
    # only 'other' channels: today's shares, or even shares without spend
    assert channel_roles.default_split({"a": "other", "b": "other"}, {"a": 1, "b": 3}) == pytest.approx({"a": 0.25, "b": 0.75})
    assert channel_roles.default_split({"a": "other", "b": "other"}) == pytest.approx({"a": 0.5, "b": 0.5})


def test_roles_are_saved_per_workspace(workspace):
    channels = ["search", "email", "lab"]
    assert channel_roles.load_roles(workspace, channels) == {"search": "search", "email": "other", "lab": "other"}
    channel_roles.save_roles(workspace, {"email": "social", "lab": "testing"})
    roles = channel_roles.load_roles(workspace, channels)
    assert roles == {"search": "search", "email": "social", "lab": "testing"}
    assert channel_roles.capped_channels(roles) == ["lab"]
    with pytest.raises(ValueError):
        channel_roles.save_roles(workspace, {"email": "newsletter"})
    assert channel_roles.load_roles(workspace, channels) == roles  # the refused save changed nothing
