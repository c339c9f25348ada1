"""A running `totpfob gui` for tests: the real command in its own process, its address read from its first line,
and plain HTTP requests to it (http.client: every header is the test's to choose)."""

import http.client
import json
import os
import select
import signal
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

from virtual_token import TOTPFOB


class Gui:
    """`totpfob [--port P]... gui --no-browser ARGS` until stop(); `bodies` keeps every response body read."""

    def __init__(self, ports=(), *args: str, env: dict | None = None):
        command = [TOTPFOB, *[x for port in ports for x in ("--port", str(port))], "gui", "--no-browser", *args]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=dict(os.environ, TZ="UTC", **(env or {})))
        self.bodies: list[bytes] = []
        self.first_line = self._line(30)
        self.url = self.first_line.decode().strip()
        address = urlsplit(self.url)
        self.host, self.port = address.hostname, address.port
        self.secret = parse_qs(address.query)["s"][0]
        self.cookie = ""

    def _line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line:
                    return line
            if self.proc.poll() is not None:
                raise AssertionError("totpfob gui stopped: %r" % self.proc.stderr.read())
        raise AssertionError("totpfob gui printed no address")

    def request(self, method: str, path: str, body=None, headers: dict | None = None, cookie: bool = True):
        """(status, headers, body); the Host is this server's unless headers name another."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"Host": "%s:%d" % (self.host, self.port)}
        if cookie and self.cookie:
            sent["Cookie"] = self.cookie
        if method == "POST":
            sent["X-Totpfob"] = "1"
        sent.update(headers or {})
        sent = {name: value for name, value in sent.items() if value is not None}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        self.bodies.append(data)
        return response.status, dict(response.getheaders()), data

    def enter(self) -> str:
        """Open the printed address as the browser does: the cookie it sets is used from now on."""
        status, headers, _ = self.request("GET", "/?s=" + self.secret, cookie=False)
        assert status == 303, status
        self.cookie = headers["Set-Cookie"].split(";")[0]
        return headers["Set-Cookie"]

    def api(self, name: str, body: dict | None = None, timeout: float = 90) -> dict:
        """Run an operation through the API as the page does and return its outcome: {"result"} or {"error"}."""
        status, _, data = self.request("POST", "/api/" + name, body or {})
        assert status == 200, (status, data)
        job = json.loads(data)["job"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _, data = self.request("GET", "/api/job?id=" + job)
            answer = json.loads(data)
            if answer["done"]:
                return answer
            time.sleep(0.1)
        raise AssertionError("the operation %s did not end" % name)

    def stop(self) -> subprocess.CompletedProcess:
        """Ctrl-C, as a person at the terminal stops it; what it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, self.first_line + out, err)
