"""Figure 2: the smallest MicroPython heap on which the virtual token boots and shows a code, found by bisecting
`totpfob sim --heap`; baseline: the same search for the virtual board alone (`--blank`: its I2C shim and buttons,
the flash, the REPL). The chips are emulated by the simulator, outside the VM, as they are silicon on a board."""

import itertools
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from totpfob.sim import DEFAULT_HEAP

from bench.common import figure
from bench.virtual import copy_state, virtual_token

GOAL_K = 32
_BOOT_S = 8.0  # "within a few seconds": a failing VM crashes long before this and the sim gives up


def _kib(text: str) -> int:
    return int(text.rstrip("kK")) if text[-1] in "kK" else int(text) // 1024


def shows_code(workdir: Path, state: Path, heap_k: int) -> bool:
    """Does the provisioned token, booted with --keep on this heap, draw a code screen within _BOOT_S?"""
    trial = copy_state(state, workdir / "state")
    with virtual_token(workdir, trial, "--keep", "--heap", "%dk" % heap_k) as token:
        return token.find_screen(lambda s: s.get("screen") == "code", _BOOT_S) is not None


def repl_answers(workdir: Path, heap_k: int) -> bool:
    """Does a freshly flashed virtual board (--blank) come up on this heap with a REPL that computes?"""
    with virtual_token(workdir, workdir / "state", "--blank", "--heap", "%dk" % heap_k) as token:
        token.wait_link()
        deadline = time.monotonic() + _BOOT_S
        asked = False
        fd = os.open(token.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            while time.monotonic() < deadline and token.alive():
                try:
                    os.read(fd, 4096)  # keep the line drained; the serial log has everything
                except BlockingIOError:
                    pass
                text = token.serial_text()
                if not asked and ">>> " in text:
                    if "Error" in text.split(">>> ", 1)[0]:
                        return False  # the board's start-up failed; the VM's -i opened a REPL all the same
                    os.write(fd, b"print(6 * 7)\r\n")
                    asked = True
                if asked and "\n42" in text:
                    return True
                time.sleep(0.02)
        finally:
            os.close(fd)
    return False


def smallest(works, low_k: int, high_k: int, step_k: int):
    """Bisect for the smallest heap (KiB, a multiple of step_k above low_k) on which works(heap) holds, given
    that low_k fails; None if even high_k fails. Assumes more heap never hurts. Returns (KiB, trials)."""
    trials = []

    def attempt(heap_k):
        ok = works(heap_k)
        trials.append({"heap_k": heap_k, "ok": ok})
        return ok

    if not attempt(high_k):
        return None, trials
    while high_k - low_k > step_k:
        middle = low_k + (high_k - low_k) // 2 // step_k * step_k
        if attempt(middle):
            high_k = middle
        else:
            low_k = middle
    return high_k, trials


def measure(size, workdir: Path, state: Path) -> list:
    top = _kib(DEFAULT_HEAP)
    trial = itertools.count()  # each trial in a directory of its own
    # The two searches time nothing (a boot either shows a code within seconds or crashes at once): run them
    # side by side.
    with ThreadPoolExecutor(2) as pool:
        token = pool.submit(smallest, lambda k: shows_code(workdir / ("t%d" % next(trial)), state, k),
                            size.heap_floor_k, top, size.heap_step_k)
        blank = pool.submit(smallest, lambda k: repl_answers(workdir / ("b%d" % next(trial)), k),
                            size.heap_floor_k, top, size.heap_step_k)
        (token_k, token_trials), (blank_k, blank_trials) = token.result(), blank.result()
    if token_k is None or blank_k is None:
        raise RuntimeError("the virtual token does not even run on its default heap (%s)" % DEFAULT_HEAP)
    return [figure(
        "min_heap", "Smallest heap that boots the token to a code (unix port)", token_k, "KiB",
        "virtual board alone (--blank: I2C shim, flash, REPL)", blank_k, goal="≤ 32 KiB", limit=GOAL_K,
        notes="bisected in %d KiB steps between %d and %d KiB with `totpfob sim --keep --heap` on a flash "
              "holding one account; success = a code screen within %g s. This is the unix port's raw figure: its "
              "words are 8 bytes (ESP32: 4), and the board's I2C shim, its JSON screen reports and the flash mount "
              "share the heap (the emulated chips run in the simulator, outside the VM, as silicon does outside "
              "an ESP32). The firmware's own share is %d KiB above the bare board, so roughly %d KiB "
              "of 4-byte words on an ESP32 (an estimate: byte buffers do not halve; PyPI has no 32-bit unix build "
              "to measure it directly)" % (
                  size.heap_step_k, size.heap_floor_k, top, _BOOT_S, token_k - blank_k, (token_k - blank_k) // 2),
        firmware_share_k=token_k - blank_k, esp32_estimate_k=(token_k - blank_k) / 2,
        token_trials=token_trials, blank_trials=blank_trials)]
