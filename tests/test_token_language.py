"""The token speaks its person's language, end to end on the virtual token: `totpfob language hu` and its
empty screen says "Nincs fiók" (after a restart too), its questions and status are in Hungarian, and a new
token takes the language of the computer that first adds to it, and keeps it when another computer adds."""

import json
import re
import time

from virtual_token import VirtualToken

KEY = "JBSWY3DPEHPK3PXP"
UGY = "Ügyfélkapu+"


def language(vt: VirtualToken):
    return json.loads(vt.cli("info", "--json", check=True).stdout)["language"]


def test_totpfob_language_hu_and_the_empty_token_says_nincs_fiok_from_then_on(tmp_path):
    vt = VirtualToken(tmp_path).start()
    try:
        first = vt.wait_screen(lambda s: s["screen"] == "empty")
        assert first["lines"][0] == "No accounts"  # never set: English
        assert language(vt) is None
        assert "never set" in vt.cli("--lang", "en", "language", check=True).stdout

        before = time.time()
        vt.cli("--lang", "en", "language", "hu", check=True)
        vt.wait_screen(lambda s: s["screen"] == "empty" and s["lines"] == ["Nincs fiók", "Fiók felvétele:",
                                                                          "totpfob add"], after=before)
        assert language(vt) == "hu"
        assert "Hungarian" in vt.cli("--lang", "en", "language", check=True).stdout
        assert "Hungarian" in vt.cli("--lang", "en", "info", check=True).stdout

        refused = vt.cli("language", "xx")  # a language the token does not speak: one line, nothing changed
        assert refused.returncode != 0 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert language(vt) == "hu"

        restarted = time.time()
        vt.restart()
        again = vt.wait_screen(lambda s: s["screen"] == "empty", after=restarted)
        assert again["lines"][0] == "Nincs fiók"  # kept on the flash
    finally:
        vt.stop()


def test_a_hungarian_token_asks_and_reports_in_hungarian(tmp_path):
    vt = VirtualToken(tmp_path).start()
    try:
        vt.cli("language", "hu", check=True)
        vt.cli("--lang", "en", "add", "--secret", KEY, "--label", "alice", "--issuer", UGY, check=True)
        assert language(vt) == "hu"  # an English computer's add leaves a language set before alone

        asked = time.time()
        deleted = vt.asked("delete", "--yes", "alice")
        assert deleted.returncode == 0, deleted.stderr
        question = vt.wait_screen(lambda s: s["screen"] == "confirm", after=asked)
        assert question["lines"] == ["Törli ezt:", "alice?", "Tartsa: A, 3 mp", "30 mp"]
        erasing = vt.wait_screen(lambda s: s["screen"] == "erasing", after=question["t"])
        assert erasing["lines"] == ["Kulcsok törlése", "Kérem, várjon"]

        pressed = time.time()
        vt.press("B")
        status = vt.wait_screen(lambda s: s["screen"] == "status", after=pressed)
        assert re.fullmatch(r"\d{4}\. \d\d\. \d\d\.", status["lines"][0]), status  # the Hungarian date
        assert "Szinkronizálva:" in status["lines"] and status["lines"][-1] == "Fiókok: 0/100"
    finally:
        vt.stop()


def test_the_first_add_gives_a_new_token_the_computers_language_and_a_later_add_keeps_it(tmp_path):
    vt = VirtualToken(tmp_path / "hu").start()
    try:
        added = vt.cli("add", "--secret", KEY, "--label", "alice", env={"TOTPFOB_LANG": "hu"}, check=True)
        assert language(vt) == "hu"
        assert "totpfob language en" in added.stdout  # said, with how to change it
        vt.cli("--lang", "en", "add", "--secret", KEY, "--label", "bob", check=True)
        assert language(vt) == "hu"
        pressed = time.time()
        vt.press("B")
        assert vt.wait_screen(lambda s: s["screen"] == "status", after=pressed)["lines"][-1] == "Fiókok: 2/100"
    finally:
        vt.stop()

    uris = tmp_path / "accounts.txt"
    uris.write_text("otpauth://totp/Mail:carol?secret=%s&issuer=Mail\n" % KEY)
    vt = VirtualToken(tmp_path / "en").start()
    try:
        vt.cli("--lang", "en", "import", str(uris), "--yes", check=True)
        assert language(vt) == "en"  # set now: a Hungarian computer's add later does not change it
        vt.cli("add", "--secret", KEY, "--label", "dave", env={"TOTPFOB_LANG": "hu"}, check=True)
        assert language(vt) == "en"
    finally:
        vt.stop()


def older_firmware(tmp_path):
    """A copy of totpfob whose firmware predates the language (no LANGUAGE request, no "language" in HELLO), as
    an installed wheel carries it (totpfob/_device): a simulator started from it runs that firmware."""
    import shutil
    from pathlib import Path

    import totpfob

    package = Path(totpfob.__file__).resolve().parent
    root = package.parents[1]
    copy = tmp_path / "older" / "totpfob"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "_device"))
    for part in ("firmware", "boards"):
        shutil.copytree(root / part, copy / "_device" / part, ignore=shutil.ignore_patterns("__pycache__"))
    service = copy / "_device" / "firmware" / "service.py"
    text = service.read_text()
    for line in ('    wire.LANGUAGE: Service.language,\n',
                 '            "language": settings.language(),  # None: never set (the screens speak English)\n'):
        assert line in text
        text = text.replace(line, "")
    service.write_text(text)
    return copy.parent


def test_an_older_firmware_is_asked_to_be_updated_for_the_language_and_everything_else_works(tmp_path,
                                                                                          monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(older_firmware(tmp_path)))
    vt = VirtualToken(tmp_path / "token").start()
    monkeypatch.delenv("PYTHONPATH")  # the commands: this totpfob
    try:
        assert language(vt) is None  # it cannot say
        refused = vt.cli("--lang", "en", "language", "hu")
        assert refused.returncode == 2 and refused.stdout == ""
        assert refused.stderr.count("\n") == 1 and "update it with `totpfob deploy`" in refused.stderr
        added = vt.cli("add", "--secret", KEY, "--label", "alice", env={"TOTPFOB_LANG": "hu"})
        assert added.returncode == 0, added.stderr  # the first add works as before, in English on the token
        assert vt.wait_screen(lambda s: s["screen"] == "code")["account"] == "alice"
        assert "English" in vt.cli("--lang", "en", "language", check=True).stdout
    finally:
        vt.stop()
