"""`totpfob gui`: the same operations as the command line, on a page in this computer's browser.

A small web server of Python's standard library (server.py) serves the page (static/) and its API (api.py) on
this computer only; the page's texts come from the same catalog as the command line's (texts.py).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
import threading
import time
import webbrowser

from ..errors import UserError
from ..i18n import _

DEFAULT_LISTEN = "127.0.0.1:0"  # port 0: any free one
IDLE_S = 120  # stop this long after the last page was closed (a hidden tab's heartbeat may come once a minute)


def listen_address(text: str, anywhere: bool) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets) -> (host, port); UserError for a malformed one, and for a host other
    than this computer's own unless `anywhere`."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not port.isdigit() or int(port) > 65535 or not host:
        raise UserError(_("--listen takes HOST:PORT, for example 127.0.0.1:8421"))
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise UserError(_("--listen takes an IP address as its HOST, for example 127.0.0.1:8421")) from None
    if not loopback and not anywhere:
        raise UserError(_("the page would be reachable from other computers at %s; it is meant for this computer "
                          "only (127.0.0.1); to do it anyway, add --listen-anywhere") % host)
    return host, int(port)


def cmd_gui(args) -> int:
    from . import api, server  # the web server: loaded only when asked for

    host, port = listen_address(args.listen or DEFAULT_LISTEN, args.listen_anywhere)
    try:
        running = server.make(host, port, api.Api(args.port))
    except OSError as exc:
        raise UserError(_("cannot listen on %s:%d (%s)") % (host, port, exc.strerror or exc)) from None
    if sys.stdout is None:  # started without a console (totpfob-gui on Windows): nobody could press Ctrl-C,
        running.last_seen = time.monotonic()  # so it also stops when no page ever came
    bound = running.server_address[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else ("[%s]" % host if ":" in host else host)
    url = "http://%s:%d/?s=%s" % (shown, bound, running.guard.secret)
    print(url, flush=True)  # the first line, as promised: scripts and tests read it
    if not ipaddress.ip_address(host).is_loopback:
        print(_("warning: the page can be reached from other computers on the network; anyone who learns the "
                "address above can use your tokens"), file=sys.stderr, flush=True)
    print(_("totpfob's page is open in your browser (if not, open the address above); press Ctrl-C here to stop"),
          flush=True)
    if not args.no_browser and _desktop():
        # In a thread: some browsers' launchers wait for the browser, and Ctrl-C must still stop the server.
        threading.Thread(target=_open, args=(url,), daemon=True, name="gui-browser").start()
    try:
        why = server.serve(running, args.idle_seconds)
    except KeyboardInterrupt:
        print(_("stopped"), flush=True)
        return 0
    if why == "idle":
        print(_("stopped: the page was closed"), flush=True)
    return 0


def main() -> int:
    """`totpfob-gui`: `totpfob gui` for a shortcut or a double-click (on Windows it opens no console window)."""
    from ..cli import main as totpfob

    return totpfob(["gui", *sys.argv[1:]])


def _desktop() -> bool:
    """Whether a browser window can be shown here. Without a display, Python's webbrowser would start a text
    browser (lynx, w3m) in this very terminal; the printed address is better."""
    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open(url: str) -> None:
    try:
        webbrowser.open(url)
    except webbrowser.Error:
        pass  # the address is printed: it can be opened by hand


def add_parser(commands, shared: dict) -> None:
    """`gui`, with the shared --port option (cli._shared)."""
    p = commands.add_parser("gui", parents=[shared["port"]],
                            help=_("open a page in your browser to add accounts, see and change the tokens"))
    p.add_argument("--listen", metavar="HOST:PORT",
                   help=_("where the page is served (default: this computer only, a free port)"))
    p.add_argument("--listen-anywhere", action="store_true",
                   help=_("allow a --listen address other computers can reach (not advised)"))
    p.add_argument("--no-browser", action="store_true", help=_("do not open the browser; only print the address"))
    p.add_argument("--idle-seconds", type=float, default=IDLE_S, help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_gui)

