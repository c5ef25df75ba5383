"""Results of slow work kept in the workspace, per data and settings version, so they outlive a restart.

Training the churn model or grouping customers takes seconds on a big shop; the answer only changes when the
data (or a setting the service reads) does. A result is stored in `kept_results` (sql/migrations/013) under
its service, its inputs (the workspace's versions and the arguments) and the data version, pickled and signed
with HMAC-SHA256 under a key kept outside the workspace (core/platform/secrets.py): a workspace file from
elsewhere can carry any bytes, and unpickling runs code, so a payload whose signature does not match is
ignored and the work done again. Results of older data versions are dropped when a new one is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import zlib
from datetime import UTC, datetime

import duckdb

from core.platform.errors import WorkspaceError
from core.platform.secrets import KeyFileError, results_key
from core.platform.transactions import transaction

log = logging.getLogger(__name__)


def _signature(key: bytes, service: str, inputs: str, payload: bytes) -> str:
    message = service.encode() + b"\0" + inputs.encode() + b"\0" + payload
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def inputs_of(versions: tuple, args: tuple) -> str:
    """What a result depends on, as stored: the workspace id, data and settings versions, then the arguments."""
    return repr((tuple(versions), tuple(args)))


def recall(workspace, service: str, inputs: str) -> tuple[bool, object]:
    """(True, result) when a result signed here is kept for exactly these inputs, else (False, None)."""
    try:
        with workspace.cursor() as cur:
            row = cur.execute("select payload, signature from kept_results where service = ? and inputs = ?",
                              [service, inputs]).fetchone()
        if row is None:
            return False, None
        payload = bytes(row[0])
        if not hmac.compare_digest(row[1], _signature(results_key(workspace.path), service, inputs, payload)):
            log.warning("kept result of %s in %s has a foreign signature: ignored", service, workspace.path.name)
            return False, None
        return True, pickle.loads(zlib.decompress(payload))  # noqa: S301 - signed above by this machine's key
    except (duckdb.Error, KeyFileError, OSError, pickle.UnpicklingError, zlib.error, AttributeError, ImportError) as error:
        log.warning("kept result of %s unreadable (%s): worked out again", service, error)
        return False, None


def seconds_of(workspace, service: str) -> float | None:
    """How long the service's latest kept result took to work out; None without one."""
    try:
        with workspace.cursor() as cur:
            row = cur.execute("select seconds from kept_results where service = ? order by made_at desc limit 1",
                              [service]).fetchone()
    except duckdb.Error:
        return None
    return None if row is None else float(row[0])


def keep(workspace, service: str, inputs: str, data_version: int, result: object, seconds: float) -> None:
    """Store `result`; the service's results of other data versions go. Failing to keep is not an error:
    the result is still shown, and worked out again after a restart."""
    try:
        # compressed here, fast (level 1: 7 MB of customer ids and scores to 2-3 MB in 0.06 s, off the page) and
        # stored as is: DuckDB's compression of the column took 0.08 s to read such a result back (migration 016)
        payload = zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), 1)
        signature = _signature(results_key(workspace.path), service, inputs, payload)
        with transaction(workspace, kept_result=True) as cur:
            cur.execute("delete from kept_results where service = ? and (data_version <> ? or inputs = ?)",
                        [service, data_version, inputs])
            cur.execute("insert into kept_results values (?, ?, ?, ?, ?, ?, ?)",
                        [service, inputs, data_version, payload, signature, datetime.now(UTC).replace(tzinfo=None),
                         seconds])
    except (duckdb.Error, KeyFileError, OSError, WorkspaceError, pickle.PicklingError) as error:
        log.warning("could not keep the result of %s (%s)", service, error)
