"""The import against files the apps wrote themselves (../shared/import-samples, read in place, never copied into
the project; skipped where that folder is absent): every TOTP entry found with its settings, the rest skipped
with the right reason, broken files refused in one line, and the codes of imported samples on a virtual token equal
pyotp's."""

import base64
import json
import os
import time
from pathlib import Path

import pytest
import reference
from totpfob.importers import BadInput, sources
from virtual_token import VirtualToken

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "import-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/import-samples is not here")
AEGIS, GOOGLE = SAMPLES / "aegis", SAMPLES / "extract_otp_secrets"

TOTP = {"Deno:Mason": ("sha1", 6, 30), "SPDX:James": ("sha256", 7, 20), "Airbnb:Elijah": ("sha512", 8, 50)}
HOTP = {"Issuu:James", "Air Canada:Benjamin", "WWE:Mason"}
STEAM = {"Boeing:Sophia"}


def load(*names, folder=AEGIS):
    return sources.load([str(folder / name) for name in names], lambda source, kind: "test")


@pytest.mark.parametrize("name, totp, hotp, steam", [
    ("plain.txt", TOTP, HOTP, STEAM),
    ("aegis_plain.json", TOTP, HOTP, STEAM),
    ("aegis_encrypted.json", TOTP, HOTP, STEAM),
    ("andotp_plain.json", TOTP, HOTP, STEAM),
    ("andotp_encrypted.bin", TOTP, HOTP, STEAM),
    ("2fas_authenticator_plain_v3.2fas", TOTP, HOTP, set()),
    ("2fas_authenticator_plain_v4.2fas", {"Deno:Mason": TOTP["Deno:Mason"]}, HOTP, STEAM),
    ("freeotp_plus.json", TOTP, HOTP, set()),
    ("ente_auth.txt", TOTP, HOTP, STEAM),
    ("proton_authenticator.json", TOTP, set(), set()),
    ("bitwarden.json", TOTP, set(), {"Test Steam"}),
    ("bitwarden.csv", TOTP, set(), {"Test 4"}),
])
def test_each_sample_as_its_readme_describes(name, totp, hotp, steam):
    entries = load(name)
    assert {e.name: (e.algorithm, e.digits, e.period) for e in entries if e.account} == totp
    reasons = {e.name: e.reason for e in entries if e.account is None}
    assert {n for n, r in reasons.items() if "HOTP" in r} == hotp
    assert {n for n, r in reasons.items() if "Steam" in r} == steam
    assert set(reasons) == hotp | steam


def test_2fas_schemas_1_and_2_and_encrypted():
    # Schema 1 writes no settings at all: every entry is the default SHA1/6/30, as 2FAS itself shows them.
    assert len([e for e in load("2fas_authenticator.json") if e.account]) == 6
    for name in ("2fas_authenticator_plain.2fas", "2fas_authenticator_encrypted.2fas"):
        found = {e.name: (e.algorithm, e.digits, e.period) for e in load(name) if e.account}
        assert found["Deno:Mason"] == TOTP["Deno:Mason"] and found["Airbnb:Elijah"] == TOTP["Airbnb:Elijah"]


def test_google_authenticator_exports():
    entries = load("example_export.txt", folder=GOOGLE)
    assert [e.name for e in entries if e.account] == [
        "raspberrypi:pi@raspberrypi", "pi@raspberrypi", "pi@raspberrypi", "raspberrypi:pi@raspberrypi",
        "encoding:¿äÄéÉ? (demo)"]
    assert [e.name for e in entries if e.account is None] == ["hotp demo"]
    key = base64.b32decode("7KSQL2JTUDIS5EF65KLMRQIIGY======")
    assert all(e.account.secret == key for e in entries if e.account)
    assert len(load("test_plus_problem_export.txt", folder=GOOGLE)) == 4
    for picture in ("example_export.png", "test_googleauth_export.png"):
        assert [e.name for e in load(picture, folder=GOOGLE)] == [
            "Test1:test1@example1.com", "Test2:test2@example2.com", "Test3:test3@example3.com"]


@pytest.mark.parametrize("name, words", [
    ("test_export_wrong_data.txt", "damaged"),
    ("test_export_wrong_prefix.txt", "not an export"),
    ("test_export_wrong_content.txt", "not an export"),
    ("qr_but_without_otp.png", "neither an authenticator key"),
])
def test_broken_samples_are_refused(name, words):
    with pytest.raises(BadInput, match=words):
        load(name, folder=GOOGLE)


def test_wrong_password_on_the_encrypted_samples():
    for name in ("aegis_encrypted.json", "andotp_encrypted.bin", "2fas_authenticator_encrypted.2fas"):
        with pytest.raises(BadInput, match="password"):
            sources.load([str(AEGIS / name)], lambda source, kind: "not it")


def test_an_encrypted_sample_on_the_virtual_token_shows_pyotps_codes(tmp_path):
    password = tmp_path / "password.txt"
    password.write_text("test\n")
    # The keys, read by this test from the plain list (the token never gives one back).
    keys = {}
    for line in (AEGIS / "plain.txt").read_text().splitlines():
        if line.startswith("otpauth://totp/"):
            name = line.split("/")[3].split("?")[0]
            keys[name] = base64.b32decode(line.split("secret=")[1].split("&")[0] + "======")
    token = VirtualToken(tmp_path / "token").start()
    try:
        proc = token.cli("import", "--yes", "--password-file", str(password), str(AEGIS / "aegis_encrypted.json"),
                         stdin=open(os.devnull))
        assert proc.returncode == 0, proc.stderr
        listed = json.loads(token.cli("list", "--json", check=True).stdout)
        assert ["%s:%s" % (a["issuer"], a["label"]) for a in listed] == list(TOTP)
        for name, (algorithm, digits, period) in TOTP.items():
            issuer, label = name.split(":")
            for _ in range(6):
                time.sleep(0.3)
                screen = token.screens()[-1]
                if screen.get("account") == label and screen.get("issuer") == issuer:
                    break
                before, was = time.time(), screen.get("account")
                token.press("A")
                token.wait_screen(lambda s, was=was: s.get("account") != was, after=before, timeout=3)
            assert (screen.get("issuer"), screen.get("account")) == (issuer, label)
            assert screen["code"] in reference.codes_around(keys[name], screen["t"], algorithm, digits, period)
    finally:
        token.stop()
