"""Host side of the serial link: find the token's port, open it without resetting the ESP32, and exchange frames
(retrying with the same request id, which the token answers once)."""

import errno
import os
import random
import re
import struct
import time
from collections.abc import Callable

import serial
from serial.tools import list_ports

from .i18n import N_, _
from .paths import firmware_module

wire = firmware_module("wire")
frames = firmware_module("frames")

# USB-serial bridges found on ESP32 boards: Espressif native USB, Silicon Labs CP210x, WCH CH340/CH9102, FTDI.
USB_IDS = {0x303A: "Espressif", 0x10C4: "Silicon Labs CP210x", 0x1A86: "WCH CH340/CH9102", 0x0403: "FTDI"}

# What a port can raise when the device behind it vanishes: pyserial's own error, the OS's, and termios.error
# (no OSError) from tcdrain/tcflush on POSIX.
try:
    import termios

    _PORT_ERRORS: tuple = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    _PORT_ERRORS = (serial.SerialException, OSError)


# The token sends WAIT about every second (one slow flash operation may hold one back); this long without one, it
# is gone.
_WAIT_GAP_S = 5.0
_AGAIN_PAUSE_S = 0.5  # a token busy with another request (E_AGAIN) is asked again this much later ...
_AGAIN_FOR_S = 600.0  # ... for at most this long: an erase on the slowest flash takes minutes
BUSY = 0xFF  # on_progress's job while the token is busy with another request (it answered E_AGAIN)
_TRIED_AGAIN = object()


class LinkError(Exception):
    """The token did not answer, went away, or the port cannot be opened."""


class PortBusy(LinkError):
    """Another program (another totpfob) has the token's port open."""


class DeviceError(Exception):
    """The token refused a request; code is one of wire.E_*."""

    def __init__(self, code: int, detail: str = ""):
        super().__init__(detail or "error %d" % code)
        self.code = code
        self.detail = detail


def find_port() -> str:
    """The one serial port that looks like a token, or LinkError saying there are none or several."""
    env = os.environ.get("TOTPFOB_PORT")
    if env:
        return env
    found = [p for p in list_ports.comports() if p.vid in USB_IDS]
    if not found:
        raise LinkError(_("no token found on USB (plug it in, or name its port with --port)"))
    if len(found) > 1:
        names = ", ".join("%s (%s)" % (p.device, USB_IDS[p.vid]) for p in found)
        raise LinkError(_("several possible tokens: %s; choose one with --port") % names)
    return found[0].device


