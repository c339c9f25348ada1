"""Figure 10: what the flash's speed costs the person at the keyboard: the wall time of `totpfob add`, of
`totpfob wipe --yes` (with its erase of every freed block, and the 3.5 s hold on the token) and of an import of
100 accounts, on a virtual token whose flash takes a real ESP32 flash chip's typical and worst-case times
(`totpfob sim --flash-timing`), each beside the same on an instant flash (`--flash-timing none`)."""

import time
from pathlib import Path

from totpfob.samples import DEMO_URI
from totpfob.sim.harness import SimError, VirtualToken

from bench.common import figure

OPERATIONS = (("add", "`totpfob add --uri`"), ("wipe", "`totpfob wipe --yes` (its erase, the hold on the token)"),
              ("import", "`totpfob import` of %d accounts"))


def _uris(count: int) -> str:
    return "".join(DEMO_URI.replace("demo.user", "bench%03d" % i, 1) + "\n" for i in range(count))


def _seconds(action) -> float:
    start = time.perf_counter()
    done = action()
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError("totpfob failed: %s" % (done.stderr or done.stdout).strip()[-300:])
    return took


def _run(workdir: Path, timing: str, accounts: int, flags: list) -> dict:
    """{operation: seconds} on a fresh virtual token at this flash timing."""
    token = VirtualToken(workdir, *flags, snapshot=False, flash_timing=timing)
    with token:
        if token.find_screen(lambda s: True, 60) is None:
            raise SimError("the virtual token did not boot: %s" % token.serial_text()[-400:])
        (workdir / "accounts.txt").write_text(_uris(accounts))
        took = {"add": _seconds(lambda: token.cli("add", "--uri", DEMO_URI, timeout=600))}
        took["wipe"] = _seconds(lambda: token.asked("wipe", "--yes", timeout=900))
        time.sleep(1)  # the person lets go of A
        took["import"] = _seconds(lambda: token.cli("import", str(workdir / "accounts.txt"), "--yes", timeout=1800))
        return took


def measure(size, workdir: Path) -> list:
    tiny = size.name == "tiny"
    accounts = 5 if tiny else 100
    # A tiny run checks the bench works: a smaller flash (fewer blocks to erase) keeps its worst case short. The
    # full run has a board's 2 MiB filesystem.
    flags = ["--flash-blocks=56"] if tiny else []
    runs = {timing: _run(workdir / timing, timing, accounts, flags) for timing in ("none", "typical", "worst")}
    figures = []
    for operation, what in OPERATIONS:
        what = what % accounts if "%d" in what else what
        for timing in ("typical", "worst"):
            figures.append(figure(
                "flash_%s_%s" % (operation, timing), "%s, %s flash timing" % (what, timing),
                runs[timing][operation], "s", "the same on an instant flash (--flash-timing none)",
                runs["none"][operation],
                notes="wall clock of one fresh CLI process on a fresh virtual token of %s; typical and worst: "
                      "the flash chips' datasheet times (4 KiB erase 45 / 400 ms, 256-byte page 0.7 / 3 ms), see "
                      "`totpfob sim --help`" % ("224 KiB of flash (tiny run)" if tiny else "2 MiB of flash"),
                seconds=runs[timing][operation]))
    return figures
