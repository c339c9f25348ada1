"""A real token on a serial port, for the end-to-end checks in this folder; without one they are skipped.

    pytest tests/hardware --hw-port /dev/ttyUSB0 --hw-board esp32_devkit
    TOTPFOB_HW_PORT=/dev/ttyUSB0 TOTPFOB_HW_BOARD=esp32_devkit pytest tests/hardware

Name the folder (or a file in it) on the command line when using the options: pytest reads the options of a
conftest in a subfolder only when that folder is named. The environment variables work from anywhere, also with
a plain `pytest` or `make test`. The tests add and remove accounts of their own (labels starting with `hwtest-`);
accounts already on the token are left alone.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

TOTPFOB = str(Path(sys.executable).parent / "totpfob")
NO_PORT = ("no real token: give --hw-port PORT --hw-board BOARD "
           "(or TOTPFOB_HW_PORT / TOTPFOB_HW_BOARD) to run the hardware checks")


def pytest_addoption(parser):
    group = parser.getgroup("hardware", "end-to-end checks on a real token (tests/hardware)")
    group.addoption("--hw-port", metavar="PORT", help="serial port of the token, e.g. /dev/ttyUSB0")
    group.addoption("--hw-board", metavar="BOARD", help="its board, as `totpfob boards` names it")


def _setting(config, option: str, variable: str):
    return config.getoption(option, default=None) or os.environ.get(variable) or None


def pytest_collection_modifyitems(config, items):
    if _setting(config, "--hw-port", "TOTPFOB_HW_PORT"):
        return
    skip = pytest.mark.skip(reason=NO_PORT)
    for item in items:
        if item.get_closest_marker("hardware"):
            item.add_marker(skip)


class RealToken:
    """The token on the port, driven through the real `totpfob` CLI; keeps everything that came back from it."""

    def __init__(self, port: str, board, config):
        self.port = port
        self.board = board
        self.outputs = []  # stdout + stderr of every command, and what was read from the raw port
        self._config = config

    def say(self, text: str) -> None:
        """A line for the person at the board, shown at once even while pytest captures the output."""
        plugins = self._config.pluginmanager
        terminal = plugins.get_plugin("terminalreporter")
        capture = plugins.get_plugin("capturemanager")
        if terminal is None:
            return
        if capture is None:
            terminal.write_line(text)
            return
        with capture.global_and_fixture_disabled():
            terminal.write_line(text)

    def cli(self, *args: str, timeout: float = 60, echo: bool = False) -> subprocess.CompletedProcess:
        """`totpfob --port PORT ARGS` (stderr folded into stdout); with echo, its lines also go to the terminal
        as they come, so the person sees when the token wants a button pressed."""
        proc = subprocess.Popen([TOTPFOB, "--port", self.port, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=dict(os.environ, TZ="UTC"))
        lines = queue.Queue()

        def pump():
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        got = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                proc.kill()  # hung: the returncode (negative) and the output so far tell the test
                break
            if line is None:
                break
            got.append(line)
            if echo:
                self.say("  | " + line.rstrip("\n"))
        proc.wait()
        out = "".join(got)
        self.outputs.append(out)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, "")

    def wait_ready(self, timeout: float = 30) -> dict:
        """`info --json` once the token answers (after a deploy it is still booting)."""
        deadline = time.monotonic() + timeout
        while True:
            proc = self.cli("info", "--json")
            if proc.returncode == 0:
                return json.loads(proc.stdout)
            if time.monotonic() > deadline:
                raise AssertionError("the token on %s does not answer: %s" % (self.port, proc.stdout))
            time.sleep(1)


@pytest.fixture(scope="session")
def real_token(request) -> RealToken:
    config = request.config
    port = _setting(config, "--hw-port", "TOTPFOB_HW_PORT")
    if not port:
        pytest.skip(NO_PORT)
    board = _setting(config, "--hw-board", "TOTPFOB_HW_BOARD")
    return RealToken(port, board, config)


@pytest.fixture
def board(real_token) -> str:
    if not real_token.board:
        pytest.skip("name the token's board with --hw-board (or TOTPFOB_HW_BOARD) for this check")
    return real_token.board
