"""What the page asks the server, each answered through the operations layer (ops), as the command line does.

An account read from a picture, a URI or a typed key stays here, in memory, as a draft the page names by a random
id; the page only ever sees its public part (issuer, label, settings), never its key. The same goes for the
accounts of an import: the page sees the preview rows and sends back which ones to write.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import secrets
import time
from http import HTTPStatus

from PIL import Image, UnidentifiedImageError

from .. import i18n, ops, otpauth, qr
from ..account import Account
from ..errors import UserError
from ..i18n import N_, _
from ..importers import sources
from ..link import USB_IDS
from . import texts
from .jobs import Jobs

NEXT_CODE_WITHIN_S = 10  # as `totpfob add`: the next code too when the current one has less time left
KEPT = 32  # drafts and imports kept in memory; the oldest go first

# What went wrong with a picture given on the page, in the page's terms (qr's FILE/SCREEN tables speak of files).
PICTURE = {
    "none": N_("no QR code was found in the picture: take a picture of the whole QR code and try again"),
    "several": N_("the picture shows %(count)d authenticator QR codes; crop it to the one you want"),
    "migration": N_("this QR code is a Google Authenticator export: use Import from a phone app instead"),
    "other": N_("the QR code in the picture is not an authenticator key (it contains %(kind)s)"),
    "bad": N_("the QR code in the picture: %(reason)s"),
}
SCREEN = {
    "none": N_("no QR code was found on the screen: show the pairing page with its whole QR code and try again"),
    "several": N_("the screen shows %(count)d authenticator QR codes; leave only the one you want in sight"),
    "migration": PICTURE["migration"],
    "other": N_("the QR code on the screen is not an authenticator key (it contains %(kind)s)"),
    "bad": N_("the QR code on the screen: %(reason)s"),
}


def too_large() -> str:
    return _("this is far larger than any screenshot or export; choose another file")


class NeedPassword(UserError):
    """An encrypted export was given without its password."""


class Api:
    def __init__(self, ports: list[str] | None = None):
        self.given_ports = list(ports or [])
        self.jobs = Jobs()
        self.drafts: dict[str, Account] = {}
        self.added: dict[str, Account] = {}
        self.imports: dict[str, list] = {}

    # -- dispatch ------------------------------------------------------------------------------------------
    def handle(self, name: str, post: bool, query: dict, body: bytes) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for /api/NAME."""
        if not post:
            if name == "texts":
                return HTTPStatus.OK, self.texts()
            if name == "job":
                found = self.jobs.get(query.get("id", ""))
                if found is None:
                    return HTTPStatus.NOT_FOUND, {"error": _("this operation is no longer known; start it again")}
                return HTTPStatus.OK, found
            if name == "code":
                return self.code(query.get("id", ""))
            return HTTPStatus.NOT_FOUND, {"error": "not found"}
        if name == "heartbeat":
            return HTTPStatus.OK, {}
        if name == "picture":  # the picture's bytes as they are: no JSON around them
            return HTTPStatus.OK, {"job": self.jobs.start(lambda note: self.read_picture(body), on_tokens=False)}
        try:
            given = json.loads(body or b"{}")
        except ValueError:
            given = None
        if not isinstance(given, dict):
            return HTTPStatus.BAD_REQUEST, {"error": "a JSON object was expected"}
        if name == "language":
            i18n.use(given.get("language") if given.get("language") in i18n.LANGUAGES else None)
            return HTTPStatus.OK, self.texts()
        work = {
            "tokens": lambda note: self.tokens(note),
            "uri": lambda note: self.read_uri(given),
            "key": lambda note: self.read_key(given),
            "screen": lambda note: self.read_screen(),
            "add": lambda note: self.add(given, note),
            "rename": lambda note: self.rename(given, note),
            "delete": lambda note: self.delete(given, note),
            "wipe": lambda note: self.wipe(given, note),
            "time-sync": lambda note: self.time_sync(given, note),
            "token-language": lambda note: self.token_language(given),
            "import-read": lambda note: self.import_read(given),
            "import-write": lambda note: self.import_write(given, note),
        }.get(name)
        if work is None:
            return HTTPStatus.NOT_FOUND, {"error": "not found"}
        on_tokens = name not in ("uri", "key", "screen")
        return HTTPStatus.OK, {"job": self.jobs.start(work, on_tokens=on_tokens)}

    def texts(self) -> dict:
        return {"language": i18n.language(), "languages": i18n.NAMES, "texts": texts.page()}

    # -- the tokens ----------------------------------------------------------------------------------------
    def ports(self) -> list[str]:
        """The ports named with --port, else every port that looks like a token (by its USB IDs)."""
        if self.given_ports:
            return self.given_ports
        if os.environ.get("TOTPFOB_PORT"):
            return [os.environ["TOTPFOB_PORT"]]
        from serial.tools import list_ports

        return sorted(p.device for p in list_ports.comports() if p.vid in USB_IDS)

    def tokens(self, note=None) -> dict:
        """Each token: what it says about itself, its accounts and its clock; or why it cannot be read."""
        found: list[dict] = []
        for port in self.ports():
            try:
                about = ops.info(port)
                accounts = [account.public() for account in ops.accounts(port, note=note or ops.quiet)]
                clock = ops.time_status(port)
            except UserError as exc:
                found.append({"port": port, "error": str(exc)})
                continue
            found.append({"port": port, "board": about.get("board"), "firmware": about.get("firmware"),
                          "accounts": accounts, "capacity": about.get("capacity"), "free": about.get("free"),
                          "vault": about.get("vault"), "battery": about.get("battery"),
                          "clock": clock_verdict(clock), "languages": screen_languages(about)})
        return {"tokens": found}

    # -- reading an account --------------------------------------------------------------------------------
    def _draft(self, account: Account) -> dict:
        ident = secrets.token_hex(8)
        _keep(self.drafts, ident, account)
        return {"draft": ident, "account": account.public()}

    def read_picture(self, body: bytes) -> dict:
        """The account in a picture (a pasted screenshot, a dropped or chosen file), read in memory."""
        messages = {name: _(text) for name, text in PICTURE.items()}
        return self._draft(qr.decode_pictures([picture(body)], messages))

    def read_screen(self) -> dict:
        from .. import grab  # Pillow's ImageGrab: loaded only when asked for

        messages = {name: _(text) for name, text in SCREEN.items()}
        return self._draft(qr.decode_pictures(grab.screens(), messages))

    def read_uri(self, given: dict) -> dict:
        uri = _text(given.get("uri"))
        if not uri.lower().startswith("otpauth:"):
            raise UserError(_("paste the whole link, starting with otpauth://"))
        return self._draft(otpauth.parse_uri(uri))

    def read_key(self, given: dict) -> dict:
        label = _text(given.get("label"))
        if not label:
            raise UserError(_("give the account a name (for example the e-mail address you log in with)"))
        return self._draft(otpauth.from_secret(_text(given.get("key")), label, issuer=_text(given.get("issuer"))))

    # -- changing tokens -----------------------------------------------------------------------------------
    def _ports(self, given: dict) -> list[str]:
        ports = given.get("ports")
        if not isinstance(ports, list) or not ports or not all(isinstance(p, str) for p in ports):
            raise UserError(_("choose at least one token"))
        return ports

    def add(self, given: dict, note) -> dict:
        ident = _text(given.get("draft"))
        account = self.drafts.get(ident)
        if account is None:
            raise UserError(_("read the account again (picture, link or key): this one is no longer known"))
        done = ops.add(self._ports(given), account, replace=bool(given.get("replace")), note=note)
        self.drafts.pop(ident, None)  # on the tokens now; kept only to show its code
        _keep(self.added, ident, account)
        return {"draft": ident, "account": account.public(), "stored": done.stored}

    def code(self, ident: str) -> tuple[int, dict]:
        """The code of an account just added, as its tokens show it now, and the next one near the step's end."""
        account = self.added.get(ident)
        if account is None:
            return HTTPStatus.NOT_FOUND, {"error": _("this account's code is no longer shown here")}
        now = int(time.time())
        left = account.period - now % account.period
        answer = {"code": ops.code(account, now), "remaining": left, "period": account.period}
        if left < NEXT_CODE_WITHIN_S:
            answer["next"] = ops.code(account, now + left)
        return HTTPStatus.OK, answer

    def rename(self, given: dict, note) -> dict:
        new = otpauth.settings(_text(given.get("new")))["label"]  # the same checks as a new account's name
        old = ops.rename(_text(given.get("port")), _named(given), new, note=note)
        return {"old": old.public(), "label": new}

    def delete(self, given: dict, note) -> dict:
        return {"deleted": ops.delete(_text(given.get("port")), _named(given), note=note).public()}

    def wipe(self, given: dict, note) -> dict:
        ops.wipe(_text(given.get("port")), note=note)
        return {}

    def time_sync(self, given: dict, note) -> dict:
        done = ops.time_sync(self._ports(given), note=note)
        return {"synced": [{"port": s.port, "offset_s": round(s.after.offset_s, 3)} for s in done]}

    def token_language(self, given: dict) -> dict:
        settings = getattr(ops, "settings", None)
        if settings is None:
            raise UserError(_("this totpfob cannot choose the token's language"))
        settings.set_language(_text(given.get("port")), _text(given.get("language")))
        return {}

    # -- import --------------------------------------------------------------------------------------------
    def import_read(self, given: dict) -> dict:
        """The entries of the files given (exports or QR pictures, read in memory) and what an import would do
        with each on the tokens chosen: the preview table."""
        files = given.get("files")
        if not isinstance(files, list) or not files:
            raise UserError(_("choose the export file, or the pictures of the export's QR codes"))
        password = _text(given.get("password"))
        taken = []
        for file in files:
            if not isinstance(file, dict):
                raise UserError(_("choose the export file, or the pictures of the export's QR codes"))
            name = _text(file.get("name")) or _("the file")
            try:
                blob = base64.b64decode(_text(file.get("data")), validate=True)
            except (binascii.Error, ValueError):
                raise UserError(_("%s could not be received; choose it again") % name) from None
            if sources.is_picture(blob):
                blob = sources.in_pictures([picture(blob)], name)
            taken.append((name, blob))

        def asked(source: str, kind: str) -> str:
            if not password:
                raise NeedPassword(_("%(name)s is encrypted (%(kind)s): type its password") % {"name": source,
                                                                                            "kind": kind})
            return password

        try:
            entries = sources.load([], asked, taken)
        except NeedPassword as exc:
            return {"password": str(exc)}
        ports = self._ports(given)
        replace = bool(given.get("replace"))
        rows = ops.imports.preview(entries, ops.imports.survey(ports), replace)
        ident = secrets.token_hex(8)
        _keep(self.imports, ident, rows)
        return {"import": ident, "rows": [dict(entry.public(), action=action, reason=reason)
                                          for entry, action, reason in rows]}

    def import_write(self, given: dict, note) -> dict:
        rows = self.imports.get(_text(given.get("import")))
        if rows is None:
            raise UserError(_("read the export again: this preview is no longer known"))
        chosen = given.get("chosen")
        if not isinstance(chosen, list) or not chosen:
            raise UserError(_("tick at least one account to write"))
        picked = []
        for index in chosen:
            if not isinstance(index, int) or not 0 <= index < len(rows):
                raise UserError(_("read the export again: this preview is no longer known"))
            entry, action, _reason = rows[index]
            if action in (ops.imports.ADD, ops.imports.REPLACE) and entry.account is not None:
                picked.append(entry.account)
        if not picked:
            raise UserError(_("none of the accounts ticked can be written"))
        done = ops.import_accounts(self._ports(given), picked, replace=bool(given.get("replace")), note=note)
        return {"written": {port: len(accounts) for port, accounts in done.written.items()}}


