"""The local web server behind `totpfob gui`: the page, its files and its API, for this computer's browser only.

Every request is checked before anything else (Guard): the Host header must name this server as the browser was
told to reach it (a DNS-rebinding page names its own host), an Origin header must be this server's (a page of
another site posting here names its own), and the request must carry the session secret: the address printed at
start holds it once, and the first load trades it for an HttpOnly, SameSite=Strict cookie, then sends the browser
on to the same page without it. A POST must also carry the X-Totpfob header, which a plain form of another site
cannot add. Anything else gets 403 and changes nothing. Nothing is logged: the address holds the secret.
"""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import api
from .jobs import unexpected

STATIC = Path(__file__).resolve().parent / "static"
_FILES = {"/": ("index.html", "text/html; charset=utf-8"),
          "/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/style.css": ("style.css", "text/css; charset=utf-8")}
MAX_BODY = 24 * 1024 * 1024  # a phone's screenshot is a few MB; exports are kilobytes
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self';"
                               " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
                               " frame-ancestors 'none'",
}


class Guard:
    """Who may talk to this server: the Host names it may be reached by, the session secret, the cookie's name."""

    def __init__(self, host: str, port: int, secret: str | None = None):
        self.secret = secret or secrets.token_urlsafe(32)
        self.cookie = "totpfob_%d" % port  # cookies are shared across ports: one name per server
        names = {"127.0.0.1", "localhost", "[::1]"}
        if host not in ("0.0.0.0", "::", ""):
            names.add("[%s]" % host if ":" in host else host)
        self.hosts = {"%s:%d" % (name, port) for name in names}

    def host_ok(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_ok(self, origin: str | None, host: str) -> bool:
        """No Origin (a plain navigation) or this very server's."""
        return origin is None or origin.lower() == "http://" + host.lower()

    def given(self, text: str | None) -> bool:
        return bool(text) and hmac.compare_digest(text.encode(), self.secret.encode())  # type: ignore[union-attr]

    def cookie_ok(self, header: str | None) -> bool:
        for part in (header or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie and self.given(value):
                return True
        return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    guard: Guard
    api: api.Api
    last_seen = 0.0  # time.monotonic() of the page's last heartbeat; 0 before any page was open

    def handle_error(self, request, client_address):
        """A browser that went away mid-answer, or a request that failed: nothing to show on the terminal (the
        standard handler prints a traceback there)."""


class Server6(Server):
    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # a connection that stops talking does not hold a thread for ever
    server_version = "totpfob"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Nothing is logged: a request line may hold the session secret."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._serve(post=False)

    def do_POST(self):  # noqa: N802
        self._serve(post=True)

    def _serve(self, post: bool) -> None:
        guard = self.server.guard
        host = self.headers.get("Host")
        if not guard.host_ok(host) or not guard.origin_ok(self.headers.get("Origin"), host or ""):
            return self._forbidden()
        url = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        if not post and url.path == "/" and "s" in query:
            return self._enter(query["s"])
        if not guard.cookie_ok(self.headers.get("Cookie")):
            return self._forbidden()
        if post and self.headers.get("X-Totpfob") != "1":
            return self._forbidden()
        if not post and url.path in _FILES:
            name, kind = _FILES[url.path]
            return self._send(HTTPStatus.OK, (STATIC / name).read_bytes(), kind)
        if not url.path.startswith("/api/"):
            return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain; charset=utf-8")
        body = b""
        if not post and self.headers.get("Content-Length", "0") != "0":
            self.close_connection = True  # its body is not read: the connection cannot carry another request
        if post:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                return self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": api.too_large()})
            body = self.rfile.read(length)
        if url.path == "/api/heartbeat":
            self.server.last_seen = time.monotonic()
        try:
            status, answer = self.server.api.handle(url.path[5:], post, query, body)
        except Exception as exc:  # noqa: BLE001 - one sentence for the page, never a traceback
            status, answer = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": unexpected(exc)}
        self._json(status, answer)

    def _enter(self, given: str) -> None:
        """The address with the secret: set the cookie and go on to the page without the secret in the address
        (so it stays out of the history and of anything copied from the address bar)."""
        if not self.server.guard.given(given):
            return self._forbidden()
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", "/")
        self.send_header("Set-Cookie", "%s=%s; HttpOnly; SameSite=Strict; Path=/"
                         % (self.server.guard.cookie, self.server.guard.secret))
        self.send_header("Content-Length", "0")
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.end_headers()

    def _forbidden(self) -> None:
        self.close_connection = True
        self._send(HTTPStatus.FORBIDDEN, b"forbidden: open the address totpfob gui printed\n",
                   "text/plain; charset=utf-8")

    def _json(self, status: int, answer: dict) -> None:
        self._send(status, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def make(host: str, port: int, handler: api.Api, secret: str | None = None) -> Server:
    """A server bound to host:port (port 0: any free one), not yet serving."""
    server = (Server6 if ":" in host else Server)((host, port), Handler)
    server.guard = Guard(host, server.server_address[1], secret)
    server.api = handler
    return server


def idle_for(server: Server) -> float:
    """Seconds since the last page's last heartbeat; 0 while none has been open or an operation runs."""
    if not server.last_seen or server.api.jobs.running():
        if server.last_seen:
            server.last_seen = time.monotonic()
        return 0.0
    return time.monotonic() - server.last_seen


def serve(server: Server, idle_s: float, stop: threading.Event | None = None) -> str:
    """Serve until Ctrl-C (KeyboardInterrupt reaches the caller), `stop`, or idle_s after the last page closed;
    why it stopped: "idle" or "stopped"."""
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    worker.start()
    stop = stop or threading.Event()
    try:
        while not stop.wait(0.5):
            if idle_for(server) > idle_s:
                return "idle"
        return "stopped"
    finally:
        server.shutdown()
        server.server_close()
