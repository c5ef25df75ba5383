"""A workspace's secret key, kept in a file of its own outside the workspace file.

DuckDB cannot write an encrypted database offline (see FACTS.md), so personal data is protected field by
field instead: customer keys become keyed pseudonyms and contact details are encrypted. Both need a key
that does not travel with the `.duckdb` file: whoever copies the workspace alone gets pseudonyms and
ciphertext, not people. The key file sits in `.keys/` beside the workspace (or in SHOPLENS_KEY_DIR),
named by the workspace's id, readable by its owner only (0600, folder 0700).

The workspace remembers a check value of its key (`key_check` in workspace_meta), so a missing or wrong
key file is refused instead of silently minting a new key, which would split every customer in two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.platform.i18n import Message

KEY_DIR_ENV = "SHOPLENS_KEY_DIR"
KEY_FOLDER = ".keys"
KEY_BYTES = 32
NONCE_BYTES = 12  # AES-GCM's standard nonce, random per value
CHECK_META = "key_check"  # workspace_meta: HMAC of a fixed text under the key; tells the right key file
PSEUDONYM_INFO = b"shoplens/pseudonym/v1"
CONTACTS_INFO = b"shoplens/contacts/v1"


class KeyFileError(Message):
    """The key file is missing, unreadable or not this workspace's: nothing personal can be read or written."""


@dataclass(frozen=True)
class WorkspaceKeys:
    """The two keys derived from the file's key: one for pseudonyms (HMAC), one for contacts (AES-GCM).

    Derived apart (HKDF, with different labels) so neither use can help attack the other."""

    pseudonym: bytes
    contacts: bytes
    check: str

    def pseudonym_of(self, normalised: str) -> str:
        """'cu_' and 16 hex digits of HMAC-SHA256: stable for one workspace, unrelated between workspaces."""
        return "cu_" + hmac.new(self.pseudonym, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def encrypt(self, text: str, context: str) -> bytes:
        """nonce || AES-GCM ciphertext; `context` (customer and field) is authenticated, so a value moved to
        another row no longer decrypts."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.contacts).encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))

    def encrypt_many(self, texts: list[str], contexts: list[str]) -> list[bytes]:
        """`encrypt` for a batch: one cipher object and one call for all the nonces (per-value set-up was
        most of the cost of encrypting 300k contacts)."""
        seal = AESGCM(self.contacts).encrypt
        nonces = os.urandom(NONCE_BYTES * len(texts))
        out = []
        for i, (text, context) in enumerate(zip(texts, contexts)):
            nonce = nonces[i * NONCE_BYTES:(i + 1) * NONCE_BYTES]
            out.append(nonce + seal(nonce, text.encode("utf-8"), context.encode("utf-8")))
        return out

    def hmac_pads(self) -> tuple[bytes, bytes]:
        """The pseudonym key padded to SHA-256's block and XORed with HMAC's ipad and opad (RFC 2104), so
        DuckDB can work pseudonyms out with sha256 (sql/macros.sql `pseudonym`), equal to `pseudonym_of`."""
        block = self.pseudonym.ljust(64, b"\0")
        return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)

    def decrypt(self, blob: bytes, context: str) -> str:
        blob = bytes(blob)
        return AESGCM(self.contacts).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")


def key_dir(workspace_path: Path) -> Path:
    """SHOPLENS_KEY_DIR if set (keys on another disk than the data), else `.keys` beside the workspace file."""
    configured = os.environ.get(KEY_DIR_ENV)
    return Path(configured) if configured else Path(workspace_path).resolve().parent / KEY_FOLDER


def key_path(workspace_path: Path, workspace_id: str) -> Path:
    if not workspace_id or any(c not in "0123456789abcdef-" for c in workspace_id.lower()):
        raise KeyFileError("error.key_unreadable", name=Path(workspace_path).stem)  # never a path from odd meta text
    return key_dir(workspace_path) / f"{workspace_id}.key"


def _derive(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def derive(secret: bytes, workspace_id: str) -> WorkspaceKeys:
    salt = workspace_id.encode("utf-8")
    pseudonym = _derive(secret, salt, PSEUDONYM_INFO)
    check = hmac.new(pseudonym, b"shoplens key check", hashlib.sha256).hexdigest()[:16]
    return WorkspaceKeys(pseudonym=pseudonym, contacts=_derive(secret, salt, CONTACTS_INFO), check=check)


def _create(path: Path) -> None:
    """A new random key, written whole or not at all: to a private temp file, then linked to its name
    (which fails if another process made it first; then that one's key is used)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
    finally:
        temp.unlink(missing_ok=True)


def _read(path: Path, name: str) -> bytes:
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError("error.key_missing", name=name, path=str(path)) from None
    except OSError:
        raise KeyFileError("error.key_unreadable", name=name) from None
    if len(secret) != KEY_BYTES:
        raise KeyFileError("error.key_unreadable", name=name)
    return secret


def keys_for(workspace, create: bool = True) -> WorkspaceKeys:
    """The workspace's keys, the key file made on first need (`create`) when the workspace has never used one.

    A workspace that has (its `key_check` is set) must find the same key again: a missing or different
    file is refused, since a new key would give every known customer a new pseudonym."""
    workspace_id = workspace.meta("workspace_id")
    path = key_path(workspace.path, workspace_id)
    expected = workspace.meta(CHECK_META)
    if not path.exists():
        if expected is not None or not create:
            raise KeyFileError("error.key_missing", name=workspace.display_name, path=str(path))
        _create(path)
    keys = derive(_read(path, workspace.display_name), workspace_id)
    if expected is not None and not hmac.compare_digest(expected, keys.check):
        raise KeyFileError("error.key_wrong", name=workspace.display_name, path=str(path))
    return keys


def remember(cur, keys: WorkspaceKeys) -> None:
    """Record the key's check value in the workspace, inside the caller's transaction (first personal write)."""
    cur.execute("insert or replace into workspace_meta values (?, ?)", [CHECK_META, keys.check])


RESULTS_KEY_FILE = "kept-results.key"


def results_key(workspace_path: Path) -> bytes:
    """The key that signs kept results (core/platform/kept_results.py), one per key folder, made on first need:
    a result is only unpickled when this machine's ShopLens signed it."""
    path = key_dir(workspace_path) / RESULTS_KEY_FILE
    if not path.exists():
        _create(path)
    return _read(path, path.stem)
