"""Pictures of the screen (every monitor) and what the clipboard holds, for `totpfob add --screen/--clipboard`.

Pillow's ImageGrab does the work where it can: Windows and macOS natively, X11 through its XCB support, the
clipboard through xclip or wl-paste on Linux. A Wayland session hides other windows from X11 grabs, so there
the Wayland tools come first (grim on wlroots desktops, GNOME's and KDE's screenshot tools). Every failure is one
line saying what to do instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageGrab, UnidentifiedImageError

from .i18n import _
from .otpauth import InputError

# Wayland screenshot tools, each writing a PNG of every output to the path given last.
_WAYLAND_TOOLS = (["grim"], ["gnome-screenshot", "-f"], ["spectacle", "-b", "-n", "-f", "-o"])
_TIMEOUT_S = 20


class GrabError(InputError):
    """No picture of the screen or the clipboard could be had; the message says what to do instead."""


def screens() -> list[Image.Image]:
    """A picture of every monitor (one picture may span several)."""
    if sys.platform == "darwin":
        return _mac_displays()
    if sys.platform == "win32":
        return [_pillow_grab(all_screens=True)]
    if os.environ.get("WAYLAND_DISPLAY"):
        return [_wayland_grab()]
    if os.environ.get("DISPLAY"):
        return [_pillow_grab()]
    raise GrabError(_("there is no screen to take a picture of here (no DISPLAY or WAYLAND_DISPLAY); save a "
                      "screenshot of the QR code and use --qr FILE"))


def clipboard() -> Image.Image | str:
    """The picture in the clipboard or, when it holds none, its text."""
    try:
        content = ImageGrab.grabclipboard()
    except NotImplementedError:  # Linux without xclip or wl-paste
        raise GrabError(_("reading the clipboard needs xclip (X11) or wl-clipboard (Wayland); install one, or save "
                          "the picture and use --qr FILE")) from None
    except UnidentifiedImageError:  # some clipboard owners hand out their text whatever type is asked for
        content = None
    except (OSError, ChildProcessError, subprocess.SubprocessError) as exc:
        raise GrabError(_("the clipboard cannot be read (%s); save the picture and use --qr FILE") % _short(exc)) from None
    if isinstance(content, list):  # files copied in a file manager (Windows, macOS): the first picture among them
        for name in content:
            try:
                with Image.open(name) as picture:
                    picture.load()
                    return picture.copy()
            except (OSError, UnidentifiedImageError):
                continue
        content = None
    if content is not None:
        return content
    text = _clipboard_text()
    if not text or not text.strip():
        raise GrabError(_("the clipboard holds neither a picture nor text; copy the QR code (right-click, Copy "
                          "image) or its otpauth:// link, then run this again"))
    return text.strip()


def _pillow_grab(**options) -> Image.Image:
    try:
        return ImageGrab.grab(**options)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GrabError(_("cannot take a picture of the screen (%s); save a screenshot of the QR code and use "
                          "--qr FILE") % _short(exc)) from None


def _wayland_grab() -> Image.Image:
    tools = [command for command in _WAYLAND_TOOLS if shutil.which(command[0])]
    if not tools:
        raise GrabError(_("on Wayland a picture of the screen needs grim, gnome-screenshot or spectacle; install "
                          "one, or save a screenshot of the QR code and use --qr FILE"))
    with tempfile.TemporaryDirectory(prefix="totpfob-") as folder:
        shot = Path(folder) / "screen.png"
        for command in tools:
            if _run(command + [str(shot)]) and shot.exists():
                return _load(shot)
    raise GrabError(_("%s could not take a picture of the screen; save a screenshot of the QR code and use "
                      "--qr FILE") % tools[-1][0])


def _mac_displays() -> list[Image.Image]:
    """screencapture once per display (-D counts from 1) until a display number does not exist."""
    pictures = []
    with tempfile.TemporaryDirectory(prefix="totpfob-") as folder:
        for display in range(1, 9):
            shot = Path(folder) / ("display%d.png" % display)
            if not (_run(["screencapture", "-x", "-D", str(display), str(shot)]) and shot.exists()):
                break
            pictures.append(_load(shot))
    if not pictures:
        raise GrabError(_("cannot take a picture of the screen (allow it under System Settings, Privacy & Security, "
                          "Screen Recording); or save a screenshot of the QR code and use --qr FILE"))
    return pictures


def _clipboard_text() -> str | None:
    """The clipboard's text through the system's own tool, or None when there is none or no tool."""
    if sys.platform == "darwin":
        commands = [["pbpaste"]]
    elif sys.platform == "win32":
        commands = [["powershell", "-NoProfile", "-NonInteractive", "-Command",
                     "[Console]::OutputEncoding = [Text.Encoding]::UTF8; Get-Clipboard -Raw"]]
    elif os.environ.get("WAYLAND_DISPLAY"):
        commands = [["wl-paste", "--no-newline", "--type", "text"]]
    else:
        commands = [["xclip", "-selection", "clipboard", "-o"]]
    for command in commands:
        if shutil.which(command[0]) is None:
            continue
        try:
            proc = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError):
            continue
        if proc.returncode == 0:
            return proc.stdout.decode("utf-8", "replace")
    return None


def _run(command: list) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _load(path: Path) -> Image.Image:
    with Image.open(path) as picture:
        picture.load()
        return picture.copy()


def _short(exc: BaseException) -> str:
    """An error's first line, without the exception's class name."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
