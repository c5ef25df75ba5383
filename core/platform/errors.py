"""Every DuckDB and file error becomes one titled message a shop owner can act on: the app and the
CLI both ask here, so a locked file reads the same in a browser and in a terminal."""

from __future__ import annotations

import errno

import duckdb

from core.platform.i18n import Message


class WorkspaceError(Message):
    """A problem with the workspace file itself; the message says what and where."""


class WorkspaceBusy(WorkspaceError):
    """Another process holds the file."""


class WorkspaceReadOnly(WorkspaceError):
    """The demo shop is shown as it is: nothing writes to it."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _is_disk_full(error: BaseException) -> bool:
    text = str(error).lower()
    return getattr(error, "errno", None) == errno.ENOSPC or "no space left" in text or "disk is full" in text


def user_message(error: BaseException, workspace: str | None = None) -> Message:
    """The message for `error`, naming the workspace where one is known; `error.unexpected` for what we
    cannot explain (the caller logs those with their traceback)."""
    if isinstance(error, Message):
        return error
    name = workspace or "-"
    text = str(error).lower()
    if _is_disk_full(error):
        return WorkspaceError("error.disk_full", name=name)
    if isinstance(error, duckdb.Error):
        if isinstance(error, duckdb.IOException) and "lock" in text:
            return WorkspaceBusy("error.workspace_busy", name=name)
        if "not a valid duckdb database file" in text or "could not read enough bytes" in text or "corrupt" in text \
                or isinstance(error, duckdb.SerializationException):
            return WorkspaceError("error.workspace_corrupt", name=name)
        if isinstance(error, duckdb.ConstraintException):
            return WorkspaceError("error.constraint", name=name, detail=_first_line(error))
        if isinstance(error, duckdb.OutOfMemoryException):
            return WorkspaceError("error.out_of_memory", name=name)
        if isinstance(error, duckdb.PermissionException) or "permission denied" in text:
            return WorkspaceError("error.permission", name=name)
        return WorkspaceError("error.database", name=name, detail=_first_line(error))
    if isinstance(error, PermissionError):
        return WorkspaceError("error.file_permission", file=error.filename or name)
    if isinstance(error, FileNotFoundError):
        return WorkspaceError("error.file_missing", file=error.filename or name)
    if isinstance(error, OSError):
        return WorkspaceError("error.file", file=error.filename or name, detail=error.strerror or _first_line(error))
    return Message("error.unexpected")


def is_unexpected(message: Message) -> bool:
    """Whether the message hides an error we could not explain (worth a traceback in the log)."""
    return message.key == "error.unexpected"
