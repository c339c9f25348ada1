"""Reading the phone apps' exports, format by format (no token needed): what a user relies on is that every
account in the export is found with its settings and key, that what the token cannot take is named with the
reason, that an encrypted export opens with its password only, and that damaged input is one clear error."""

import base64
import json

import import_encoders as enc
import pytest
from totpfob.importers import BadInput, WrongPassword, google, read, sources

UGY = "Ügyfélkapu+"
UGY_KEY = bytes.fromhex("9d3e4a01c2b8f7e65a10")  # 80 bits, as Ügyfélkapu+ hands out
KEY_256 = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d")
KEY_512 = bytes(range(7, 71))  # 64 bytes
HOTP_KEY = bytes.fromhex("aa55aa55aa55aa55aa55aa55")
LONG_512 = bytes(range(100))  # a SHA-512 key longer than the token holds and not longer than a block
PASSWORD = "correct horse"

# (key, label, issuer, algorithm, digits, period): what each format below carries.
TOTP = [(UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY, "SHA1", 6, 30),
        (KEY_256, "james", "SPDX", "SHA256", 7, 20),
        (KEY_512, "elijah", "Airbnb", "SHA512", 8, 50)]
EXPECTED = [("%s:%s" % (issuer, label), algorithm.lower(), digits, period, key)
            for key, label, issuer, algorithm, digits, period in TOTP]


def entries_of(blob: bytes, password: str | None = None) -> list:
    found = read(blob)
    if found.unlock is not None:
        assert password is not None, "encrypted, but the test gave no password"
        found.entries = found.unlock(password)
    entries = found.entries + (google.join(found.parts) if found.parts else [])
    return entries


def summary(entries) -> list:
    """(name, algorithm, digits, period, key or reason) of each entry."""
    return [(e.name, e.algorithm, e.digits, e.period, e.account.secret if e.account else e.reason)
            for e in entries]


def added(entries) -> list:
    return [row for row, e in zip(summary(entries), entries) if e.account]


def skipped(entries) -> dict:
    return {e.name: e.reason for e in entries if e.account is None}


@pytest.mark.parametrize("db_version", [1, 2, 3])
@pytest.mark.parametrize("encrypted", [False, True])
def test_aegis_vaults_plain_and_encrypted_every_version(db_version, encrypted):
    items = [enc.aegis_entry(*account, db_version=db_version) for account in TOTP]
    items += [enc.aegis_entry(HOTP_KEY, "counter", "Bank", kind="hotp", db_version=db_version),
              enc.aegis_entry(HOTP_KEY, "gamer", "Steam", digits=5, kind="steam", db_version=db_version),
              enc.aegis_entry(LONG_512, "long", "Vault", "SHA512", db_version=db_version)]
    db = enc.aegis_db(items, db_version)
    blob = enc.aegis_encrypted(db, PASSWORD) if encrypted else enc.aegis_plain(db)
    entries = entries_of(blob, PASSWORD if encrypted else None)
    assert added(entries) == EXPECTED
    reasons = skipped(entries)
    assert "HOTP" in reasons["Bank:counter"] and "Steam" in reasons["Steam:gamer"]
    assert "64 bytes" in reasons["Vault:long"]


def test_a_wrong_password_or_a_changed_file_opens_nothing():
    db = enc.aegis_db([enc.aegis_entry(*TOTP[0])])
    blob = enc.aegis_encrypted(db, PASSWORD)
    with pytest.raises(WrongPassword):
        entries_of(blob, "wrong")
    doc = json.loads(blob)
    sealed = bytearray(base64.b64decode(doc["db"]))
    sealed[3] ^= 1
    doc["db"] = base64.b64encode(sealed).decode()
    with pytest.raises(WrongPassword, match="changed or damaged"):
        entries_of(json.dumps(doc).encode(), PASSWORD)
    for blob in (enc.twofas([enc.twofas_service(*TOTP[0])], password=PASSWORD),
                 enc.andotp([enc.andotp_entry(*TOTP[0])], password=PASSWORD)):
        with pytest.raises(WrongPassword):
            entries_of(blob, "wrong")
        assert added(entries_of(blob, PASSWORD)) == EXPECTED[:1]


