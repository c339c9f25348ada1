"""The page of `totpfob gui` in a real browser (Debian's headless Chromium driven by Playwright) against
virtual tokens: what a person who never used a terminal does with it. A screenshot pasted (Ctrl+V), dropped or
chosen becomes an account on the tokens ticked, and the code the page shows is the one any authenticator
computes; rename and delete are allowed on the token; a picture without a QR code is one sentence and changes
nothing; an export is previewed, then written. No key is ever in anything the server sends."""

import base64
import io
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import import_encoders as enc
import pytest
import qrgen
import reference
import test_grab
from gui_session import Gui
from totpfob import i18n
from totpfob.gui import texts
from virtual_token import VirtualToken

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PICTURES = Path(__file__).resolve().parents[1] / "host_tools" / "pictures"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]  # containers give /dev/shm 64 MB, too little for Chromium's pages

# Every key this file gives the page; the leak scan looks for each in every response.
UGY_KEY = bytes.fromhex("8e2a51c07d93b4f6a015")  # 80 bits, like Ügyfélkapu+
BOTH_KEY = bytes.fromhex("3c5a7e9f0b1d2f4a6c8e")
RENAME_KEY = bytes.fromhex("a1b2c3d4e5f60718293a")
IMPORT_KEYS = [bytes.fromhex("0f1e2d3c4b5a69788796"), bytes.fromhex("5566778899aabbccddee")]
PICTURE_KEY = bytes.fromhex("1029384756afbecd0123")
SECRETS = [UGY_KEY, BOTH_KEY, RENAME_KEY, PICTURE_KEY, *IMPORT_KEYS]


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def uri(key: bytes, label: str, issuer: str) -> str:
    return "otpauth://totp/%s:%s?secret=%s&issuer=%s" % (quote(issuer), quote(label), b32(key), quote(issuer))


def leaked(data: bytes) -> list[str]:
    """Which of SECRETS appear in data, in any form a page could carry one: base32 (any case, with or without
    padding), hex, base64 or the raw bytes."""
    found = []
    lowered = data.lower()
    for key in SECRETS:
        forms = [b32(key).lower().encode(), key.hex().encode(), base64.b64encode(key).rstrip(b"=").lower(), key]
        if any(form in lowered or form in data for form in forms):
            found.append(key.hex())
    return found


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium; make system-packages)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    first = VirtualToken(tmp_path_factory.mktemp("first")).start()
    second = VirtualToken(tmp_path_factory.mktemp("second")).start()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(scope="module")
def gui(tokens):
    running = Gui([token.link for token in tokens])
    yield running
    done = running.stop()
    assert not leaked(done.stdout + done.stderr)
    assert b"Traceback" not in done.stderr


class Page:
    """One browser tab on the gui, keeping every response body it received."""

    def __init__(self, browser, gui):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.context.set_default_timeout(90000)  # a confirm on the token, then its erase, take a while
        self.tab = self.context.new_page()
        self.responses = []
        self.errors = []
        self.tab.on("response", lambda response: self.responses.append(response))
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.goto(gui.url)
        self.tab.wait_for_selector("#tokens .token")
        self.idle()

    def idle(self):
        """Wait until what the person started has ended (the page counts its actions under way)."""
        self.tab.wait_for_selector("body[data-busy='0']", state="attached", timeout=90000)

    def message(self) -> str:
        box = self.tab.locator("#message")
        return box.inner_text() if box.is_visible() else ""

    def card(self, token):
        return self.tab.locator(".token[data-port='%s']" % token.link)

    def listed(self, token) -> list[tuple[str, str]]:
        rows = self.card(token).locator("tr.account")
        return [(rows.nth(i).locator(".issuer").inner_text(), rows.nth(i).locator(".label").inner_text())
                for i in range(rows.count())]

    def paste(self, path: Path):
        """Ctrl+V of a screenshot: a paste event holding the picture, as the browser makes one."""
        self.tab.evaluate("""([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "image/png"}));
            document.body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true,
                                                                     cancelable: true}));
        }""", [base64.b64encode(path.read_bytes()).decode(), path.name])

    def drop(self, path: Path):
        self.tab.evaluate("""([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "image/png"}));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: transfer,
                                                                               bubbles: true, cancelable: true}));
        }""", [base64.b64encode(path.read_bytes()).decode(), path.name])

    def tick_only(self, *ports):
        for box in self.tab.locator("#add-tokens input").all():
            box.set_checked(box.get_attribute("value") in [str(port) for port in ports])

    def shown_code(self) -> tuple[str, float]:
        self.tab.wait_for_selector("#code-view", state="visible")
        self.tab.wait_for_selector("#code:not(:empty)")
        return self.tab.inner_text("#code").replace(" ", ""), time.time()

    def close(self):
        bodies = [self.tab.content().encode()]
        for response in self.responses:
            try:
                bodies.append(response.body())
            except Exception:  # noqa: BLE001 - a redirect has no body to read
                pass
        self.context.close()
        assert not [key for body in bodies for key in leaked(body)], "a key reached the browser"
        assert not self.errors, self.errors


