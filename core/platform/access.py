"""Private workspaces on a shared server (issue 15): a passphrase per workspace, hashed with argon2id.

Locally (the app on 127.0.0.1) nothing asks for it; served to a team, a session sees the workspaces' names
but opens a protected one only after unlocking it. Failed attempts are rate-limited per visitor: 5 failures
of one visitor within 15 minutes refuse that visitor for 15 minutes, so a guesser cannot lock the owner
out; 50 failures of all visitors together within 15 minutes refuse everyone for 15 minutes, so many
addresses do not buy many guesses. Protecting and every attempt are written to the workspace's
`personal_audit` table (sql/migrations/011_contacts.sql), whose failure rows are also the rate limit's
memory, so a server restart does not reset it. Core never reads Streamlit's config: the page layer passes
the server address to `shared_mode` and the visitor's address to `unlock`.
"""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from core.platform.i18n import Message
from core.platform.transactions import transaction

HASH_META = "passphrase_hash"  # workspace_meta key: the argon2id hash; its presence makes the workspace protected
MIN_LENGTH = 10
MAX_FAILURES = 5  # of one visitor
MAX_FAILURES_ALL = 50  # of every visitor together: a guesser with many addresses
WINDOW = timedelta(minutes=15)  # 5 failures within it lock attempts for as long again
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SHARED_ENV = "SHOPLENS_SHARED"

# The library's defaults (RFC 9106 second choice: t=3, m=64 MiB, p=4), argon2id said explicitly.
_hasher = PasswordHasher(type=Type.ID)


class PassphraseTooShort(Message):
    """A passphrase a guesser would find quickly."""


class TooManyAttempts(Message):
    """Attempts refused for a while after repeated failures."""


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # the audit's `timestamp` column holds naive UTC


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "-"


def _audit(cur, action: str, when: datetime, who: str | None) -> None:
    cur.execute("insert into personal_audit (logged_at, action, what, rows, who) values (?, ?, 'passphrase', 0, ?)",
                [when, action, who or _who()])


def shared_mode(server_address: str | None) -> bool:
    """Whether the app is served beyond this machine: SHOPLENS_SHARED=1, or a server address other than
    loopback (None or "" is Streamlit's "every interface", so shared too)."""
    return os.environ.get(SHARED_ENV) == "1" or (server_address or "") not in LOOPBACK


def is_protected(workspace) -> bool:
    return workspace.meta(HASH_META) is not None


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase a guesser would find quickly, before anything is written."""
    if len(passphrase) < MIN_LENGTH:
        raise PassphraseTooShort("access.too_short", min=MIN_LENGTH)


def protect(workspace, passphrase: str, who: str | None = None, now: Callable[[], datetime] = _utc_now) -> None:
    """Set (or replace) the workspace's passphrase; the demo refuses, as it refuses every write."""
    check_passphrase(passphrase)
    digest = _hasher.hash(passphrase)
    with transaction(workspace) as cur:
        workspace.set_meta(cur, HASH_META, digest)
        _audit(cur, "protect", now(), who)


def unprotect(workspace, who: str | None = None, now: Callable[[], datetime] = _utc_now) -> None:
    """Remove the passphrase: the owner's shell only (`protect --remove`), never the shared app."""
    with transaction(workspace) as cur:
        cur.execute("delete from workspace_meta where key = ?", [HASH_META])
        _audit(cur, "unprotect", now(), who)


def locked_until(failures: list[datetime], limit: int = MAX_FAILURES) -> datetime | None:
    """The end of the latest lock-out: each run of `limit` failures within WINDOW locks for WINDOW
    from its last failure (refused attempts are not failures, so waiting it out always works)."""
    ends = [failures[i] + WINDOW for i in range(limit - 1, len(failures))
            if failures[i] - failures[i - limit + 1] <= WINDOW]
    return max(ends, default=None)


def _failures(cur, since: datetime, who: str | None) -> list[datetime]:
    """Failed attempts after `since`, of one visitor (`who`) or of everyone (None)."""
    rows = cur.execute("select logged_at from personal_audit where action = 'unlock_failed' and logged_at > ?"
                       " and (? is null or who = ?) order by logged_at", [since, who, who]).fetchall()
    return [row[0] for row in rows]


def unlock(workspace, passphrase: str, who: str | None = None, now: Callable[[], datetime] = _utc_now) -> bool:
    """Whether `passphrase` opens the workspace (an unprotected one opens without). `who` names the visitor
    (the app passes its network address): the limit counts each visitor's failures since their last success,
    and everyone's together. Raises TooManyAttempts while locked out. Checked and recorded under the
    workspace's write lock, so parallel guesses queue."""
    if workspace.is_demo or not is_protected(workspace):
        return True
    who = who or _who()
    with transaction(workspace) as cur:
        when = now()
        since = when - 2 * WINDOW
        last_ok = cur.execute("select max(logged_at) from personal_audit where action = 'unlock_ok' and who = ?",
                              [who]).fetchone()[0]
        mine = _failures(cur, max(since, last_ok) if last_ok is not None else since, who)
        ends = [locked_until(mine), locked_until(_failures(cur, since, None), MAX_FAILURES_ALL)]
        until = max((end for end in ends if end is not None), default=None)
        if until is not None and when < until:
            _audit(cur, "unlock_refused", when, who)
            refused = math.ceil((until - when).total_seconds() / 60)
        else:
            refused = None
            try:
                ok = _hasher.verify(workspace.meta(HASH_META), passphrase)
            except (VerificationError, InvalidHashError):
                ok = False
            _audit(cur, "unlock_ok" if ok else "unlock_failed", when, who)
    if refused is not None:  # raised after the commit, so the refused attempt stays in the audit
        raise TooManyAttempts("access.too_many_attempts", minutes=refused)
    return ok


def change(workspace, current: str, new: str, who: str | None = None, now: Callable[[], datetime] = _utc_now) -> bool:
    """Replace the passphrase once the current one is given (checked like an unlock, rate limit included);
    False, and nothing changed, when it is wrong."""
    check_passphrase(new)
    if is_protected(workspace) and not unlock(workspace, current, who=who, now=now):
        return False
    protect(workspace, new, who=who, now=now)
    return True
