"""`totpfob gui` serves this computer's browser only: what a user relies on is that no other page, site or
computer can use their tokens through it. Every request without the session secret, naming another host
(DNS rebinding) or coming from another site's page is refused with 403, while the same request done right
works; the server listens on loopback unless told otherwise in so many words, and stops in one line."""

import json
import os
import signal
import subprocess
import time

import pytest
from gui_session import Gui
from virtual_token import TOTPFOB


@pytest.fixture
def gui():
    running = Gui(["/dev/null/no-token"])
    yield running
    running.stop()


def test_first_line_is_the_address_with_its_secret_and_it_listens_on_loopback(gui):
    assert gui.url.startswith("http://127.0.0.1:")
    assert len(gui.secret) >= 32
    status, _, page = gui.request("GET", "/?s=" + gui.secret, cookie=False)
    assert status == 303


def test_the_secret_is_traded_for_a_strict_httponly_cookie_and_the_address_loses_it(gui):
    status, headers, _ = gui.request("GET", "/?s=" + gui.secret, cookie=False)
    assert status == 303 and headers["Location"] == "/"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    gui.cookie = cookie.split(";")[0]
    status, headers, page = gui.request("GET", "/")
    assert status == 200 and b"<script src=\"/app.js\"" in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, _, texts = gui.request("GET", "/api/texts")
    assert status == 200 and json.loads(texts)["texts"]["title"]


@pytest.mark.parametrize("path", ["/", "/app.js", "/api/texts", "/?s=", "/?s=wrong-secret"])
def test_without_the_secret_everything_is_refused(gui, path):
    status, _, body = gui.request("GET", path, cookie=False)
    assert status == 403
    assert gui.secret.encode() not in body


def test_a_wrong_cookie_or_another_servers_cookie_is_refused(gui):
    gui.enter()
    name, value = gui.cookie.split("=", 1)
    for cookie in ["%s=%s" % (name, value[:-1] + ("A" if value[-1] != "A" else "B")),
                   "totpfob_%d=%s" % (gui.port + 1, value)]:
        status, _, _ = gui.request("GET", "/api/texts", headers={"Cookie": cookie})
        assert status == 403, cookie


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:{other}", "localhost",
                                  "127.0.0.1.nip.io:{port}", None])
def test_a_foreign_host_is_refused_dns_rebinding(gui, host):
    gui.enter()
    status, _, _ = gui.request("GET", "/api/texts")
    assert status == 200
    given = host.format(port=gui.port, other=gui.port + 1) if host else None
    status, _, _ = gui.request("GET", "/api/texts", headers={"Host": given})
    assert status == 403
    status, _, _ = gui.request("GET", "/?s=" + gui.secret, headers={"Host": given}, cookie=False)
    assert status == 403


def test_localhost_by_name_is_this_server_too(gui):
    gui.enter()
    status, _, _ = gui.request("GET", "/api/texts", headers={"Host": "localhost:%d" % gui.port})
    assert status == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:{other}", "null",
                                    "https://127.0.0.1:{port}"])
def test_another_sites_page_cannot_post(gui, origin):
    gui.enter()
    same = "http://127.0.0.1:%d" % gui.port
    status, _, _ = gui.request("POST", "/api/heartbeat", {}, headers={"Origin": same})
    assert status == 200
    given = origin.format(port=gui.port, other=gui.port + 1)
    status, _, _ = gui.request("POST", "/api/heartbeat", {}, headers={"Origin": given})
    assert status == 403
    status, _, _ = gui.request("POST", "/api/language", {"language": "en"}, headers={"Origin": given})
    assert status == 403


def test_a_post_without_the_custom_header_is_refused(gui):
    """A plain HTML form of any site can send the cookie along (were SameSite ignored) but not this header."""
    gui.enter()
    status, _, _ = gui.request("POST", "/api/heartbeat", {}, headers={"X-Totpfob": None})
    assert status == 403
    status, _, _ = gui.request("POST", "/api/heartbeat", {}, cookie=False)
    assert status == 403


