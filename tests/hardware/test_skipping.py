"""The hardware checks in the normal suite: collected and skipped, with the reason, when no token is given; run
when one is (here a port where nothing is, so they run and fail at once). pytest runs in a subprocess, on the
hardware checks only (-m hardware), with the TOTPFOB_HW_* variables cleared."""

import os
import subprocess
import sys
from pathlib import Path

from .conftest import NO_PORT

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOWHERE = "/dev/totpfob-no-such-port"


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOTPFOB_HW_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "hardware", *args],
                          cwd=ROOT, env=dict(clean, **env), capture_output=True, text=True, timeout=120)


def hardware_checks() -> list:
    proc = pytest_run(str(HERE), "--collect-only", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if "::test_" in line]


def test_without_a_port_every_hardware_check_is_collected_and_skipped_with_the_reason():
    checks = hardware_checks()
    assert len(checks) >= 6 and all("test_token.py" in c for c in checks)
    proc = pytest_run(str(HERE), "-rs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "%d skipped" % len(checks) in proc.stdout and "passed" not in proc.stdout, proc.stdout
    assert proc.stdout.count(NO_PORT) == 1  # -rs folds identical reasons into one line: [N] ... reason
    assert "[%d]" % len(checks) in proc.stdout


def test_a_port_given_as_option_or_variable_runs_the_checks():
    for args, env in (([str(HERE), "--hw-port", NOWHERE], {}), ([str(HERE)], {"TOTPFOB_HW_PORT": NOWHERE})):
        proc = pytest_run(*args, "-k", "time_sync", **env)
        assert proc.returncode == 1, proc.stdout + proc.stderr  # ran, and failed: nothing on that port
        assert "1 failed" in proc.stdout and NOWHERE in proc.stdout, proc.stdout


def test_checks_needing_the_board_name_say_so_when_it_is_missing():
    proc = pytest_run(str(HERE), "--hw-port", NOWHERE, "-rs", "-k", "deploy or info_names")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 skipped" in proc.stdout and "--hw-board" in proc.stdout, proc.stdout