@pytest.mark.parametrize("schema", [2, 3, 4])
@pytest.mark.parametrize("encrypted", [False, True])
def test_2fas_backups_every_schema(schema, encrypted):
    services = [enc.twofas_service(*account, schema=schema) for account in TOTP]
    if schema >= 3:
        services.append(enc.twofas_service(HOTP_KEY, "counter", "Bank", kind="HOTP", schema=schema))
        services.append(enc.twofas_service(HOTP_KEY, "gamer", "Steam", digits=5, kind="STEAM", schema=schema))
    blob = enc.twofas(services, schema, PASSWORD if encrypted else None)
    entries = entries_of(blob, PASSWORD)
    assert added(entries) == EXPECTED
    if schema >= 3:
        assert set(skipped(entries)) == {"Bank:counter", "Steam:gamer"}


def test_2fas_schema_1_has_only_names_and_keys():
    blob = enc.twofas([enc.twofas_service(UGY_KEY, "me", UGY, schema=1)], schema=1)
    assert added(entries_of(blob)) == [("%s:me" % UGY, "sha1", 6, 30, UGY_KEY)]


@pytest.mark.parametrize("encrypted", [False, True])
def test_andotp_json_and_bin(encrypted):
    items = [enc.andotp_entry(*account) for account in TOTP]
    items.append(enc.andotp_entry(HOTP_KEY, "counter", "Bank", kind="HOTP"))
    entries = entries_of(enc.andotp(items, PASSWORD if encrypted else None), PASSWORD)
    assert added(entries) == EXPECTED and set(skipped(entries)) == {"Bank:counter"}


def test_freeotp_plus_keys_as_signed_bytes():
    tokens = [account + ("TOTP",) for account in TOTP] + [(HOTP_KEY, "counter", "Bank", "SHA1", 6, 30, "HOTP")]
    entries = entries_of(enc.freeotp(tokens))
    assert added(entries) == EXPECTED and set(skipped(entries)) == {"Bank:counter"}


@pytest.mark.parametrize("writer", [enc.bitwarden_json, enc.bitwarden_csv])
def test_bitwarden_json_and_csv(writer):
    totps = [("item%d" % i, enc.uri(*account)) for i, account in enumerate(TOTP)]
    totps.append(("Steam account", "steam://" + enc.b32(HOTP_KEY)))
    entries = entries_of(writer(totps))
    assert added(entries) == EXPECTED
    assert "Steam" in skipped(entries)["Steam account"]


def test_bitwarden_bare_key_is_named_after_the_item():
    entries = entries_of(enc.bitwarden_json([("Ügyfélkapu", enc.b32(UGY_KEY))]))
    assert added(entries) == [("Ügyfélkapu", "sha1", 6, 30, UGY_KEY)]


def test_proton_and_plain_uri_lists_ignore_extra_parameters():
    uris = [enc.uri(*account, extra="&codeDisplay=%7B%22pinned%22%3Afalse%7D&image=x") for account in TOTP]
    for blob in (enc.proton(uris), ("# my keys\n\n" + "\r\n".join(uris) + "\n").encode("utf-8-sig")):
        assert added(entries_of(blob)) == EXPECTED
    hotp = enc.uri(HOTP_KEY, "counter", "Bank", kind="hotp")
    steam = enc.uri(HOTP_KEY, "gamer", "Steam", digits=5, kind="steam")
    assert set(skipped(entries_of("\n".join([uris[0], hotp, steam]).encode()))) == {"Bank:counter", "Steam:gamer"}