def test_a_non_loopback_listen_address_is_refused_unless_insisted_on(tmp_path):
    proc = subprocess.run([TOTPFOB, "gui", "--no-browser", "--listen", "0.0.0.0:0"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "--listen-anywhere" in proc.stderr
    assert "Traceback" not in proc.stderr
    anywhere = Gui([], "--listen", "0.0.0.0:0", "--listen-anywhere")
    try:
        assert anywhere.url.startswith("http://127.0.0.1:")
    finally:
        done = anywhere.stop()
    assert "other computers" in done.stderr.decode()


@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999", "example.com:80", ":80"])
def test_a_malformed_listen_address_is_one_line(listen):
    proc = subprocess.run([TOTPFOB, "gui", "--no-browser", "--listen", listen], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "--listen" in proc.stderr


def test_ctrl_c_stops_it_in_one_line_without_a_traceback(gui):
    done = gui.stop()
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr and done.stderr.strip() == b""
    assert done.stdout.decode().strip().splitlines()[-1] == "stopped"


def test_it_stops_by_itself_once_the_last_page_is_gone():
    gui = Gui([], "--idle-seconds", "1")
    gui.enter()
    status, _, _ = gui.request("POST", "/api/heartbeat", {})  # a page was open, then nothing more
    assert status == 200
    out, err = gui.proc.communicate(timeout=30)
    assert gui.proc.returncode == 0 and b"Traceback" not in err
    assert out.decode().strip().splitlines()[-1] == "stopped: the page was closed"


def test_nothing_is_logged_and_errors_are_sentences(gui):
    """The request lines hold the secret: nothing of them reaches the terminal."""
    gui.enter()
    status, _, body = gui.request("POST", "/api/no-such-thing", {})
    assert status == 404 and json.loads(body)["error"]
    status, _, body = gui.request("POST", "/api/add", b"{not json")
    assert status == 400 and json.loads(body)["error"]
    answer = gui.api("add", {"draft": "unknown", "ports": ["/dev/null/no-token"]})
    assert answer["error"] and "Traceback" not in answer["error"]
    done = gui.stop()
    assert gui.secret.encode() not in done.stdout.split(b"\n", 1)[1] + done.stderr


@pytest.mark.parametrize("operation, given", [
    ("key", {"key": "JBSWY3DPEHPK3PXP!!", "label": "me"}),
    ("key", {"key": "JBSWY3DPEHPK3PXPJBSW", "label": ""}),
    ("uri", {"uri": "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP!!"}),
    ("uri", {"uri": "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DP"}),
    ("uri", {"uri": "JBSWY3DPEHPK3PXPJBSWY3DP"}),
    ("import-read", {"files": [{"name": "a.json", "data": "eyJzZWNyZXQiOiAiSkJTV1kzRFBFSFBLM1BYUCJ9"}],
                     "ports": ["/dev/null/no-token"]}),
])
def test_a_bad_key_link_or_export_is_one_sentence_that_never_repeats_the_key(gui, operation, given):
    gui.enter()
    answer = gui.api(operation, given)
    said = answer["error"]
    assert said and "\n" not in said and "Traceback" not in said
    for key in ("JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp"):
        assert key not in said
    assert not any(b"JBSWY3DPEHPK3PXP" in body for body in gui.bodies)


def test_a_picture_that_is_not_one_is_one_sentence(gui):
    gui.enter()
    status, _, body = gui.request("POST", "/api/picture", b"\x89PNG but not really", {"Content-Type": "image/png"})
    assert status == 200
    job = json.loads(body)["job"]
    for _ in range(100):
        status, _, body = gui.request("GET", "/api/job?id=" + job)
        answer = json.loads(body)
        if answer["done"]:
            break
        time.sleep(0.05)
    assert answer["error"] == "this is not a picture that can be read (PNG or JPEG)"


def _started_with(tmp_path, env: dict, *args: str) -> tuple[str, str]:
    """(the address printed, what the browser was asked to open) for `totpfob gui ARGS` where the browser is a
    script that writes down its argument (Python's webbrowser takes the BROWSER variable)."""
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text("#!/bin/sh\nprintf '%%s' \"$1\" > %s\n" % opened)
    browser.chmod(0o755)
    proc = subprocess.Popen([TOTPFOB, "gui", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, BROWSER=str(browser), **env))
    try:
        address = proc.stdout.readline().strip()
        for _ in range(100):
            if opened.exists():
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    return address, opened.read_text() if opened.exists() else ""


def test_the_browser_is_opened_on_the_address_unless_told_not_to(tmp_path):
    address, opened = _started_with(tmp_path, {"DISPLAY": ":0"})
    assert address.startswith("http://127.0.0.1:") and opened == address
    (tmp_path / "opened").unlink()
    _, opened = _started_with(tmp_path, {"DISPLAY": ":0"}, "--no-browser")
    assert opened == ""


def test_without_a_display_no_text_browser_takes_over_the_terminal(tmp_path):
    address, opened = _started_with(tmp_path, {"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert address.startswith("http://127.0.0.1:") and opened == ""