@pytest.fixture
def page(chromium, gui):
    opened = Page(chromium, gui)
    yield opened
    opened.close()


def accounts_on(token) -> list[tuple[str, str]]:
    listed = json.loads(token.cli("list", "--json", check=True).stdout)
    return [(account["issuer"], account["label"]) for account in listed]


def test_a_pasted_screenshot_is_added_and_the_code_shown_is_the_authenticators(page, tokens, tmp_path):
    first, second = tokens
    shot = qrgen.screenshot(tmp_path, uri(UGY_KEY, "anna@ugyfelkapu.gov.hu", "Ügyfélkapu+"))
    page.paste(shot)
    page.tab.wait_for_selector("#found", state="visible")
    assert page.tab.inner_text("#found-name") == "Ügyfélkapu+: anna@ugyfelkapu.gov.hu"
    page.tick_only(first.link)
    page.tab.click("#add-button")
    code, at = page.shown_code()
    assert code in reference.codes_around(UGY_KEY, at, back=2)
    assert "törlőkód" in page.tab.inner_text("#code-view")
    page.idle()
    assert ("Ügyfélkapu+", "anna@ugyfelkapu.gov.hu") in page.listed(first)
    assert ("Ügyfélkapu+", "anna@ugyfelkapu.gov.hu") in accounts_on(first)
    assert ("Ügyfélkapu+", "anna@ugyfelkapu.gov.hu") not in accounts_on(second)


def test_the_next_code_shows_near_the_end_of_the_step(page, tokens, tmp_path):
    """Too little time to type the code: the next one shows too, and it is the authenticator's next code."""
    first, _ = tokens
    page.tab.click("#other-ways summary")
    page.tab.fill("#uri", uri(PICTURE_KEY, "late@example.com", "Late"))
    page.tab.click("#read-uri")
    page.tab.wait_for_selector("#found", state="visible")
    page.tick_only(first.link)
    page.tab.click("#add-button")
    page.shown_code()
    page.tab.wait_for_selector("#code-next-box", state="visible", timeout=35000)
    shown, at = page.tab.inner_text("#code-next").replace(" ", ""), time.time()
    assert shown in {reference.code(PICTURE_KEY, at + ahead) for ahead in range(0, 12)} - {
        reference.code(PICTURE_KEY, at)}


def test_a_dropped_picture_goes_to_both_tokens_at_once(page, tokens, tmp_path):
    shot = qrgen.screenshot(tmp_path, uri(BOTH_KEY, "both@example.com", "Shared"))
    page.drop(shot)
    page.tab.wait_for_selector("#found", state="visible")
    assert page.tab.locator("#add-tokens input:checked").count() == 2
    page.tab.click("#add-button")
    code, at = page.shown_code()
    assert code in reference.codes_around(BOTH_KEY, at, back=2)
    page.idle()
    for token in tokens:
        assert ("Shared", "both@example.com") in accounts_on(token)
        assert ("Shared", "both@example.com") in page.listed(token)
    page.drop(shot)  # the same again: said before Add, and refused in one sentence without the box ticked
    page.tab.wait_for_selector("#already-there", state="visible")
    page.idle()
    assert "already on" in page.tab.inner_text("#already-there")
    page.tab.click("#add-button")
    page.idle()
    assert "already has" in page.message() and page.tab.locator("#code-view").is_hidden()


