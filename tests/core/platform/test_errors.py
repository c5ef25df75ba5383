"""One place words every DuckDB and file error; the same text reaches the app and the CLI."""

from __future__ import annotations

import errno

import duckdb
import pytest

from core.platform.errors import WorkspaceBusy, is_unexpected, user_message
from core.platform.workspace import Workspace


def test_a_damaged_file_is_named_and_explained(data_dir):
    damaged = data_dir / "shop.duckdb"
    damaged.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(Exception) as caught:
        Workspace(damaged).open()
    assert caught.value.key == "error.workspace_corrupt"
    assert caught.value.text("zh").startswith("工作区文件“shop”已损坏")


@pytest.mark.parametrize(("error", "key"), [
    (duckdb.IOException('Could not set lock on file "x.duckdb": Conflicting lock is held'), "error.workspace_busy"),
    (duckdb.ConstraintException('Duplicate key "a: 1" violates primary key constraint.'), "error.constraint"),
    (duckdb.IOException("Could not write file: No space left on device"), "error.disk_full"),
    (OSError(errno.ENOSPC, "No space left on device"), "error.disk_full"),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/shop.duckdb"), "error.file_permission"),
    (duckdb.OutOfMemoryException("could not allocate block"), "error.out_of_memory"),
    (duckdb.BinderException("Referenced column x not found"), "error.database"),
])
def test_each_cause_gets_its_own_message(error, key):
    message = user_message(error, "shop")
    assert message.key == key
    assert not is_unexpected(message)
    assert "{" not in message.text("en") and "{" not in message.text("zh")  # every placeholder filled


def test_a_busy_file_keeps_its_own_type_and_an_unknown_error_is_unexpected():
    assert isinstance(user_message(duckdb.IOException("Could not set lock on file"), "shop"), WorkspaceBusy)
    assert is_unexpected(user_message(ZeroDivisionError("division by zero")))
