"""`make demo`: a virtual token provisioned from the bundled demo QR code, its display live in this terminal and
its code checked against pyotp's every second.

    python -m totpfob.demo [--state DIR] [--seconds N]

On a terminal it runs until Ctrl-C, the display drawn as large as the terminal allows (and again when it is
resized), the code and pyotp's as text under it. With --seconds, or when the output is not a terminal (CI), it prints one
plain line per drawn screen for N seconds (10 by default) and exits non-zero if any code did not match.
"""

import argparse
import base64
import hashlib
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from . import i18n
from .i18n import N_, _, ngettext
from .samples import DEMO_ISSUER, DEMO_KEY, DEMO_LABEL, DEMO_QR
from .sim import render
from .sim.harness import SimError, VirtualToken

NOTICE = N_("DEMO ACCOUNT \u2014 demo key, not a real account")
# The demo account's settings, as the QR picture (and samples.DEMO_URI) gives them.
PERIOD = 30
DIGITS = 6
START_TIMEOUT_S = 20
PLAIN_SECONDS = 10


class DemoError(Exception):
    """Something stopped the demo; the message is one line for the user."""


def reference():
    """pyotp's TOTP for the demo key. The key is 80 bits, as Ügyfélkapu+ keys are, which pyotp 2.12 refuses
    (it wants 112): keep its HMAC and truncation but hand it the key bytes ourselves."""
    import pyotp

    key = base64.b32decode(DEMO_KEY)

    class KeyTOTP(pyotp.TOTP):
        def byte_secret(self) -> bytes:
            return key

    return KeyTOTP(DEMO_KEY, digits=DIGITS, digest=hashlib.sha1, interval=PERIOD)


def provision(token: VirtualToken, reused_state: bool) -> None:
    """Add the demo account through the real CLI, as a user would (`totpfob add --qr PICTURE`)."""
    if reused_state:
        listed = token.cli("list", "--json")
        if listed.returncode == 0 and any(entry["label"] == DEMO_LABEL and entry["issuer"] == DEMO_ISSUER
                                          for entry in json.loads(listed.stdout)):
            print(_("the token already holds the demo account; not adding it again"), flush=True)
            return
    shown = "samples/" + DEMO_QR.name
    print(_("provisioning from %s with: totpfob --port %s add --qr %s") % (shown, token.link, DEMO_QR), flush=True)
    added = token.cli("add", "--qr", str(DEMO_QR))
    for line in (added.stdout + added.stderr).splitlines():
        print("  | " + line)
    if added.returncode != 0:
        raise DemoError(_("provisioning failed (totpfob exit %d)") % added.returncode)


def show_demo_account(token: VirtualToken) -> None:
    """Press A until the token shows the demo account (a reused state may hold others before it)."""
    if token.show(DEMO_LABEL, DEMO_ISSUER) is None:
        raise DemoError(_("the token does not show the demo account"))
    token.new_screens()  # the screens pressed through are behind us: the demo compares from here on


