"""The encrypted backup `add --backup` and `import --backup` keep: an Aegis vault file on the PC.

The token never gives a key back, so the moment an account passes through this computer is the only moment a
second token can be made from it later. The file is an encrypted Aegis vault (version 1, db version 3): Aegis
opens it, and `totpfob import FILE` reads it back. Its layout: a password slot (scrypt n=2^15, r=8, p=1 over a
32-byte salt) seals a random 256-bit master key with AES-256-GCM; the master key seals the JSON list of entries.
There is no plain-text backup.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from .account import Account
from .errors import UserError
from .i18n import N_, _
from .importers import BadInput, aegis, load_json

SCRYPT = {"n": 32768, "r": 8, "p": 1}
WARNING = N_("whoever has this file and its password has the keys of every account in it: keep it (and the password)"
             " apart from the token, e.g. on a USB stick in a drawer, and never send it by e-mail")


class Backup:
    """An open backup: its master key and its accounts, ready to take more. ``created`` when it is new."""

    def __init__(self, path: Path, header: dict, key: bytes, db: dict, created: bool):
        self.path, self._header, self._key, self._db, self.created = path, header, key, db, created

    def __repr__(self) -> str:
        return "Backup(%s)" % self.path  # never the key

    @classmethod
    def open(cls, path: str | os.PathLike[str], password: Callable[[bool], str]) -> Backup:
        """Open the backup at path, or prepare a new one there; password(new) asks for the password (twice when
        new). UserError when the file is not such a backup, the password does not open it, or its folder does not
        take a new file (checked first: before a password is asked for, before any token is written)."""
        where = Path(path)
        _probe(where)
        if not where.exists():
            return cls._new(where, password(True))
        try:
            doc = load_json(where.read_bytes())
        except OSError as exc:
            raise UserError(_("the backup %s cannot be read (%s)") % (where, exc.strerror or "error")) from None
        if not (isinstance(doc, dict) and isinstance(doc.get("header"), dict) and isinstance(doc.get("db"), str)):
            raise UserError(_("%s is not an encrypted Aegis backup; give a new file name for the backup") % where)
        try:
            key = aegis.master_key(doc, password(False))
            db = aegis.open_db(doc, key)
        except BadInput as exc:
            raise UserError(_("the backup %s: %s") % (where, exc)) from None
        return cls(where, doc["header"], key, db, created=False)

    @classmethod
    def _new(cls, path: Path, password: str) -> Backup:
        if not password:
            raise UserError(_("the backup needs a password; an empty one would leave the keys readable"))
        key, salt = secrets.token_bytes(32), secrets.token_bytes(32)
        slot_key = aegis.derive(password, dict(SCRYPT, salt=salt.hex()))
        nonce = secrets.token_bytes(12)
        sealed = _seal(slot_key, nonce, key)
        slot = dict({"type": aegis.PASSWORD_SLOT, "uuid": str(uuid.uuid4()), "key": sealed[:-16].hex(),
                     "key_params": {"nonce": nonce.hex(), "tag": sealed[-16:].hex()}}, **SCRYPT, salt=salt.hex())
        header = {"slots": [slot], "params": None}
        return cls(path, header, key, {"version": 3, "entries": [], "groups": []}, created=True)

    def append(self, accounts: Sequence[Account]) -> None:
        """Add the accounts (one already in the backup under the same name is replaced: its key changed), then
        write the file anew, atomically, readable by its owner only."""
        entries = self._db.setdefault("entries", [])
        for account in accounts:
            entries[:] = [e for e in entries if not (isinstance(e, dict) and e.get("issuer", "") == account.issuer
                                                     and e.get("name") == account.label)]
            entries.append(_entry(account))
        nonce = secrets.token_bytes(12)
        sealed = _seal(self._key, nonce, json.dumps(self._db).encode("utf-8"))
        self._header["params"] = {"nonce": nonce.hex(), "tag": sealed[-16:].hex()}
        doc = {"version": 1, "header": self._header, "db": base64.b64encode(sealed[:-16]).decode("ascii")}
        self._write(json.dumps(doc, indent=4).encode("utf-8"))

    def _write(self, data: bytes) -> None:
        folder = _folder(self.path)
        try:
            handle, temp = tempfile.mkstemp(prefix=".totpfob-backup-", dir=folder)
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError as exc:
            raise UserError(_("the backup %s could not be written (%s)") % (self.path, exc.strerror or "error")
                            ) from None


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _probe(path: Path) -> None:
    """UserError when the backup at path could not be written: its folder does not take a new file (the file is
    written anew beside itself, then moved in place), or the name is taken by a folder."""
    if path.is_dir():
        raise UserError(_("the backup %s is a folder; give a file name for the backup") % path)
    try:
        handle, temp = tempfile.mkstemp(prefix=".totpfob-backup-", dir=_folder(path))
        os.close(handle)
        os.unlink(temp)
    except OSError as exc:
        raise UserError(_("the backup %s cannot be written there (%s); nothing was changed")
                        % (path, exc.strerror or "error")) from None


def _seal(key: bytes, nonce: bytes, plain: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).encrypt(nonce, plain, None)


def _entry(account: Account) -> dict:
    """An Aegis vault entry (db version 3) for the account."""
    secret = base64.b32encode(account.secret or b"").decode("ascii").rstrip("=")
    return {"type": "totp", "uuid": str(uuid.uuid4()), "name": account.label, "issuer": account.issuer, "note": "",
            "favorite": False, "icon": None,
            "info": {"secret": secret, "algo": account.algorithm.upper(), "digits": account.digits,
                     "period": account.period},
            "groups": []}
