"""A real install, as a user makes one: the sdist and the wheel built from it (`python -m build`), the wheel
installed into a fresh venv outside the checkout (its dependencies from the package index, as pip or pipx gets
them), and that totpfob used from another folder: --version, boards, demo, sim --blank, deploy onto it, add, list.

One module, one built wheel for every check: building and installing take most of its time (pip's cache keeps
the download part short after the first run).
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import urllib.parse
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABEL = "demo.user@ugyfelkapu.gov.hu"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = out.glob("totpfob-*.whl")
    (sdist,) = out.glob("totpfob-*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """bin/ of a fresh venv (no --system-site-packages) with the wheel installed; cwd for commands: `home`."""
    home = tmp_path_factory.mktemp("home")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    proc = subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(built[0])],
                          capture_output=True, text=True, timeout=600, cwd=home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return bindir, home


def run(installed, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    bindir, home = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(TZ="UTC", PATH=str(bindir) + os.pathsep + env.get("PATH", ""))
    return subprocess.run([str(bindir / "totpfob"), *argv], capture_output=True, text=True, timeout=timeout,
                          cwd=home, env=env)


def test_the_wheel_carries_the_firmware_the_boards_and_the_samples(built):
    names = set(zipfile.ZipFile(built[0]).namelist())
    for needed in ("totpfob/_device/firmware/wire.py", "totpfob/_device/firmware/drivers/ssd1306.py",
                   "totpfob/_device/firmware/cpython/micropython.py", "totpfob/_device/boards/sim/board.py",
                   "totpfob/_device/boards/sim/simchips/ds3231.py", "totpfob/_device/boards/esp32_devkit/about.json",
                   "totpfob/samples/ugyfelkapu-demo.png", "totpfob/gui/static/index.html",
                   "totpfob/gui/static/app.js", "totpfob/gui/static/style.css"):
        assert needed in names
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".mpy"))]
    sdist = {n.split("/", 1)[1] for n in tarfile.open(built[1]).getnames() if "/" in n}
    assert {"firmware/wire.py", "boards/sim/board.py", "setup.py", "MANIFEST.in"} <= sdist


def test_the_installed_tool_uses_its_own_copy_not_the_checkout(installed):
    bindir, home = installed
    proc = subprocess.run([str(bindir / "python"), "-c", "from totpfob import paths; print(paths.FIRMWARE)"],
                          capture_output=True, text=True, cwd=home)
    firmware = Path(proc.stdout.strip())
    assert firmware.is_dir() and ROOT not in firmware.parents, proc.stdout + proc.stderr


def test_version_and_boards(installed):
    version = run(installed, "--version")
    assert version.returncode == 0 and version.stdout.startswith("totpfob "), version.stderr
    boards = run(installed, "boards", "--json")
    assert boards.returncode == 0, boards.stderr
    assert {"sim", "esp32_devkit"} <= {b["name"] for b in json.loads(boards.stdout)}


def test_the_installed_tool_speaks_hungarian_from_its_own_catalog(installed):
    # the compiled catalog travels in the wheel: no Babel, no checkout needed for the Hungarian messages
    helped = run(installed, "--lang", "hu", "--help")
    assert helped.returncode == 0 and "használat: totpfob" in helped.stdout, helped.stdout + helped.stderr
    refused = run(installed, "--lang", "hu", "add", "--uri", "https://example.com/")
    assert refused.returncode == 2 and "ez nem otpauth:// URI" in refused.stderr, refused.stderr


def test_the_installed_totpfob_gui_serves_the_page_from_its_own_files(installed):
    """totpfob-gui (the shortcut's command) starts the page's server; the page comes from the installed copy."""
    bindir, home = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.Popen([str(bindir / "totpfob-gui"), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=home, env=env)
    try:
        address = urllib.parse.urlsplit(proc.stdout.readline().strip())
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        connection.request("GET", "/?" + address.query)
        cookie = connection.getresponse()
        cookie.read()
        connection.request("GET", "/app.js", headers={"Cookie": cookie.getheader("Set-Cookie").split(";")[0]})
        page = connection.getresponse()
        assert page.status == 200 and b"/api/" in page.read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def test_the_demo_runs_and_its_codes_match(installed):
    demo = run(installed, "demo", "--seconds", "2", timeout=180)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "all match" in demo.stdout


def test_deploy_onto_a_fresh_virtual_board_then_add_and_list(installed, tmp_path):
    link, dump = tmp_path / "tty", tmp_path / "screens.jsonl"
    bindir, home = installed
    sim = subprocess.Popen([str(bindir / "totpfob"), "sim", "--headless", "--blank", "--link", str(link),
                            "--state", str(tmp_path / "state"), "--screen-dump", str(dump)],
                           cwd=home, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(lambda: link.exists(), sim, 30)
        deployed = run(installed, "deploy", "--board", "sim", "--port", str(link), timeout=240)
        assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
        assert "copied" in deployed.stdout
        wait_for(lambda: dump.exists() and '"empty"' in dump.read_text(), sim, 30)  # the firmware is up

        sample = subprocess.run([str(bindir / "python"), "-c", "from totpfob.samples import DEMO_QR; print(DEMO_QR)"],
                                capture_output=True, text=True, cwd=home).stdout.strip()
        added = run(installed, "--port", str(link), "add", "--qr", sample)
        assert added.returncode == 0, added.stderr
        assert "code now" in added.stdout
        listed = run(installed, "--port", str(link), "list", "--json")
        assert listed.returncode == 0 and [a["label"] for a in json.loads(listed.stdout)] == [LABEL]
    finally:
        sim.terminate()
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()


def wait_for(condition, sim: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if sim.poll() is not None:
            pytest.fail("the installed `totpfob sim` stopped: %s" % sim.stderr.read().decode()[-2000:])
        assert time.monotonic() < deadline, "the installed `totpfob sim` did not get there in %g s" % timeout
        time.sleep(0.1)
