"""`totpfob import --screen` and `--clipboard` under a real X server (Xvfb, as tests/test_grab.py sets it up):
a Google Authenticator export shown on the screen, or its link copied, goes onto the token in one command."""

import json
import shutil
import subprocess

import import_encoders as enc
import pytest
import qrgen
import test_grab
from test_grab import one_line, totpfob
from virtual_token import VirtualToken

display, screen = test_grab.display, test_grab.screen  # the X server and its windows, as test_grab has them

KEY = bytes.fromhex("6b1d2e3f405a6b7c8d9e")  # 80 bits


@pytest.fixture
def token(tmp_path):
    started = VirtualToken(tmp_path / "token", snapshot=False).start()
    yield started
    started.stop()


def names(token) -> list:
    return [(a["issuer"], a["label"]) for a in json.loads(token.cli("list", "--json", check=True).stdout)]


def test_import_screen_reads_the_export_qr_code_shown(token, screen, tmp_path):
    export = enc.ga_uri([enc.ga_account(KEY, "me@example.hu", "Ügyfélkapu+"),
                         enc.ga_account(KEY[::-1], "james", "SPDX", "sha256")])
    screen.show(qrgen.small(tmp_path, export), 300, 200)
    proc = totpfob("--port", str(token.link), "import", "--yes", "--screen", display=screen.name)
    assert proc.returncode == 0, proc.stderr
    assert names(token) == [("Ügyfélkapu+", "me@example.hu"), ("SPDX", "james")]


def test_import_screen_without_a_qr_code_is_one_line(screen, tmp_path):
    screen.show(qrgen.no_code(tmp_path))
    err = one_line(totpfob("--port", "unused", "import", "--screen", display=screen.name))
    assert "no QR code found on the screen" in err


@pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed (make system-packages)")
def test_import_clipboard_takes_a_copied_export_link(token, display):
    export = enc.ga_uri([enc.ga_account(KEY, "copied", "Clip")])
    owner = subprocess.Popen(["xclip", "-selection", "clipboard", "-loops", "3"], stdin=subprocess.PIPE,
                             env={"DISPLAY": display, "PATH": "/usr/bin:/bin"})
    owner.communicate(export.encode(), timeout=10)
    try:
        proc = totpfob("--port", str(token.link), "import", "--yes", "--clipboard", display=display)
        assert proc.returncode == 0, proc.stderr
        assert names(token) == [("Clip", "copied")]
    finally:
        if owner.poll() is None:
            owner.kill()
