"""The accounts on the token's flash survive power cycles; a damaged vault is reported, never taken for an empty
one, and refuses changes until it is wiped. Runs on CPython and on the MicroPython VM the token runs."""

import json
import struct
import zlib

import pytest
from conftest import VM

ALGORITHMS = ("sha1", "sha256", "sha512")
UGY = ["sha1", 6, 30, "Ügyfélkapu+", "demo.user@ugyfelkapu.gov.hu", "72bb98090958c6096b4e"]
GITHUB = ["sha256", 8, 60, "GitHub", "octocat", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"]
BANK = ["sha512", 10, 1, "", "bank", bytes(range(64)).hex()]


def power_cycle(vm, path, *ops, firmware=""):
    """One run of the token: open the vault at path, apply ops; returns (vault as opened, answer per op).
    firmware "version=N[,skip=V]" plays a later firmware (see tests/vm/vault_cases.py)."""
    args = [str(path)] + ([firmware] if firmware else [])
    proc = vm.run("vault_cases.py", *args, input="".join(json.dumps(op) + "\n" for op in ops), heap="110k")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == len(ops) + 1, proc.stderr
    return lines[0], lines[1:]


def add(account, replace=False):
    return {"op": "add", "account": account, "replace": replace}


def spec_record(account):
    """An account packed as the vault format says: u8 algorithm, u8 digits, u32 period, then length-prefixed
    issuer, label and secret."""
    algorithm, digits, period, issuer, label, secret = account
    out = bytes([ALGORITHMS.index(algorithm), digits]) + struct.pack("<I", period)
    for field in (issuer.encode(), label.encode(), bytes.fromhex(secret)):
        out += bytes([len(field)]) + field
    return out


CURRENT = 2  # the vault version this firmware writes
MIN_SIZE = 1024  # from version 2 on, files are padded with zeros to this size: LittleFS never keeps them inline


def spec_vault(accounts, version=CURRENT):
    """A whole vault file: TFV, version, u16 count, each record behind its length, (from version 2) zeros up
    to MIN_SIZE bytes, CRC32 of all that."""
    body = b"TFV" + bytes([version]) + struct.pack("<H", len(accounts))
    for account in accounts:
        record = spec_record(account)
        body += bytes([len(record)]) + record
    if version >= 2:
        body += bytes(max(0, MIN_SIZE - 4 - len(body)))
    return body + struct.pack("<I", zlib.crc32(body))


def opened(accounts, error=None):
    return {"error": error, "accounts": accounts}


def test_changes_persist_across_power_cycles_in_the_documented_format(vm, tmp_path):
    path = tmp_path / "vault.bin"
    first, _ = power_cycle(vm, path)
    assert first == opened([]) and not path.exists()  # a new token: no vault yet, and that is no error
    _, answers = power_cycle(vm, path, add(UGY), add(GITHUB), add(BANK))
    assert [a["count"] for a in answers] == [1, 2, 3]
    assert path.read_bytes() == spec_vault([UGY, GITHUB, BANK])

    renamed = GITHUB[:4] + ["hubot"] + GITHUB[5:]
    state, answers = power_cycle(vm, path, {"op": "rename", "issuer": "GitHub", "label": "octocat", "new": "hubot"},
                                 {"op": "delete", "issuer": UGY[3], "label": UGY[4]})
    assert state == opened([UGY, GITHUB, BANK])
    assert answers == [{"ok": True, "count": 3}, {"ok": True, "count": 2}]

    state, answers = power_cycle(vm, path, {"op": "wipe"})
    assert state == opened([renamed, BANK])  # a renamed account keeps its place, settings and key
    assert answers == [{"ok": True, "count": 0}]

    state, _ = power_cycle(vm, path)
    assert state == opened([])
    assert path.read_bytes() == spec_vault([])


def test_token_and_host_write_identical_files(tmp_path):
    ops = [add(UGY), add(GITHUB), {"op": "rename", "issuer": "", "label": "bank", "new": "x"}, add(BANK),
           {"op": "rename", "issuer": "", "label": "bank", "new": "bänk"}, {"op": "delete", "issuer": "GitHub",
                                                                          "label": "octocat"}]
    files = []
    for name in ("cpython", "micropython"):
        path = tmp_path / name / "vault.bin"
        path.parent.mkdir()
        power_cycle(VM(name), path, *ops)
        files.append(path.read_bytes())
    assert files[0] == files[1] == spec_vault([UGY, BANK[:4] + ["bänk", BANK[5]]])


def test_same_name_is_refused_unless_replacing(vm, tmp_path):
    path = tmp_path / "vault.bin"
    repaired = UGY[:5] + ["00" * 20]
    other_issuer = ["sha1", 6, 30, "Other", UGY[4], "11" * 10]
    _, answers = power_cycle(vm, path, add(UGY), add(UGY), add(other_issuer), add(repaired, replace=True))
    assert answers == [{"ok": True, "count": 1}, {"raised": "Exists", "count": 1},
                       {"ok": True, "count": 2}, {"ok": True, "count": 2}]
    state, _ = power_cycle(vm, path)
    assert state == opened([repaired, other_issuer])  # re-pairing replaced the key in place


def test_unknown_names_and_taken_names_change_nothing(vm, tmp_path):
    path = tmp_path / "vault.bin"
    power_cycle(vm, path, add(UGY), add(GITHUB))
    before = path.read_bytes()
    _, answers = power_cycle(vm, path,
                             {"op": "rename", "issuer": "", "label": "nobody", "new": "x"},
                             {"op": "rename", "issuer": "Wrong", "label": "octocat", "new": "x"},
                             {"op": "delete", "issuer": "", "label": "octocat"},
                             {"op": "delete", "issuer": "GitHub", "label": "nobody"},
                             {"op": "rename", "issuer": "GitHub", "label": "octocat", "new": "octocat"})
    assert [a["raised"] for a in answers] == ["NotFound", "NotFound", "NotFound", "NotFound", "Exists"]
    assert path.read_bytes() == before


def test_a_hundred_accounts_fit_and_the_next_is_refused(vm, tmp_path):
    path = tmp_path / "vault.bin"
    _, answers = power_cycle(vm, path, {"op": "fill", "count": 100, "prefix": "user"}, add(UGY),
                             add(["sha1", 6, 30, "Fill", "user7", "22" * 10], replace=True))
    assert answers == [{"ok": True, "count": 100}, {"raised": "Full", "count": 100}, {"ok": True, "count": 100}]
    state, _ = power_cycle(vm, path)
    labels = [account[4] for account in state["accounts"]]
    assert labels == ["user%d" % i for i in range(100)]
    assert state["accounts"][7][5] == "22" * 10  # replacing needs no free room


def _flip(index):
    def damage(data):
        data = bytearray(data)
        data[index] ^= 0x40
        return bytes(data)
    return damage


DAMAGE = {
    "magic": _flip(0),
    "version-byte": _flip(3),
    "count": _flip(4),
    "in-a-label": _flip(30),
    "in-a-key": _flip(-10),
    "checksum": _flip(-1),
    "cut-short": lambda data: data[:-1],
    "cut-in-half": lambda data: data[:len(data) // 2],
    "extra-byte": lambda data: data + b"\x00",
    "empty-file": lambda data: b"",
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_vault_is_reported_and_locked_until_wiped(vm, tmp_path, damage):
    path = tmp_path / "vault.bin"
    power_cycle(vm, path, add(UGY), add(GITHUB))
    path.write_bytes(damage(path.read_bytes()))
    broken = path.read_bytes()
    state, answers = power_cycle(vm, path, {"op": "list"}, add(BANK), add(UGY, replace=True),
                                 {"op": "rename", "issuer": "GitHub", "label": "octocat", "new": "x"},
                                 {"op": "delete", "issuer": "GitHub", "label": "octocat"})
    assert state["error"] and state["accounts"] == []
    assert answers[0] == state
    # Never written over as if it were empty; renames and deletes say the storage is damaged, not "no such
    # account" (the user must learn to wipe, not to look for a typo).
    assert answers[1:3] == [{"raised": "VaultError", "count": 0}] * 2
    assert [a.get("raised") for a in answers[3:]] == ["VaultError", "VaultError"]
    assert path.read_bytes() == broken  # the damaged file is left for the user to decide
    state, _ = power_cycle(vm, path)
    assert state["error"]  # still damaged at the next power-on

    _, answers = power_cycle(vm, path, {"op": "wipe"}, add(BANK))
    assert answers == [{"ok": True, "count": 0}, {"ok": True, "count": 1}]
    state, _ = power_cycle(vm, path)
    assert state == opened([BANK])


def test_a_vault_from_newer_firmware_is_reported_by_version(vm, tmp_path):
    path = tmp_path / "vault.bin"
    path.write_bytes(spec_vault([UGY], version=CURRENT + 1))
    state, answers = power_cycle(vm, path, add(BANK), {"op": "wipe"}, add(BANK))
    assert "version %d" % (CURRENT + 1) in state["error"] and "update the firmware" in state["error"] and state["accounts"] == []
    assert answers[0] == {"raised": "VaultError", "count": 0}
    # Only an explicit wipe may write over it (the user's way out, as for a damaged vault).
    assert answers[1:] == [{"ok": True, "count": 0}, {"ok": True, "count": 1}]


@pytest.mark.parametrize("future", [CURRENT + 1, CURRENT + 2, 255])
def test_a_vault_from_future_firmware_is_left_untouched(vm, tmp_path, future):
    path = tmp_path / "vault.bin"
    path.write_bytes(spec_vault([UGY, GITHUB], version=future))
    state, answers = power_cycle(vm, path, add(BANK), add(UGY, replace=True),
                                 {"op": "rename", "issuer": "GitHub", "label": "octocat", "new": "x"},
                                 {"op": "delete", "issuer": "GitHub", "label": "octocat"})
    assert state == opened([], "vault version %d was written by newer firmware; update the firmware" % future)
    assert [a.get("raised") for a in answers] == ["VaultError"] * 4
    assert path.read_bytes() == spec_vault([UGY, GITHUB], version=future)
    # Firmware that knows that version (with upgrades from 1 up to it) reads it as it is.
    state, _ = power_cycle(vm, path, firmware="version=%d" % future)
    assert state == opened([UGY, GITHUB])


def suffixed(account, suffix):
    return account[:4] + [account[4] + suffix] + account[5:]


def test_an_older_vault_is_upgraded_and_written_back_at_the_next_change(vm, tmp_path):
    path = tmp_path / "vault.bin"
    power_cycle(vm, path, add(UGY), add(GITHUB))
    old = path.read_bytes()
    assert old == spec_vault([UGY, GITHUB], version=CURRENT)
    later = CURRENT + 1
    upgraded = [suffixed(UGY, "-v%d" % later), suffixed(GITHUB, "-v%d" % later)]
    state, _ = power_cycle(vm, path, firmware="version=%d" % later)
    assert state == opened(upgraded)
    assert path.read_bytes() == old  # looking at the token does not write its flash
    _, answers = power_cycle(vm, path, add(BANK), firmware="version=%d" % later)
    assert answers == [{"ok": True, "count": 3}]
    assert path.read_bytes() == spec_vault(upgraded + [BANK], version=later)
    state, _ = power_cycle(vm, path, firmware="version=%d" % later)
    assert state == opened(upgraded + [BANK])  # upgraded once, not again at every power-on


def test_upgrades_run_in_order_across_several_versions(vm, tmp_path):
    path = tmp_path / "vault.bin"
    path.write_bytes(spec_vault([UGY, BANK], version=1))
    state, answers = power_cycle(vm, path, {"op": "delete", "issuer": "", "label": "bank-v2-v3-v4"},
                                 firmware="version=4")
    assert state == opened([suffixed(UGY, "-v2-v3-v4"), suffixed(BANK, "-v2-v3-v4")])
    assert answers == [{"ok": True, "count": 1}]
    assert path.read_bytes() == spec_vault([suffixed(UGY, "-v2-v3-v4")], version=4)
    # A version-2 file goes through the later upgrades only.
    path.write_bytes(spec_vault([BANK], version=2))
    state, _ = power_cycle(vm, path, firmware="version=4")
    assert state == opened([suffixed(BANK, "-v3-v4")])


def test_a_missing_upgrade_is_reported_and_changes_nothing(vm, tmp_path):
    path = tmp_path / "vault.bin"
    path.write_bytes(spec_vault([UGY], version=1))
    state, answers = power_cycle(vm, path, add(BANK), firmware="version=3,skip=1")
    assert state == opened([], "vault version 1 cannot be upgraded by this firmware")
    assert answers == [{"raised": "VaultError", "count": 0}]
    assert path.read_bytes() == spec_vault([UGY], version=1)


@pytest.mark.parametrize("with_vault", [True, False], ids=["next-to-a-vault", "alone"])
def test_a_temp_file_left_by_a_power_cut_is_ignored_and_removed(vm, tmp_path, with_vault):
    path = tmp_path / "vault.bin"
    temp = tmp_path / "vault.bin.tmp"
    if with_vault:
        power_cycle(vm, path, add(UGY), add(GITHUB))
    temp.write_bytes(spec_vault([BANK])[:20])  # a write cut off by the power cut
    state, _ = power_cycle(vm, path)
    assert state == opened([UGY, GITHUB] if with_vault else [])
    assert not temp.exists()


@pytest.mark.parametrize("account, why", [
    (["md5", 6, 30, "", "a", "00" * 10], "algorithm must be sha1, sha256 or sha512"),
    (["sha1", 5, 30, "", "a", "00" * 10], "digits must be 6 to 10"),
    (["sha1", 11, 30, "", "a", "00" * 10], "digits must be 6 to 10"),
    (["sha1", 6, 0, "", "a", "00" * 10], "period must be 1 s or more"),
    (["sha1", 6, 2**32, "", "a", "00" * 10], "period must be 1 s or more"),
    (["sha1", 6, 30, "", "", "00" * 10], "label is empty"),
    (["sha1", 6, 30, "", "é" * 32 + "x", "00" * 10], "label and issuer take at most 64 bytes"),
    (["sha1", 6, 30, "x" * 65, "a", "00" * 10], "label and issuer take at most 64 bytes"),
    (["sha1", 6, 30, "", "a", ""], "secret must be 1 to 64 bytes"),
    (["sha512", 6, 30, "", "a", "00" * 65], "secret must be 1 to 64 bytes"),
], ids=["md5", "digits-5", "digits-11", "period-0", "period-2^32", "no-label", "label-65-bytes",
        "issuer-65-bytes", "no-key", "key-65-bytes"])
def test_the_token_refuses_accounts_it_cannot_hold(vm, tmp_path, account, why):
    """account.encode (what the host packs with, and the vault re-packs a rename with) says why, in a few words."""
    _, answers = power_cycle(vm, tmp_path / "vault.bin", {"op": "encode", "account": account})
    assert answers == [{"raised": "Invalid", "why": why, "count": 0}]


def test_a_rename_to_a_label_the_token_cannot_hold_changes_nothing(vm, tmp_path):
    path = tmp_path / "vault.bin"
    power_cycle(vm, path, add(UGY))
    before = path.read_bytes()
    _, answers = power_cycle(vm, path, {"op": "rename", "issuer": UGY[3], "label": UGY[4], "new": "é" * 33},
                             {"op": "rename", "issuer": UGY[3], "label": UGY[4], "new": ""})
    assert answers == [{"raised": "Invalid", "why": "label and issuer take at most 64 bytes", "count": 1},
                       {"raised": "Invalid", "why": "label is empty", "count": 1}]
    assert path.read_bytes() == before


# A vault file exactly as the firmware before account.py (0.2.0) wrote it, byte by byte: two accounts added.
VERSION_1_FILE = bytes.fromhex(
    "544656" "01" "0200"  # TFV, version 1, two records
    "29"  # record 1, 41 bytes: algorithm 0 (sha1), 6 digits, period 30, issuer, label, secret
    "00" "06" "1e000000" "0d" "c39c677966c3a96c6b6170752b" "09" "64656d6f2e75736572" "0a" "72bb98090958c6096b4e"
    "1d"  # record 2, 29 bytes: algorithm 2 (sha512), 8 digits, period 60, no issuer, "bank", 16-byte secret
    "02" "08" "3c000000" "00" "04" "62616e6b" "10" "0102030405060708090a0b0c0d0e0f10"
    "7a81555a"  # CRC32 of all the above, little-endian
)
V1_UGY = ["sha1", 6, 30, "Ügyfélkapu+", "demo.user", "72bb98090958c6096b4e"]
V1_BANK = ["sha512", 8, 60, "", "bank", "0102030405060708090a0b0c0d0e0f10"]


def test_a_vault_written_by_the_firmware_before_the_account_module_is_read_and_kept(vm, tmp_path):
    path = tmp_path / "vault.bin"
    path.write_bytes(VERSION_1_FILE)
    state, answers = power_cycle(vm, path, {"op": "rename", "issuer": "", "label": "bank", "new": "bank2"})
    assert state == opened([V1_UGY, V1_BANK])
    assert answers == [{"ok": True, "count": 2}]
    # Written back in the current layout (version 2 only pads the file): only the renamed record changed.
    assert path.read_bytes() == spec_vault([V1_UGY, V1_BANK[:4] + ["bank2", V1_BANK[5]]])
    assert spec_vault([V1_UGY, V1_BANK], version=1) == VERSION_1_FILE
    state, _ = power_cycle(vm, path)
    assert state == opened([V1_UGY, V1_BANK[:4] + ["bank2", V1_BANK[5]]])


def test_the_largest_account_fits(vm, tmp_path):
    largest = ["sha512", 10, 2**32 - 1, "ő" * 32, "é" * 32, "ff" * 64]
    smallest = ["sha1", 6, 1, "", "a", "01"]
    path = tmp_path / "vault.bin"
    _, answers = power_cycle(vm, path, {"op": "encode", "account": largest}, add(largest), add(smallest))
    assert answers[0] == {"record": spec_record(largest).hex()}
    state, _ = power_cycle(vm, path)
    assert state == opened([largest, smallest])