def test_a_chosen_file_without_a_qr_code_is_one_sentence_and_changes_nothing(page, tokens, tmp_path):
    before = [accounts_on(token) for token in tokens]
    page.tab.set_input_files("#picture-file", str(qrgen.no_code(tmp_path)))
    page.tab.wait_for_selector("#message", state="visible")
    page.idle()
    said = page.message()
    assert said.count(".") == 1 and said.endswith(".") and "QR" in said and "\n" not in said
    assert page.tab.locator("#found").is_hidden()
    assert [accounts_on(token) for token in tokens] == before


def test_rename_and_delete_are_allowed_on_the_token(page, tokens):
    first, _ = tokens
    first.cli("add", "--uri", uri(RENAME_KEY, "old@example.com", "Renamed"), check=True)
    page.tab.click("#refresh")
    page.idle()
    row = page.card(first).locator("tr.account", has_text="old@example.com")
    row.get_by_role("button", name="Rename").click()
    page.card(first).locator("input.new-label").fill("new@example.com")
    first.answer_questions()  # the person beside the token holds A when it asks
    try:
        page.card(first).get_by_role("button", name="Save").click()
        page.idle()
        assert page.tab.locator("#message.ok").is_visible(), page.message()
        assert ("Renamed", "new@example.com") in accounts_on(first)
        assert ("Renamed", "old@example.com") not in accounts_on(first)
        assert ("Renamed", "new@example.com") in page.listed(first)
        page.tab.once("dialog", lambda dialog: dialog.accept())
        page.card(first).locator("tr.account", has_text="new@example.com").get_by_role("button", name="Delete").click()
        page.idle()
        assert page.tab.locator("#message.ok").is_visible(), page.message()
    finally:
        first.answer_questions(None)
    assert ("Renamed", "new@example.com") not in accounts_on(first)
    assert ("Renamed", "new@example.com") not in page.listed(first)


def test_a_delete_refused_on_the_token_is_one_sentence_and_keeps_the_account(page, tokens):
    first, _ = tokens
    first.cli("add", "--uri", uri(RENAME_KEY, "kept@example.com", "Kept"), check=True)
    page.tab.click("#refresh")
    page.idle()
    page.tab.once("dialog", lambda dialog: dialog.accept())
    page.card(first).locator("tr.account", has_text="kept@example.com").get_by_role("button", name="Delete").click()
    # While the token asks, the page says what to do there (the token's question, passed on as progress).
    page.tab.wait_for_selector("#busy-text:has-text('hold its key A')")
    first.press("A")  # a short press: no
    page.idle()
    assert page.tab.locator("#busy").is_hidden()
    assert "refused on the token" in page.message().lower()
    assert ("Kept", "kept@example.com") in accounts_on(first)


