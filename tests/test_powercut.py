"""Pulling the battery at any moment never loses or garbles an account: after the next power-on the token holds
either what it held before the change or what it holds after it, and every code is still right."""

import base64
import json
import os
import random
import subprocess
import time

import reference
from virtual_token import TOTPFOB, VirtualToken

CHANGES = ("first add", "add", "add --replace", "rename", "delete", "wipe", "clock set")


def test_a_power_cut_at_any_flash_operation_leaves_the_old_or_the_new_state(micropython_vm):
    proc = micropython_vm.run("powercut_cases.py", heap="2m", timeout=400)  # two 256 KiB flash images
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    failures = [line for line in lines if "failure" in line]
    assert failures == [], "%d cut points went wrong, first: %r" % (len(failures), failures[:5])
    report = lines[-1]
    summary = report["summary"]
    assert sorted(summary) == sorted(CHANGES)
    for name, tally in summary.items():
        # A change writes the flash several times (temp file, its data, the rename): each is a cut point,
        # tried three ways (program a quarter, half, all but one byte; erase nothing or all).
        assert tally["cut_points"] > 5 and min(tally["operations"]) >= 3, (name, tally)
        assert tally["cut_points"] == 3 * (sum(tally["operations"]) - tally["skipped"]), (name, tally)
        assert tally["failures"] == 0
        # What removes a key ends with a scrub of the free blocks (thousands of programs alike, of which the
        # edges and a sample are cut); nothing else scrubs, and nothing outside a scrub's fill goes uncut.
        erases = name in ("add --replace", "delete", "wipe")
        assert bool(tally["fill_operations"]) == erases, (name, tally)
        assert tally["skipped"] <= max(0, sum(tally["fill_operations"]) - 2 * 40 * len(tally["fill_operations"]))
        if erases:
            assert min(tally["fill_operations"]) > 1000, (name, tally)  # about every free block of 256 KiB
    assert report["impossible_programs"] == 0  # the emulated NOR flash was used as real flash must be


# --- the virtual token, killed with -9 while `totpfob add` runs -----------------------------------------------

ROUNDS = 8
BEFORE = [("first", "Bank", 20), ("second", "", 10), ("third", "Mail", 32)]


def decode_key(typed: str) -> bytes:
    """A base32 key as services print it (no padding) -> bytes."""
    return base64.b32decode(typed + "=" * (-len(typed) % 8))


def labels(token: VirtualToken) -> list:
    return [entry["label"] for entry in json.loads(token.cli("list", "--json", check=True).stdout)]


def shown_second(screen: dict, period: int = 30) -> int:
    """The unix second whose code a screen shows: its countdown fixes it modulo the period, the report's host
    time picks the nearest such second."""
    phase = (period - screen["remaining"]) % period
    return phase + period * round((screen["t"] - phase) / period)


def show(token: VirtualToken, label: str, presses: int) -> dict:
    """Press A until the token shows the account `label`; that screen."""
    for _ in range(presses):
        screen = token.screens()[-1]
        if screen.get("account") == label:
            return screen
        pressed = time.time()
        token.press("A")
        token.wait_screen(lambda s: True, timeout=5, after=pressed)
    raise AssertionError("A never brought %s" % label)


def timed(token: VirtualToken, *args: str, port: str = "") -> float:
    """Seconds a `totpfob` command takes (with another port if given: one that is not there)."""
    started = time.monotonic()
    subprocess.run([TOTPFOB, "--port", port or str(token.link), *args], capture_output=True,
                   env=dict(os.environ, TZ="UTC"), timeout=60)
    return time.monotonic() - started


def talking_window(token: VirtualToken, rng: random.Random) -> tuple:
    """(first, last) seconds after its start during which `totpfob add` talks to the token: the CLI spends
    most of its time starting Python before it opens the port, and kills there would test nothing."""
    adds, starts = [], []
    for label, _, size in BEFORE:
        typed = base64.b32encode(rng.randbytes(size)).decode().rstrip("=")
        starts.append(timed(token, "add", "--secret", typed, "--label", label, port=str(token.dir / "absent")))
        adds.append(timed(token, "add", "--secret", typed, "--label", label))
    return min(starts) * 0.9, min(0.3, max(adds) * 1.2)


def test_kill_9_during_totpfob_add_keeps_the_old_accounts_or_adds_the_new_one_whole(tmp_path):
    seed = int(os.environ.get("TOTPFOB_POWERCUT_SEED", time.time_ns() % 10 ** 6))
    rng = random.Random(seed)
    token = VirtualToken(tmp_path)
    try:
        token.start()
        first, last = talking_window(token, rng)
        expected = labels(token)
        assert expected == [label for label, _, _ in BEFORE]
        for round_ in range(ROUNDS):
            label = "cut-%d" % round_
            typed = base64.b32encode(rng.randbytes(10)).decode().rstrip("=")  # 80 bits, as Ügyfélkapu+ gives
            delay = rng.uniform(first, last)
            add = subprocess.Popen([TOTPFOB, "--port", str(token.link), "add", "--secret", typed, "--label", label],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=dict(os.environ, TZ="UTC"))
            time.sleep(delay)
            token.kill9()
            out, err = add.communicate(timeout=60)
            where = "seed %d, round %d, kill after %.3f s, add exit %d: %s" % (
                seed, round_, delay, add.returncode, (out + err).strip().splitlines()[-1:])
            token.start("--keep")
            now = labels(token)
            assert now in (expected, expected + [label]), where
            if add.returncode == 0:
                assert now == expected + [label], "a confirmed add was lost; " + where
            assert json.loads(token.cli("info", "--json", check=True).stdout)["vault"] == "ok", where
            if label in now:
                screen = show(token, label, len(now) + 2)  # + a press that only lights a dark display
                second = shown_second(screen)
                assert -0.5 <= screen["t"] - second <= 2.0, where
                assert screen["code"] == reference.code(decode_key(typed), second), where
            expected = now
    finally:
        token.stop()


def test_the_oracle_reads_keys_as_services_print_them():
    assert decode_key("JBSWY3DPEHPK3PXP") == b"Hello!\xde\xad\xbe\xef"  # 80 bits, no padding
    assert reference.code(b"12345678901234567890", 59) == "287082"  # RFC 6238 appendix B (94287082), 6 digits