def picture(blob: bytes) -> Image.Image:
    """A picture from its bytes, in memory (never a file): PNG, JPEG, GIF, BMP, WebP."""
    try:
        with Image.open(io.BytesIO(blob)) as image:
            image.load()
            return image.copy()
    except Image.DecompressionBombError:
        raise UserError(_("the picture is too large to read safely")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UserError(_("this is not a picture that can be read (PNG or JPEG)")) from None


def screen_languages(about: dict) -> dict | None:
    """The languages the token's screens can speak, and the one they speak: {"choices": {code: name}, "now": code
    or None}; None when its firmware (or this totpfob) cannot choose them."""
    settings = getattr(ops, "settings", None)
    if settings is None or "language" not in about:
        return None
    return {"choices": {code: _(settings.NAMES[code]) for code in settings.LANGUAGES}, "now": about["language"]}


def clock_verdict(status) -> dict:
    """The token's clock in one plain sentence, and whether setting it is advised."""
    if status.lost:
        text = _("The token's clock is not set: press Set the clock.")
    elif abs(status.offset_s) > 1.0:
        text = _("The token's clock is %.1f seconds off: press Set the clock.") % abs(status.offset_s)
    elif status.advisable:
        text = _("The token's clock is right, but it was not set for a long time: setting it is advised.")
    else:
        text = _("The token's clock is right.")
    return {"text": text, "advisable": status.advisable, "lost": status.lost}


def _named(given: dict) -> str:
    """The name ops finds an account by (ISSUER:LABEL), from the issuer and label the page lists."""
    return Account(_text(given.get("label")), _text(given.get("issuer"))).name


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _keep(store: dict, ident: str, value: object) -> None:
    while len(store) >= KEPT:
        del store[next(iter(store))]
    store[ident] = value
