"""Small writers of the phone apps' export formats, for the import tests: our own fixtures, written from the
formats' descriptions (nothing here is taken from the apps' files). Also an Aegis reader written apart from
totpfob's, to check the backup the way a second program would."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


# -- Google Authenticator: the MigrationPayload protobuf ---------------------------------------------------------

def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # a negative int32 goes out as ten bytes, as protobuf writes it
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb_int(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def pb_bytes(number: int, value: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(value)) + value


GA_ALGORITHMS = {"sha1": 1, "sha256": 2, "sha512": 3, "md5": 4}
GA_DIGITS = {6: 1, 8: 2}


def ga_account(key: bytes, name: str, issuer: str = "", algorithm: str | int = "sha1", digits: int = 6,
               kind: int = 2, counter: int = 0) -> bytes:
    """One OtpParameters message (kind 1 HOTP, 2 TOTP; algorithm/digits 0 = unspecified)."""
    body = pb_bytes(1, key) + pb_bytes(2, name.encode())
    if issuer:
        body += pb_bytes(3, issuer.encode())
    body += pb_int(4, GA_ALGORITHMS.get(algorithm, algorithm) if isinstance(algorithm, str) else algorithm)
    body += pb_int(5, GA_DIGITS.get(digits, digits)) + pb_int(6, kind)
    if counter:
        body += pb_int(7, counter)
    return body


def ga_uri(accounts: list[bytes], index: int = 0, size: int = 1, batch: int = -123456789) -> str:
    payload = b"".join(pb_bytes(1, a) for a in accounts) + pb_int(2, 1) + pb_int(3, size) + pb_int(4, index)
    payload += pb_int(5, batch)
    # Google's apps percent-encode the base64; some encoders leave + and / as they are (both must work).
    return "otpauth-migration://offline?data=" + quote(base64.b64encode(payload).decode(), safe="")


def ga_uri_raw(accounts: list[bytes], index: int = 0, size: int = 1, batch: int = 7) -> str:
    """As ga_uri, but the base64 left unescaped (literal + and /)."""
    payload = b"".join(pb_bytes(1, a) for a in accounts) + pb_int(2, 1) + pb_int(3, size) + pb_int(4, index)
    return "otpauth-migration://offline?data=" + base64.b64encode(payload + pb_int(5, batch)).decode()


# -- otpauth URIs --------------------------------------------------------------------------------------------------

def uri(key: bytes, label: str, issuer: str = "", algorithm: str = "SHA1", digits: int = 6, period: int = 30,
        kind: str = "totp", extra: str = "") -> str:
    name = quote("%s:%s" % (issuer, label) if issuer else label)
    query = "secret=%s&algorithm=%s&digits=%d&period=%d" % (b32(key), algorithm, digits, period)
    if issuer:
        query += "&issuer=" + quote(issuer)
    if kind == "hotp":
        query += "&counter=5"
    return "otpauth://%s/%s?%s%s" % (kind, name, query, extra)


# -- Aegis ---------------------------------------------------------------------------------------------------------

def aegis_entry(key: bytes, label: str, issuer: str = "", algorithm: str = "SHA1", digits: int = 6,
                period: int = 30, kind: str = "totp", db_version: int = 3) -> dict:
    entry = {"type": kind, "uuid": "00000000-0000-4000-8000-%012d" % (abs(hash(label)) % 10**12), "name": label,
             "issuer": issuer, "icon": None,
             "info": {"secret": b32(key), "algo": algorithm, "digits": digits, "period": period}}
    if kind == "hotp":
        entry["info"] = dict(entry["info"], counter=3)
        del entry["info"]["period"]
    if db_version >= 2:
        entry.update(note="", favorite=False)
    if db_version == 2:
        entry["group"] = "Work"
    if db_version >= 3:
        entry["groups"] = ["11111111-1111-4111-8111-111111111111"]
    return entry


def aegis_db(entries: list[dict], db_version: int = 3) -> dict:
    db = {"version": db_version, "entries": entries}
    if db_version >= 3:
        db["groups"] = [{"uuid": "11111111-1111-4111-8111-111111111111", "name": "Work"}]
    return db


def aegis_plain(db: dict) -> bytes:
    return json.dumps({"version": 1, "header": {"slots": None, "params": None}, "db": db}).encode()


def aegis_encrypted(db: dict, password: str, n: int = 2 ** 14) -> bytes:
    master = os.urandom(32)
    salt, slot_nonce, nonce = os.urandom(32), os.urandom(12), os.urandom(12)
    derived = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, maxmem=128 * 1024 * 1024, dklen=32)
    sealed_key = AESGCM(derived).encrypt(slot_nonce, master, None)
    sealed_db = AESGCM(master).encrypt(nonce, json.dumps(db).encode(), None)
    biometric = {"type": 2, "uuid": "b", "key": os.urandom(32).hex(),
                 "key_params": {"nonce": os.urandom(12).hex(), "tag": os.urandom(16).hex()}}
    slot = {"type": 1, "uuid": "p", "key": sealed_key[:-16].hex(),
            "key_params": {"nonce": slot_nonce.hex(), "tag": sealed_key[-16:].hex()},
            "n": n, "r": 8, "p": 1, "salt": salt.hex(), "repaired": True}
    header = {"slots": [biometric, slot], "params": {"nonce": nonce.hex(), "tag": sealed_db[-16:].hex()}}
    return json.dumps({"version": 1, "header": header,
                       "db": base64.b64encode(sealed_db[:-16]).decode()}).encode()


def aegis_open(blob: bytes, password: str) -> dict:
    """Aegis's scheme read independently of totpfob: the password slot's scrypt key opens the master key, which
    opens the db."""
    doc = json.loads(blob)
    assert doc["version"] == 1
    for slot in doc["header"]["slots"]:
        if slot["type"] != 1:
            continue
        derived = hashlib.scrypt(password.encode(), salt=bytes.fromhex(slot["salt"]), n=slot["n"], r=slot["r"],
                                 p=slot["p"], maxmem=128 * 1024 * 1024, dklen=32)
        master = AESGCM(derived).decrypt(bytes.fromhex(slot["key_params"]["nonce"]),
                                         bytes.fromhex(slot["key"] + slot["key_params"]["tag"]), None)
        params = doc["header"]["params"]
        plain = AESGCM(master).decrypt(bytes.fromhex(params["nonce"]),
                                       base64.b64decode(doc["db"]) + bytes.fromhex(params["tag"]), None)
        return json.loads(plain)
    raise AssertionError("no password slot")


# -- 2FAS ------------------------------------------------------------------------------------------------------------

def twofas_service(key: bytes, label: str, issuer: str, algorithm: str = "SHA1", digits: int = 6,
                   period: int = 30, kind: str = "TOTP", schema: int = 4) -> dict:
    otp = {"label": "%s:%s" % (issuer, label), "account": label, "issuer": issuer}
    if schema >= 2:
        otp.update(digits=digits, period=period, algorithm=algorithm)
    if schema >= 3:
        otp.update(tokenType=kind, source="Link")
    if schema >= 4:
        otp["link"] = uri(key, label, issuer, algorithm, digits, period, kind.lower())
    return {"name": issuer, "secret": b32(key), "updatedAt": 1700000000000, "otp": otp,
            "order": {"position": 0}}


def twofas(services: list[dict], schema: int = 4, password: str | None = None) -> bytes:
    doc = {"services": services, "updatedAt": 1700000000000, "schemaVersion": schema, "appVersionCode": 5000000,
           "appOrigin": "android", "groups": []}
    if password is not None:
        salt, nonce = os.urandom(256), os.urandom(12)
        key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000, 32)
        sealed = AESGCM(key).encrypt(nonce, json.dumps(services).encode(), None)
        doc["services"] = []
        doc["servicesEncrypted"] = ":".join(base64.b64encode(part).decode() for part in (sealed, salt, nonce))
    return json.dumps(doc).encode()


# -- andOTP, FreeOTP+, Bitwarden, Proton -------------------------------------------------------------------------------

def andotp_entry(key: bytes, label: str, issuer: str, algorithm: str = "SHA1", digits: int = 6, period: int = 30,
                 kind: str = "TOTP") -> dict:
    return {"secret": base64.b32encode(key).decode(), "issuer": issuer, "label": label, "digits": digits,
            "type": kind, "algorithm": algorithm, "thumbnail": "Default", "last_used": 0, "used_frequency": 0,
            "period": period, "tags": []}


def andotp(entries: list[dict], password: str | None = None, rounds: int = 2000) -> bytes:
    plain = json.dumps(entries).encode()
    if password is None:
        return plain
    salt, nonce = os.urandom(12), os.urandom(12)
    key = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, rounds, 32)
    return rounds.to_bytes(4, "big") + salt + nonce + AESGCM(key).encrypt(nonce, plain, None)


def freeotp(tokens: list[tuple]) -> bytes:
    """tokens: (key, label, issuer, algorithm, digits, period, kind)."""
    out = [{"algo": algorithm, "counter": 0, "digits": digits, "issuerExt": issuer, "issuerInt": issuer,
            "label": label, "period": period, "secret": [b - 256 if b > 127 else b for b in key], "type": kind}
           for key, label, issuer, algorithm, digits, period, kind in tokens]
    return json.dumps({"tokenOrder": ["%s:%s" % (t[2], t[1]) for t in tokens], "tokens": out}).encode()


def bitwarden_json(totps: list[tuple[str, str]]) -> bytes:
    """totps: (item name, totp field)."""
    items = [{"id": str(i), "type": 1, "name": name, "login": {"uris": None, "username": None, "password": None,
                                                                 "totp": totp}}
             for i, (name, totp) in enumerate(totps)]
    return json.dumps({"encrypted": False, "folders": [], "items": items}).encode()


def bitwarden_csv(totps: list[tuple[str, str]]) -> bytes:
    lines = ["folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp"]
    lines += [",,login,%s,,,,,,%s" % (name, totp) for name, totp in totps]
    return ("\n".join(lines) + "\n").encode()


def proton(uris: list[str]) -> bytes:
    entries = [{"id": str(i), "content": {"uri": u, "entry_type": "Totp", "name": "x"}, "note": None}
               for i, u in enumerate(uris)]
    return json.dumps({"version": 1, "entries": entries}).encode()
