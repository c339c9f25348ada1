"""`totpfob add --screen` and `--clipboard` under a real X server (Xvfb), through the real CLI and a virtual token:
the pairing page's QR code is taken from what the screen shows or the clipboard holds (a picture, or the
otpauth:// URI as text); two codes, none, no screen at all or a Wayland session without a grabber are one line.

Xvfb, xclip and Tk come from the Debian packages `make system-packages` installs (.ci/run runs it); without them
the tests that need them skip and say which is missing.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import qrgen
from totpfob.samples import DEMO_LABEL, DEMO_QR
from virtual_token import TOTPFOB, VirtualToken

OTHER_URI = "otpauth://totp/Example:someone@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"

# A picture in an undecorated window at a given place on the screen, as a browser would show the pairing page.
SHOW = """
import sys, tkinter
root = tkinter.Tk()
root.overrideredirect(True)
root.geometry("+%s+%s" % (sys.argv[2], sys.argv[3]))
picture = tkinter.PhotoImage(file=sys.argv[1])
tkinter.Label(root, image=picture, borderwidth=0, highlightthickness=0).pack()
root.update()
print("shown", flush=True)
root.mainloop()
"""


def _tk_missing() -> str:
    proc = subprocess.run([sys.executable, "-c", "import tkinter"], capture_output=True, text=True)
    return "" if proc.returncode == 0 else "tkinter (Debian: python3-tk)"


needs_x = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (make system-packages)")
needs_xclip = pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed (make system-packages)")


@pytest.fixture(scope="module")
def display():
    """A fresh X server of its own (Xvfb picks a free display number and tells it on a pipe)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (make system-packages)")
    missing = _tk_missing()
    if missing:
        pytest.skip("%s is not installed (make system-packages)" % missing)
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as said:
        number = said.readline().strip()
    assert number, "Xvfb did not start"
    yield ":" + number
    server.terminate()
    server.wait(10)


class Screen:
    """What the X server shows: windows opened by show(), all closed by clear()."""

    def __init__(self, name: str):
        self.name = name
        self.windows = []

    def show(self, picture, x: int = 0, y: int = 0) -> None:
        window = subprocess.Popen([sys.executable, "-c", SHOW, str(picture), str(x), str(y)],
                                  env=dict(os.environ, DISPLAY=self.name), stdout=subprocess.PIPE, text=True)
        assert window.stdout.readline().strip() == "shown"
        self.windows.append(window)
        time.sleep(0.3)  # the first expose is drawn after mapping

    def clear(self) -> None:
        for window in self.windows:
            window.terminate()
            window.wait(10)
        self.windows = []
        time.sleep(0.3)


@pytest.fixture
def screen(display):
    shown = Screen(display)
    yield shown
    shown.clear()


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    started = VirtualToken(tmp_path_factory.mktemp("grab"), snapshot=False).start()
    yield started
    started.stop()


def totpfob(*argv: str, display: str = "", **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environ.update(TZ="UTC", **env)
    if display:
        environ["DISPLAY"] = display
    return subprocess.run([TOTPFOB, *argv], capture_output=True, text=True, timeout=120, env=environ)


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("totpfob: "), proc.stderr
    return proc.stderr


def labels(token) -> list:
    return [a["label"] for a in json.loads(token.cli("list", "--json", check=True).stdout)]


def test_add_screen_takes_the_qr_code_the_pairing_page_shows(token, screen):
    screen.show(DEMO_QR, 200, 100)
    added = totpfob("--port", str(token.link), "add", "--screen", display=screen.name)
    assert added.returncode == 0, added.stderr
    assert "code now" in added.stdout
    assert DEMO_LABEL in labels(token)


def test_two_codes_on_the_screen_are_one_line_and_nothing_is_added(token, screen, tmp_path):
    screen.show(DEMO_QR, 0, 0)
    screen.show(qrgen.small(tmp_path, OTHER_URI), 1200, 600)
    err = one_line(totpfob("--port", str(token.link), "add", "--screen", "--label", "two", display=screen.name))
    assert "2 authenticator QR codes" in err
    assert "two" not in labels(token)


def test_a_screen_without_a_qr_code_is_one_line(screen, tmp_path):
    screen.show(qrgen.no_code(tmp_path))
    err = one_line(totpfob("--port", "unused", "add", "--screen", display=screen.name))
    assert "no QR code found on the screen" in err


def test_no_screen_at_all_says_to_use_a_saved_screenshot():
    err = one_line(totpfob("--port", "unused", "add", "--screen"))
    assert "--qr FILE" in err


def test_wayland_without_a_screenshot_tool_says_which_to_install(tmp_path):
    err = one_line(totpfob("--port", "unused", "add", "--screen", WAYLAND_DISPLAY="wayland-0",
                           PATH=str(tmp_path)))  # no grim, gnome-screenshot or spectacle on this PATH
    assert "grim" in err and "--qr FILE" in err


@needs_xclip
def test_add_clipboard_takes_a_copied_picture_or_uri(token, display):
    copy(display, "-t", "image/png", "-i", str(DEMO_QR))
    added = totpfob("--port", str(token.link), "add", "--clipboard", "--label", "from-picture", display=display)
    assert added.returncode == 0, added.stderr
    copy(display, input=OTHER_URI)
    added = totpfob("--port", str(token.link), "add", "--clipboard", display=display)
    assert added.returncode == 0, added.stderr
    assert {"from-picture", "someone@example.com"} <= set(labels(token))


@needs_xclip
def test_a_clipboard_with_other_text_is_one_line(display):
    copy(display, input="https://ugyfelkapu.gov.hu/")
    err = one_line(totpfob("--port", "unused", "add", "--clipboard", display=display))
    assert "not an otpauth:// URI" in err


def copy(display: str, *argv: str, input: str = "") -> None:
    """Put something in the X clipboard as a desktop program would: xclip stays behind to serve it."""
    subprocess.run(["xclip", "-selection", "clipboard", *argv], input=input.encode(), check=True, timeout=10,
                   env=dict(os.environ, DISPLAY=display))