def test_an_export_is_previewed_then_the_ticked_accounts_written(page, tokens, tmp_path):
    first, second = tokens
    export = tmp_path / "aegis-export.json"
    export.write_bytes(enc.aegis_encrypted(enc.aegis_db([
        enc.aegis_entry(IMPORT_KEYS[0], "mail@example.com", "Mail"),
        enc.aegis_entry(IMPORT_KEYS[1], "shop@example.com", "Shop"),
        enc.aegis_entry(BOTH_KEY, "both@example.com", "Shared"),
        enc.aegis_entry(IMPORT_KEYS[0], "counter", "Old", kind="hotp"),
    ]), "correct horse"))
    if ("Shared", "both@example.com") not in accounts_on(first):  # this test alone: as the dropped one left it
        for token in tokens:
            token.cli("add", "--uri", uri(BOTH_KEY, "both@example.com", "Shared"), check=True)
    page.tab.set_input_files("#import-files", str(export))
    page.tab.click("#import-read")
    page.tab.wait_for_selector("#message", state="visible")
    page.idle()
    assert "password" in page.message().lower()
    assert page.tab.locator("#import-preview").is_hidden()
    page.tab.fill("#import-password", "correct horse")
    page.tab.click("#import-read")
    page.tab.wait_for_selector("#import-preview", state="visible")
    page.idle()
    rows = page.tab.locator("#import-rows tr")
    shown = {rows.nth(i).locator("td").nth(2).inner_text(): (rows.nth(i).locator("input").is_checked(),
                                                             rows.nth(i).locator("input").is_disabled())
             for i in range(rows.count())}
    assert shown == {"mail@example.com": (True, False), "shop@example.com": (True, False),
                     "both@example.com": (False, True), "counter": (False, True)}
    page.tab.click("#refresh")  # what the page does meanwhile does not make a skipped entry tickable
    page.idle()
    assert rows.filter(has_text="counter").locator("input").is_disabled()
    rows.filter(has_text="shop@example.com").locator("input").uncheck()  # the person leaves one out
    page.tab.click("#import-write")
    page.idle()
    assert page.tab.locator("#message.ok").is_visible(), page.message()
    for token in (first, second):
        on_it = accounts_on(token)
        assert ("Mail", "mail@example.com") in on_it
        assert ("Shop", "shop@example.com") not in on_it
        assert ("Mail", "mail@example.com") in page.listed(token)


def test_the_qr_pictures_of_a_google_export_are_read_together(page, tmp_path):
    """Google Authenticator shows a large export as several QR codes: the pictures, chosen together in any
    order, are one export (read in memory, as every picture given to the page)."""
    parts = [enc.ga_uri([enc.ga_account(IMPORT_KEYS[0], "phone-one@example.com", "Phone")], 1, 2),
             enc.ga_uri([enc.ga_account(IMPORT_KEYS[1], "phone-two@example.com", "Phone")], 0, 2)]
    pictures = [qrgen.screenshot(tmp_path, part, name="part%d.png" % index) for index, part in enumerate(parts)]
    page.tab.set_input_files("#import-files", [str(picture) for picture in pictures])
    page.tab.click("#import-read")
    page.idle()
    assert page.tab.locator("#import-preview").is_visible(), page.message()
    rows = page.tab.locator("#import-rows tr")
    assert sorted(rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())) == [
        "phone-one@example.com", "phone-two@example.com"]


display = test_grab.display  # an X server of its own (Xvfb), as test_grab starts it


@pytest.fixture
def screen(display):
    shown = test_grab.Screen(display)
    yield shown
    shown.clear()


def test_take_it_from_my_screen_reads_the_qr_code_the_screen_shows(chromium, tokens, screen, tmp_path):
    """The pairing page open beside ours: the button reads the QR code off the screen (Xvfb here)."""
    first, _ = tokens
    screen.show(qrgen.small(tmp_path, uri(PICTURE_KEY, "screen@example.com", "Screen")), 300, 200)
    gui = Gui([first.link], env={"DISPLAY": screen.name, "WAYLAND_DISPLAY": ""})
    opened = Page(chromium, gui)
    try:
        opened.tab.click("#from-screen")
        opened.idle()
        assert opened.tab.locator("#found").is_visible(), opened.message()
        assert opened.tab.inner_text("#found-name") == "Screen: screen@example.com"
    finally:
        opened.close()
        gui.stop()


def test_the_page_speaks_the_language_chosen(page):
    page.tab.select_option("#language", "hu")
    page.tab.wait_for_selector("html[lang='hu']", state="attached")
    i18n.use("hu")
    try:
        hungarian = texts.page()
    finally:
        i18n.use("en")
    assert page.tab.inner_text("#add h2") == hungarian["add"]
    assert page.tab.inner_text("#tokens-section h2") == hungarian["tokens"]
    page.tab.select_option("#language", "en")
    page.tab.wait_for_selector("html[lang='en']", state="attached")
    assert page.tab.inner_text("#add h2") == "Add an account"


