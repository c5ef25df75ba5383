"""Channel roles: search, feed, social, testing or other, which set the playbook's starting split
(search 40%, feed 30%, social 20%, testing 10%) and which channels the test cap limits."""

from __future__ import annotations

from core.platform import settings
from core.platform.workspace import Workspace

ROLE_SHARES = {"search": 0.40, "feed": 0.30, "social": 0.20, "testing": 0.10}
OTHER = "other"  # outside the playbook's split: such a channel keeps its current share
ROLES = (*ROLE_SHARES, OTHER)
ROLES_KEY = "budget.roles"
ROLE_WORDS = (  # checked in this order: a "search test" channel is a test
    ("testing", ("test", "测试")),
    ("search", ("search", "sem", "搜索")),
    ("feed", ("feed", "信息流", "ads")),
    ("social", ("social", "社交", "douyin", "tiktok", "wechat", "抖音", "微信")),
)


def role_for(channel: str) -> str:
    """A first guess from the channel's name; the owner corrects it in the page."""
    name = channel.lower()
    for role, words in ROLE_WORDS:
        if any(word in name for word in words):
            return role
    return OTHER


def load_roles(workspace: Workspace, channels) -> dict[str, str]:
    """Each channel's saved role, or the guess from its name; a saved role we no longer know is ignored."""
    saved = settings.get(workspace, ROLES_KEY) or {}
    return {c: saved[c] if saved.get(c) in ROLES else role_for(c) for c in channels}


def save_roles(workspace: Workspace, roles: dict[str, str]) -> None:
    unknown = sorted({role for role in roles.values() if role not in ROLES})
    if unknown:
        raise ValueError(f"unknown channel roles: {unknown}")
    settings.put(workspace, ROLES_KEY, dict(roles))


def capped_channels(roles: dict[str, str]) -> list[str]:
    """The channels whose budget the test cap limits."""
    return [channel for channel, role in roles.items() if role == "testing"]


def default_split(roles: dict[str, str], current: dict[str, float] | None = None) -> dict[str, float]:
    """The playbook's split by role (search 40%, feed 30%, social 20%, testing 10%), shared evenly within a role.

    'Other' channels keep their share of the current spend and the roles share the rest; a role nobody
    fills gives its weight to the filled ones in proportion. Shares sum to 1."""
    if not roles:
        return {}
    today = {c: max(0.0, (current or {}).get(c, 0.0)) for c in roles}
    spent = sum(today.values())
    members = {role: [c for c, r in roles.items() if r == role] for role in ROLE_SHARES}
    filled = {role: share for role, share in ROLE_SHARES.items() if members[role]}
    if not filled:  # nothing to split by role: keep today's shares, or share evenly
        return {c: today[c] / spent if spent else 1 / len(roles) for c in roles}
    split = {c: today[c] / spent if spent else 0.0 for c, role in roles.items() if role == OTHER}
    rest = 1 - sum(split.values())
    for role, share in filled.items():
        for name in members[role]:
            split[name] = rest * share / sum(filled.values()) / len(members[role])
    return {c: split[c] for c in roles}
