"""Shared fixtures: run firmware code on the MicroPython unix port and on CPython, side by side."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRMWARE = ROOT / "firmware"
BOARDS = ROOT / "boards"
VM_SCRIPTS = Path(__file__).resolve().parent / "vm"
BIN = Path(sys.executable).parent
MICROPYTHON = str(BIN / "micropython")

# Firmware modules import each other by bare name, as they do on the board; CPython also needs the stand-in
# for MicroPython's built-in `micropython` module (never on the VM's path: the VM has the real one).
CPYTHON_SHIM = FIRMWARE / "cpython"
sys.path[0:0] = [str(FIRMWARE), str(CPYTHON_SHIM)]

# The tests read totpfob's English messages: a developer's Hungarian desktop (LANG=hu_HU...) or a TOTPFOB_LANG of
# their own must not change that. Tests of the other language say so themselves (--lang hu, their own env).
os.environ["TOTPFOB_LANG"] = "en"

# The virtual tokens of the tests have a 512 KiB flash (a real board's is 2 MiB): at real flash timing the erase
# after every delete, replace and wipe takes ~45 ms per free block, and the suite deletes hundreds of times.
# A test about size or the whole flash says its own (--flash-blocks); the demo, `totpfob sim` and the bench keep
# the board's size.
os.environ.setdefault("TOTPFOB_SIM_FLASH_BLOCKS", "128")


class VM:
    """One interpreter that runs scripts from tests/vm/ with firmware/ (and extra dirs) on its path."""

    def __init__(self, name: str):
        self.name = name

    def command(self, script: str, heap: str = "") -> list:
        if self.name == "micropython":
            cmd = [MICROPYTHON]
            if heap:
                cmd += ["-X", "heapsize=" + heap]
            return cmd + [str(VM_SCRIPTS / script)]
        return [sys.executable, str(VM_SCRIPTS / script)]

    def run(self, script: str, *args: str, input: str = "", extra_path=(), heap: str = "",
            timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        path = os.pathsep.join([str(FIRMWARE), *map(str, extra_path)])
        env = dict(os.environ, MICROPYPATH=path + os.pathsep + ".frozen",
                   PYTHONPATH=path + os.pathsep + str(CPYTHON_SHIM), TZ="UTC")
        proc = subprocess.run(self.command(script, heap) + list(args), input=input, text=True,
                              capture_output=True, env=env, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("%s %s failed (%d):\n%s\n%s" % (
                self.name, script, proc.returncode, proc.stdout[-2000:], proc.stderr[-4000:]))
        return proc


@pytest.fixture(params=["cpython", "micropython"])
def vm(request) -> VM:
    """Each test using this runs twice: on CPython and on the MicroPython VM the token runs."""
    return VM(request.param)


@pytest.fixture
def micropython_vm() -> VM:
    return VM("micropython")


# CI installs the Debian packages some tests need (.ci/run): there a skip for a missing tool is a failure, so a
# broken install cannot pass as skips. Elsewhere those tests skip and say what to install.
_MISSING_TOOL = "is not installed"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("TOTPFOB_REQUIRE_TOOLS") and _MISSING_TOOL in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = "CI must have every tool: %s" % (report.longrepr,)