def compare(shown: dict, totp) -> tuple:
    """(pyotp's code for the second the token showed, whether they match), or None for a non-demo screen."""
    if shown.get("screen") != "code" or shown.get("account") != DEMO_LABEL:
        return None
    # The token reads whole seconds and reports just after drawing: its second is this one or the one before,
    # and its countdown tells which. If neither fits, its clock is off and pyotp's code for now is the yardstick.
    now = int(shown["t"])
    second = next((s for s in (now, now - 1) if PERIOD - s % PERIOD == shown["remaining"]), now)
    expected = totp.generate_otp(second // PERIOD)  # not totp.at(): that goes through local time
    return expected, expected == shown["code"]


def grouped(code: str) -> str:
    half = (len(code) + 1) // 2
    return code[:half] + " " + code[half:]


def describe(shown: dict, totp) -> list:
    """The two lines under the display: what the token shows against pyotp."""
    result = compare(shown, totp)
    if result is None:
        return [_("the token shows: %s") % (shown.get("account") or shown.get("screen")), ""]
    expected, ok = result
    return [_("token shows   %s   (%2d s left)") % (grouped(shown["code"]), shown["remaining"]),
            (_("pyotp says    %s   match") if ok else _("pyotp says    %s   MISMATCH")) % grouped(expected)]


def heading() -> list:
    """The lines above the comparison: whose account this is."""
    return [_(NOTICE), _("%s: %s  (SHA1, %d digits, %d s)") % (DEMO_ISSUER, DEMO_LABEL, DIGITS, PERIOD)]


def watch_live(token: VirtualToken, totp) -> int:
    """Redraw the display and the comparison whenever the token draws or the terminal is resized; until Ctrl-C."""
    mismatch = False
    drawn = None
    resized = []
    signal.signal(signal.SIGWINCH, lambda *_: resized.append(True))

    def too_small(columns: int, lines: int) -> str:
        return _("Make this terminal at least %dx%d to see the token's display, or open %s.") % (
            columns, lines, token.snapshot)

    sys.stdout.write("\x1b[?25l\x1b[2J")  # hide the cursor, clear the terminal
    size = None
    try:
        while True:
            token.check_running()
            for shown in token.new_screens():
                result = compare(shown, totp)
                mismatch = mismatch or (result is not None and not result[1])
            try:
                stamp = token.snapshot.stat().st_mtime_ns
            except FileNotFoundError:
                stamp = 0
            if token.last and ((token.last["t"], stamp) != drawn or resized):
                drawn = (token.last["t"], stamp)
                resized.clear()
                now = render.terminal_size(sys.stdout)
                text = heading() + describe(token.last, totp) + [_("Ctrl-C to stop")]
                lines = render.screen(token.picture(), now, text, too_small)
                sys.stdout.write(render.paint(lines, now, clear=now != size))  # a resize leaves text anywhere
                sys.stdout.flush()
                size = now
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        sys.stdout.write("\x1b[?25h\n")
        sys.stdout.flush()
    print(_("stopped: a MISMATCH was seen") if mismatch else _("stopped"))
    return 1 if mismatch else 0


def watch_plain(token: VirtualToken, totp, seconds: float) -> int:
    """Print the display once, then one line per drawn screen for `seconds`; 0 only if every code matched."""
    picture = token.picture()
    # Lines scroll here: only the width limits the drawing.
    drawing = render.fit(len(picture[0]), len(picture), render.terminal_size(sys.stdout)[0], sys.maxsize)
    print("\n".join(render.draw(picture, drawing or render.DRAWINGS[-1])))
    print("\n".join(heading()), flush=True)
    compared = mismatches = 0
    end = time.monotonic() + seconds
    pending = [token.last] if token.last else []  # the screen on display now
    while time.monotonic() < end:
        token.check_running()
        for shown in pending + token.new_screens():
            result = compare(shown, totp)
            stamp = time.strftime("%H:%M:%S", time.gmtime(shown["t"]))
            if result is None:
                print(_("%s  the token shows: %s") % (stamp, shown.get("account") or shown.get("screen")))
                continue
            expected, ok = result
            compared += 1
            mismatches += not ok
            print(_("%s  token %s  pyotp %s  %s  (%d s left)") % (stamp, grouped(shown["code"]), grouped(expected),
                                                               _("match") if ok else _("MISMATCH"), shown["remaining"]),
                  flush=True)
        pending = []
        time.sleep(0.1)
    if not compared:
        print(_("no code of the demo account was drawn in %g s") % seconds)
        return 1
    print(ngettext("%d code compared with pyotp: %s", "%d codes compared with pyotp: %s", compared)
          % (compared, _("%d MISMATCH") % mismatches if mismatches else _("all match")))
    return 1 if mismatches else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m totpfob.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", metavar="DIR", help=_("keep the token's flash and clock here (default: a fresh "
                                                         "temporary token)"))
    parser.add_argument("--seconds", type=float, metavar="N",
                        help=_("print plain lines for N seconds, then exit (default on a non-terminal: %d)")
                             % PLAIN_SECONDS)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(errors="replace")  # the half blocks and the accents on a terminal that lacks them
    live = args.seconds is None and sys.stdout.isatty()
    try:
        totp = reference()
    except ImportError:
        print(_("totpfob demo: pyotp is not installed (run `make setup`)"), file=sys.stderr)
        return 2
    # A stop from outside (kill, CI timeout) ends the demo as Ctrl-C does: stopping the token first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="totpfob-demo-"))
    token = VirtualToken(workdir, state=Path(args.state) if args.state else None)
    try:
        print(_("starting the virtual token\u2026"), flush=True)
        token.start(timeout=START_TIMEOUT_S)
        print(_("the virtual token is up; its serial port is %s") % token.link, flush=True)
        provision(token, reused_state=bool(args.state))
        show_demo_account(token)
        if live:
            return watch_live(token, totp)
        return watch_plain(token, totp, args.seconds if args.seconds is not None else PLAIN_SECONDS)
    except (DemoError, SimError) as exc:
        print(_("totpfob demo: %s") % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("\nstopped"))
        return 130
    finally:
        token.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    i18n.use()  # `python -m totpfob.demo` (make demo): the environment's language, as `totpfob demo` speaks
    sys.exit(main())