def test_no_token_plugged_in_is_said_plainly(chromium, tmp_path):
    gui = Gui([tmp_path / "no-such-port"])
    try:
        context = chromium.new_context()
        tab = context.new_page()
        tab.goto(gui.url)
        tab.wait_for_selector(".token .notice")
        assert "cannot be read" in tab.inner_text(".token")
        context.close()
    finally:
        gui.stop()
    lone = Gui([], env={"TOTPFOB_PORT": ""})  # nothing named, nothing with a token's USB IDs on this machine
    try:
        context = chromium.new_context()
        tab = context.new_page()
        tab.goto(lone.url)
        tab.wait_for_selector("#no-token", state="visible")
        assert "Plug your token" in tab.inner_text("#no-token")
        context.close()
    finally:
        lone.stop()


def small_png(shot: bytes, path: Path) -> None:
    """A screenshot in 64 colours: a page of flat colours looks the same at a third of the bytes."""
    from PIL import Image

    with Image.open(io.BytesIO(shot)) as picture:
        picture.convert("RGB").quantize(64).save(path, optimize=True)


@pytest.mark.skipif(not os.environ.get("TOTPFOB_GUI_PICTURES"),
                    reason="set TOTPFOB_GUI_PICTURES=1 to take the README's pictures of the page again")
def test_pictures_for_the_readme(chromium, tmp_path):
    """The README's pictures: the page in each language, before and after adding the demo account."""
    sample = Path(__file__).resolve().parents[1] / "host_tools" / "totpfob" / "samples" / "ugyfelkapu-demo.png"
    PICTURES.mkdir(exist_ok=True)
    for language in ("hu", "en"):
        token = VirtualToken(tmp_path / language).start()
        token.cli("add", "--uri", uri(RENAME_KEY, "work@example.com", "GitHub"), check=True)
        token.cli("time", "sync", check=True)
        gui = Gui([token.link], "--lang", language)
        try:
            context = chromium.new_context(viewport={"width": 900, "height": 760})
            tab = context.new_page()
            tab.goto(gui.url)
            tab.wait_for_selector("#tokens .token")
            tab.set_input_files("#picture-file", str(sample))
            tab.wait_for_selector("#found", state="visible")
            tab.wait_for_selector("body[data-busy='0']", state="attached")
            small_png(tab.screenshot(), PICTURES / ("gui-%s-add.png" % language))
            tab.click("#add-button")
            tab.wait_for_selector("#code-view", state="visible")
            tab.wait_for_selector("body[data-busy='0']", state="attached")
            small_png(tab.screenshot(), PICTURES / ("gui-%s-code.png" % language))
            context.close()
        finally:
            gui.stop()
            token.stop()


def test_the_tokens_screen_language_is_chosen_on_the_page(page, tokens):
    _, second = tokens
    choice = page.card(second).locator("select.token-language")
    choice.select_option("hu")
    page.idle()
    assert page.tab.locator("#message.ok").is_visible(), page.message()
    assert json.loads(second.cli("info", "--json", check=True).stdout)["language"] == "hu"
    page.card(second).locator("select.token-language").select_option("en")
    page.idle()
    assert json.loads(second.cli("info", "--json", check=True).stdout)["language"] == "en"


def test_the_clock_is_set_from_the_page(page, tokens):
    first, _ = tokens
    page.card(first).get_by_role("button", name="Set the clock").click()
    page.idle()
    assert page.tab.locator("#message.ok").is_visible(), page.message()
    assert page.card(first).locator(".clock").inner_text() == "The token's clock is right."
    status = json.loads(first.cli("time", "status", "--json", check=True).stdout)
    assert status["clock"] == "ok" and abs(status["offset_s"]) < 1


def test_a_wipe_allowed_on_the_token_leaves_it_empty(page, tokens):
    _, second = tokens
    second.cli("add", "--uri", uri(RENAME_KEY, "wiped@example.com", "Wiped"), check=True)
    page.tab.click("#refresh")
    page.idle()
    page.tab.once("dialog", lambda dialog: dialog.accept())
    second.answer_questions()
    try:
        page.card(second).get_by_role("button", name="Delete every account").click()
        page.idle()
    finally:
        second.answer_questions(None)
    assert page.tab.locator("#message.ok").is_visible(), page.message()
    assert accounts_on(second) == []
    assert page.card(second).inner_text().count("No accounts on this token yet.") == 1