def test_google_authenticator_export_every_field():
    accounts = [enc.ga_account(UGY_KEY, "%s:demo.user@ugyfelkapu.gov.hu" % UGY, UGY),  # issuer repeated in name
                enc.ga_account(KEY_256, "james", "SPDX", "sha256", 8),
                enc.ga_account(KEY_512, "Airbnb:elijah", "", "sha512"),  # issuer only in the name
                enc.ga_account(UGY_KEY, "encoding: ¿äÄéÉ? (demo)", "Zoë", 0, 0, kind=0),  # unspecified = defaults
                enc.ga_account(HOTP_KEY, "counter", "Bank", kind=1, counter=4),
                enc.ga_account(HOTP_KEY, "old", "Legacy", "md5")]
    entries = entries_of(enc.ga_uri(accounts).encode())
    assert added(entries) == [
        ("%s:demo.user@ugyfelkapu.gov.hu" % UGY, "sha1", 6, 30, UGY_KEY),
        ("SPDX:james", "sha256", 8, 30, KEY_256),
        ("Airbnb:elijah", "sha512", 6, 30, KEY_512),
        ("Zoë:encoding: ¿äÄéÉ? (demo)", "sha1", 6, 30, UGY_KEY)]
    reasons = skipped(entries)
    assert "HOTP" in reasons["Bank:counter"] and "MD5" in reasons["Legacy:old"]


def test_google_export_with_unescaped_plus_and_slash():
    # Keys chosen so the base64 holds both '+' and '/' (an encoder that does not escape them).
    keys = [bytes(shift) + bytes([0xFB] * 12) for shift in range(4)]
    accounts = [enc.ga_account(key, "plus%d" % i, "Serenity") for i, key in enumerate(keys)]
    text = enc.ga_uri_raw(accounts)
    assert "+" in text and "/" in text.split("data=")[1]
    assert [e.name for e in entries_of(text.encode())] == ["Serenity:plus%d" % i for i in range(4)]


def test_google_batch_of_several_qr_codes_in_any_order():
    parts = [enc.ga_uri([enc.ga_account(KEY_256, "a%d" % i, "Batch")], index=i, size=3, batch=-5) for i in range(3)]
    found = []
    for text in (parts[2], parts[0], parts[1]):
        found.extend(read(text.encode()).parts)
    assert [e.name for e in google.join(found)] == ["Batch:a0", "Batch:a1", "Batch:a2"]
    with pytest.raises(BadInput, match="part 2 of 3 .* is missing"):
        google.join([read(parts[0].encode()).parts[0], read(parts[2].encode()).parts[0]])
    with pytest.raises(BadInput, match="part 1 of 3 .* was given twice"):
        google.join([read(parts[0].encode()).parts[0]] * 2)


@pytest.mark.parametrize("blob, message", [
    (b"Lorem ipsum dolor sit amet.\n", "not an export this tool knows"),
    (b'{"hello": "world"}', "not an export this tool knows"),
    (b"QR-Code:otpauth-migration://offline?data=CgA%3D\n", "not an export this tool knows"),
    (b"otpauth-migration://offline?data=XXXX", "damaged"),
    (b"otpauth-migration://offline?data=" + base64.b64encode(b"\x0a\x20abc"), "damaged"),  # length past the end
    (b"otpauth-migration://offline?data=%%%", "not valid base64"),
    (b"otpauth://totp/a?secret=" + enc.b32(UGY_KEY).encode() + b"\nnot a uri\n", "line 2 is not"),
])
def test_bad_input_is_one_clear_line(blob, message):
    with pytest.raises(BadInput, match=message) as caught:
        entries_of(blob)
    assert "\n" not in str(caught.value)


def test_errors_never_show_the_key(tmp_path):
    secret_line = enc.uri(UGY_KEY, "me", "X") + "\nnot a uri with " + enc.b32(UGY_KEY)
    source = tmp_path / "list.txt"
    source.write_text(secret_line)
    with pytest.raises(BadInput) as caught:
        sources.load([str(source)], lambda *_: "")
    for form in (enc.b32(UGY_KEY), UGY_KEY.hex()):
        assert form.lower() not in str(caught.value).lower()
    assert all(form not in repr(e) for e in entries_of(enc.uri(UGY_KEY, "me", "X").encode())
               for form in (enc.b32(UGY_KEY), UGY_KEY.hex(), repr(UGY_KEY)))


def test_empty_exports_are_refused(tmp_path):
    for name, blob in (("empty.json", enc.aegis_plain(enc.aegis_db([]))), ("ga.txt", enc.ga_uri([]).encode()),
                       ("empty.2fas", enc.twofas([]))):
        path = tmp_path / name
        path.write_bytes(blob)
        with pytest.raises(BadInput, match="no accounts"):
            sources.load([str(path)], lambda *_: "")