class Link:
    """One open connection to a token. Use as a context manager."""

    def __init__(self, port: str, timeout: float = 1.0, retries: int = 3):
        self.port_name = port
        self.timeout = timeout
        self.retries = retries
        self.rid = random.randrange(0x10000)
        self.deframer = frames.Deframer()
        self.trace = os.environ.get("TOTPFOB_TRACE")  # tests record every byte the token sent
        # Called once per request when the token answers WAIT (it asks the person holding it), with the seconds
        # it gives them; the request then waits as long as WAITs keep coming.
        self.on_wait: Callable[[int], None] | None = None
        # Called with (job, done, in all, seconds since the request was sent) for each WAIT of a token that works
        # on a request (wire.WORK_*: a write, an erase) and each E_AGAIN of one busy with another (job BUSY).
        self.on_progress: Callable[[int, int, int, float], None] | None = None
        self._told = False  # on_wait was called for this request
        ser = serial.Serial()
        ser.port = port
        ser.baudrate = 115200
        ser.timeout = 0.05
        ser.write_timeout = 2
        # Keep DTR/RTS released: on boards with an auto-reset circuit, asserting them reboots the ESP32.
        ser.dtr = False
        ser.rts = False
        try:
            ser.exclusive = True
            ser.open()
            ser.reset_input_buffer()
        except _PORT_ERRORS + (ValueError,) as exc:
            ser.close()
            busy = _errno(exc) in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY)
            raise (PortBusy if busy else LinkError)(_open_failed(port, exc)) from None
        self.serial = ser

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.serial.close()
        except _PORT_ERRORS:
            pass

    def _read(self) -> bytes:
        try:
            data = self.serial.read(max(1, self.serial.in_waiting))
        except _PORT_ERRORS:
            raise LinkError(_(_GONE) % self.port_name) from None
        if data and self.trace:
            with open(self.trace, "ab") as f:
                f.write(data)
        return data

    def request(self, kind: int, payload: bytes = b"", timeout: float | None = None) -> bytes:
        """Send one request and return the payload of its OK reply; DeviceError if refused. A token that says
        it works on the request (WAIT) is waited for as long as it says so; one busy with another request
        (E_AGAIN) is asked again, and neither counts as a try."""
        self.rid = (self.rid + 1) & 0xFFFF
        frame = frames.frame(kind, self.rid, payload)
        wait = timeout or self.timeout
        started = time.monotonic()
        self._told = False
        tries = 0
        while tries < self.retries:
            tries += 1
            try:
                self.serial.write(frame)
                self.serial.flush()
            except _PORT_ERRORS:
                raise LinkError(_(_GONE) % self.port_name) from None
            answer = self._answer(wait, started)
            if answer is _TRIED_AGAIN:
                tries -= 1
                time.sleep(_AGAIN_PAUSE_S)
            elif answer is not None:
                return answer
        raise LinkError(_("the token on %s does not answer (if its display is dark, press a button to wake it;"
                          " is it running the totpfob firmware?)") % self.port_name)

    def _answer(self, wait: float, started: float):
        """The OK payload of the request just sent; _TRIED_AGAIN when the token is busy with another; None when
        it said nothing for `wait` s (_WAIT_GAP_S after a WAIT); DeviceError when it refused."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for reply, rid, body in self.deframer.feed(self._read()):
                if rid != self.rid:
                    continue  # a late answer to an earlier try
                if reply == wire.WAIT:
                    # The token asks the person holding it, or works on the request, and says so about every
                    # second: wait on, and never send the request again meanwhile (a retry must not raise a
                    # second question).
                    deadline = time.monotonic() + max(wait, _WAIT_GAP_S)
                    if body and body[0]:  # seconds left for the person to answer
                        if not self._told and self.on_wait is not None:
                            self._told = True
                            self.on_wait(body[0])
                    elif self.on_progress is not None:
                        job, done, total = struct.unpack_from("<BHH", body, 1) if len(body) >= 6 else (0, 0, 0)
                        self.on_progress(job, done, total, time.monotonic() - started)
                    continue
                if reply == wire.OK:
                    return body
                if reply == wire.ERROR and body:
                    if body[0] == wire.E_AGAIN and time.monotonic() - started < _AGAIN_FOR_S:
                        if self.on_progress is not None:
                            self.on_progress(BUSY, 0, 0, time.monotonic() - started)
                        return _TRIED_AGAIN
                    raise DeviceError(body[0], body[1:].decode("ascii", "replace"))
        return None


_GONE = N_("the token on %s went away (unplugged, or reset?)")


def _open_failed(port: str, exc: Exception) -> str:
    """Why port cannot be opened, in plain words (pyserial's say "[Errno 2] could not open port ...: ...")."""
    number = _errno(exc)
    if number in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return _("there is no port %s (is the token plugged in? leave out --port to let totpfob find it)") % port
    if number in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY) or (number == errno.EACCES and os.name == "nt"):
        return _("%s is in use by another program (another totpfob?)") % port
    if number in (errno.EACCES, errno.EPERM):
        return (_("this user may not use %s (on Linux: `sudo usermod -aG dialout $USER`, then log in again)")
                % port)
    if number in (errno.ENOTTY, errno.EISDIR, errno.EINVAL, errno.ENOTDIR) or isinstance(exc, ValueError):
        return _("%s is not a serial port") % port
    if number == errno.EIO:
        return _(_GONE) % port
    return _("cannot open %s: %s") % (port, _reason(exc))


def _errno(exc: Exception) -> int | None:
    """The OS error number behind a port failure, wherever pyserial put it (its args, or its message's text)."""
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    if exc.args and isinstance(exc.args[0], int):
        return exc.args[0]
    found = re.search(r"(?:\[Errno |\(|Error\()(\d+)", str(exc))
    return int(found.group(1)) if found else None


def _reason(exc: Exception) -> str:
    """The OS's words for a failure, without the errno number or the path the caller already names."""
    number = exc.errno if isinstance(exc, OSError) else (exc.args[0] if exc.args else None)
    if isinstance(number, int) and number > 0:
        return os.strerror(number).lower()
    text = str(exc.args[-1] if exc.args else exc)
    return text.split(": ", 1)[-1] if "Errno" in text else text
