"""Private workspaces (issue 15): an argon2id hash in the workspace, rate-limited unlocking, an audit of both."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from core.platform import access
from core.platform.errors import WorkspaceReadOnly
from core.platform.transactions import transaction
from core.platform.workspace import Workspace
from tests.conftest import ROOT, table

PASSPHRASE = "correct horse battery"
START = datetime(2026, 3, 1, 9, 0, 0)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime = START):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def shop(workspace) -> Workspace:
    workspace.open()
    return workspace


def audit(workspace) -> list[tuple[str, datetime]]:
    return table(workspace, "select action, logged_at from personal_audit where what = 'passphrase' order by logged_at, action")


def test_the_stored_hash_is_argon2id_and_not_the_passphrase(shop):
    assert not access.is_protected(shop)
    access.protect(shop, PASSPHRASE)
    stored = shop.meta("passphrase_hash")
    assert access.is_protected(shop)
    assert PASSPHRASE not in stored
    assert extract_parameters(stored).type is Type.ID  # read back by the library itself, not our prefix check
    assert PasswordHasher().verify(stored, PASSPHRASE)  # an independent hasher accepts it
    # edge: two protections of the same passphrase store different hashes (a random salt each time)
    access.protect(shop, PASSPHRASE)
    assert shop.meta("passphrase_hash") != stored


def test_the_right_passphrase_opens_and_a_wrong_one_does_not(shop):
    access.protect(shop, PASSPHRASE)
    assert access.unlock(shop, PASSPHRASE) is True
    assert access.unlock(shop, "correct horse battery ") is False  # edge: one trailing space is another passphrase
    assert access.unlock(shop, "") is False


def test_an_unprotected_workspace_opens_without_a_passphrase(shop):
    # edge: nothing is asked, and nothing is recorded, of a workspace without a passphrase
    assert access.unlock(shop, "anything") is True
    assert audit(shop) == []


def test_the_sixth_attempt_in_the_window_is_refused_until_the_window_has_passed(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, now=clock)
    for _ in range(5):
        clock.advance(seconds=10)
        assert access.unlock(shop, "wrong guess!", now=clock) is False
    # 5 failures between 09:00:10 and 09:00:50: locked until 09:00:50 + 15 min = 09:15:50
    clock.advance(seconds=10)  # 09:01:00, 14 min 50 s left: shown rounded up as 15
    with pytest.raises(access.TooManyAttempts) as refused:
        access.unlock(shop, PASSPHRASE, now=clock)  # even the right passphrase is not tried
    assert refused.value.key == "access.too_many_attempts" and refused.value.params == {"minutes": 15}
    clock.at = START + timedelta(minutes=15, seconds=49)  # edge: one second before the lock ends
    with pytest.raises(access.TooManyAttempts) as refused:
        access.unlock(shop, PASSPHRASE, now=clock)
    assert refused.value.params == {"minutes": 1}
    clock.at = START + timedelta(minutes=15, seconds=50)
    assert access.unlock(shop, PASSPHRASE, now=clock) is True


def test_failures_spread_beyond_the_window_never_lock(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, now=clock)
    for _ in range(8):  # one failure every 4 minutes: any 5 of them span 16 minutes, more than the window
        clock.advance(minutes=4)
        assert access.unlock(shop, "wrong guess!", now=clock) is False
    assert access.unlock(shop, PASSPHRASE, now=clock) is True


def test_a_success_starts_the_count_again(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, now=clock)
    for attempt in ["wrong guess!"] * 4 + [PASSPHRASE] + ["wrong guess!"] * 4:
        clock.advance(seconds=1)
        access.unlock(shop, attempt, now=clock)
    clock.advance(seconds=1)
    # edge: 8 failures within a minute, but only 4 since the success: not locked
    assert access.unlock(shop, PASSPHRASE, now=clock) is True


def test_protect_and_every_attempt_are_audited(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, who="owner", now=clock)
    for _ in range(5):
        clock.advance(seconds=1)
        access.unlock(shop, "wrong guess!", who="app", now=clock)
    clock.advance(seconds=1)
    with pytest.raises(access.TooManyAttempts):
        access.unlock(shop, PASSPHRASE, who="app", now=clock)  # edge: a refused attempt is recorded too
    clock.advance(minutes=20)
    access.unlock(shop, PASSPHRASE, who="app", now=clock)
    expected = [("protect", START)] + [("unlock_failed", START + timedelta(seconds=s)) for s in range(1, 6)] + [
        ("unlock_refused", START + timedelta(seconds=6)), ("unlock_ok", START + timedelta(minutes=20, seconds=6))]
    assert audit(shop) == expected
    assert table(shop, "select distinct who from personal_audit where action like 'unlock%'") == [("app",)]


def test_the_demo_cannot_be_protected(workspace):
    with transaction(workspace) as cur:
        workspace.set_meta(cur, "is_demo", "true")
    with pytest.raises(WorkspaceReadOnly):
        access.protect(workspace, PASSPHRASE)
    assert not access.is_protected(workspace)
    assert access.unlock(workspace, "") is True  # edge: the demo stays open to everyone


def test_a_short_passphrase_is_refused_before_anything_is_written(shop):
    with pytest.raises(access.PassphraseTooShort):
        access.protect(shop, "nine char")  # edge: 9 characters, one short of the minimum
    assert not access.is_protected(shop)
    access.protect(shop, "ten chars!")  # exactly 10 is enough
    assert access.is_protected(shop)


@pytest.mark.parametrize(("address", "env", "shared"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
    ("0.0.0.0", None, True), ("192.168.1.20", None, True),
    (None, None, True),  # edge: no address is Streamlit listening on every interface
    ("127.0.0.1", "1", True), ("127.0.0.1", "0", False),
])
def test_shared_mode(monkeypatch, address, env, shared):
    monkeypatch.delenv(access.SHARED_ENV, raising=False)
    if env is not None:
        monkeypatch.setenv(access.SHARED_ENV, env)
    assert access.shared_mode(address) is shared


def _cli(args: list[str], data_dir, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={"SHOPLENS_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_the_cli_protects_from_stdin_and_refuses_a_short_passphrase(shop, data_dir, tmp_path):
    path = str(shop.path)
    from core.platform.workspace import close_connection

    close_connection(shop.path)  # the CLI is another process: it needs the file's lock
    short = _cli(["protect", "--workspace", path], data_dir, stdin="short\n")
    assert short.returncode == 2
    assert short.stderr == "error: The passphrase is too short: use at least 10 characters.\n"  # one line
    done = _cli(["protect", "--workspace", path], data_dir, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert access.unlock(Workspace(path), PASSPHRASE) is True  # edge: the newline read from stdin is not kept
    close_connection(shop.path)
    secret = tmp_path / "secret.txt"
    secret.write_text("another long passphrase\n", encoding="utf-8")
    assert _cli(["protect", "--workspace", path, "--passphrase-file", str(secret)], data_dir).returncode == 0
    assert access.unlock(Workspace(path), "another long passphrase") is True


def test_a_guesser_locks_only_themselves_out_not_the_owner(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, now=clock)
    for _ in range(5):
        clock.advance(seconds=1)
        assert access.unlock(shop, "wrong guess!", who="app 203.0.113.9", now=clock) is False
    clock.advance(seconds=1)
    with pytest.raises(access.TooManyAttempts):
        access.unlock(shop, "sixth guess!", who="app 203.0.113.9", now=clock)
    # edge: the owner, from another address, opens at once, and their success does not free the guesser
    assert access.unlock(shop, PASSPHRASE, who="app 192.168.1.20", now=clock) is True
    with pytest.raises(access.TooManyAttempts):
        access.unlock(shop, PASSPHRASE, who="app 203.0.113.9", now=clock)


def test_many_addresses_together_are_stopped_at_fifty_failures(shop):
    clock = Clock()
    access.protect(shop, PASSPHRASE, now=clock)
    for n in range(49):  # 49 addresses, one guess each: no visitor reaches 5
        clock.advance(seconds=1)
        assert access.unlock(shop, "wrong guess!", who=f"app 10.0.0.{n}", now=clock) is False
    clock.advance(seconds=1)
    assert access.unlock(shop, PASSPHRASE, who="app owner", now=clock) is True  # 49 are not enough to lock
    clock.advance(seconds=1)
    assert access.unlock(shop, "wrong guess!", who="app 10.0.1.1", now=clock) is False  # the 50th failure
    clock.advance(seconds=1)
    with pytest.raises(access.TooManyAttempts) as refused:
        access.unlock(shop, PASSPHRASE, who="app owner", now=clock)  # now everyone waits, the owner too
    assert refused.value.params == {"minutes": 15}


def test_changing_the_passphrase_asks_for_the_current_one(shop):
    assert access.change(shop, "", PASSPHRASE) is True  # edge: an open workspace gets its first without one
    assert access.change(shop, "not the passphrase", "another long one") is False
    assert access.unlock(shop, PASSPHRASE) is True  # nothing changed
    with pytest.raises(access.PassphraseTooShort):
        access.change(shop, PASSPHRASE, "short")
    assert access.change(shop, PASSPHRASE, "another long one") is True
    assert access.unlock(shop, PASSPHRASE) is False
    assert access.unlock(shop, "another long one") is True


def test_the_cli_removes_a_passphrase(shop, data_dir):
    from core.platform.workspace import close_connection

    access.protect(shop, PASSPHRASE)
    close_connection(shop.path)
    done = _cli(["protect", "--workspace", str(shop.path), "--remove"], data_dir)
    assert done.returncode == 0, done.stderr
    assert not access.is_protected(Workspace(shop.path))
    assert ("unprotect",) in table(Workspace(shop.path), "select action from personal_audit")
