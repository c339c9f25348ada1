"""Figure 5: `totpfob add --uri` end to end (a fresh CLI process, wall clock) on a running virtual token, against
the do-it-yourself way: `mpremote ... fs cp` of an equivalent vault file to a freshly flashed virtual board."""

import subprocess
import time
from pathlib import Path

from totpfob.samples import DEMO_URI

from bench.common import figure, median, tool
from bench.virtual import copy_state, virtual_token, write_vault

GOAL_S = 1.0


def _uri(label: str) -> str:
    # The demo account under another label each round: a second add of the same account would be refused.
    return DEMO_URI.replace("demo.user", label, 1)


def _adds(workdir: Path, state: Path, repeat: int) -> list:
    with virtual_token(workdir, copy_state(state, workdir / "state"), "--keep") as token:
        if token.find_screen(lambda s: True, 20) is None:
            raise RuntimeError("the virtual token did not boot: %s" % token.serial_text()[-400:])
        times = []
        for i in range(repeat):
            start = time.perf_counter()
            added = token.cli("add", "--uri", _uri("bench%d" % i))
            times.append(time.perf_counter() - start)
            if added.returncode != 0:
                raise RuntimeError("totpfob add failed: %s" % (added.stderr or added.stdout).strip())
        return times


def _copies(workdir: Path, repeat: int) -> list:
    with virtual_token(workdir, workdir / "state", "--blank") as token:
        token.wait_link()
        deadline = time.monotonic() + 20
        while ">>> " not in token.serial_text():  # the REPL is up
            if time.monotonic() > deadline or not token.alive():
                raise RuntimeError("the blank virtual board gave no REPL: %s" % token.serial_text()[-400:])
            time.sleep(0.02)
        times = []
        for i in range(repeat):
            # Another label each round, so mpremote cannot skip the copy as already up to date.
            vault = write_vault(workdir / ("vault%d.bin" % i), "bench%d@ugyfelkapu.gov.hu" % i)
            start = time.perf_counter()
            copied = subprocess.run([tool("mpremote"), "connect", str(token.link), "resume", "fs", "cp",
                                     str(vault), ":vault.bin"], capture_output=True, text=True, timeout=60)
            times.append(time.perf_counter() - start)
            if copied.returncode != 0:
                raise RuntimeError("mpremote fs cp failed: %s" % (copied.stderr or copied.stdout).strip()[-300:])
        return times


def measure(size, workdir: Path, state: Path) -> list:
    adds = _adds(workdir / "add", state, size.repeat)
    copies = _copies(workdir / "mpremote", size.repeat)
    return [figure(
        "provision_add", "Provisioning: `totpfob add --uri` round trip", median(adds), "s",
        "`mpremote connect LINK resume fs cp vault.bin :vault.bin`", median(copies), goal="≤ 1 s", limit=GOAL_S,
        notes="wall clock of a fresh CLI process, median of %d; add checks the clock, stores, verifies the code; "
              "mpremote copies an equivalent vault file to a --blank virtual board" % size.repeat,
        adds_s=adds, copies_s=copies)]
