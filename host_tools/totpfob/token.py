"""What the host can ask of a token, as Python calls over a Link. Every request and reply goes through the
protocol table (firmware/wire.py LAYOUTS); nothing here can read a secret back."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import progress
from .account import Account
from .i18n import N_, _
from .link import Link, LinkError, wire


class OtherVersion(LinkError):
    """The token speaks another protocol version than this totpfob."""


_CONFIRM = N_("confirm on the token: hold its key A for 3 s (it waits %d s; any short press refuses)")
# Per try, for a request after which the token erases a key: it asks first and then erases, answering WAIT about
# every second throughout; a little over the usual second for the first WAIT (a margin, not the erase's length).
_ERASING = 2.0
_UPDATE = N_("the token runs firmware of another version (%s); update it with `totpfob deploy --board BOARD`")


def _read(kind: int, reply: bytes) -> list:
    """The fields of an OK reply of this kind; OtherVersion when it does not fit the table."""
    try:
        return wire.read_reply(kind, reply)
    except ValueError:
        raise OtherVersion(_(_UPDATE) % _("its answers do not fit this totpfob's protocol")) from None


@dataclass(frozen=True)
class DeviceTime:
    """The token's clock as it answers TIME_GET."""

    now: int  # corrected unix seconds, as its codes use them (0 when lost)
    raw: int  # the RTC chip's own reading
    lost: bool
    drift_ppb: int  # correction in force: surplus seconds per 10^9 of the chip's own (positive = fast)
    last_sync: int  # unix time the chip was last set, 0 if never


class Token:
    def __init__(self, link: Link):
        self.link = link
        # The token said it erases after the request being sent (confirm_note hears it): the change itself is
        # on its flash already.
        self.erasing = False

    def confirm_note(self, note: Callable[[str], None]) -> None:
        """Say through `note` (once per request) when the token asks the person holding it to allow a request:
        wipe, delete, rename, replace, a clock jump of over 5 minutes, maintenance; and, as a progress.Progress,
        how far a request is that has run for over half a second (a write, an erase, a token busy with another
        request)."""
        self.link.on_wait = lambda left: note(_(_CONFIRM) % left)

        def working(job: int, done: int, total: int, elapsed: float) -> None:
            self.erasing = self.erasing or job == wire.WORK_ERASE
            if elapsed >= progress.SHOW_AFTER_S:
                note(progress.of_work(job, done, total))

        self.link.on_progress = working

    def _ask(self, kind: int, *values, timeout: float | None = None) -> list:
        """Send a request of this kind built from values; the fields of its OK reply."""
        self.erasing = False
        return _read(kind, self.link.request(kind, wire.request(kind, *values), timeout=timeout))

    def info(self) -> dict:
        """HELLO's answer: board, firmware, protocol, accounts, capacity, free, clock, vault, battery."""
        (text,) = self._ask(wire.HELLO)
        try:
            about = json.loads(text)
        except ValueError:
            about = None
        if not isinstance(about, dict):
            raise OtherVersion(_(_UPDATE) % _("its HELLO is not the JSON this totpfob reads"))
        return about

    def hello(self) -> dict:
        """info(), after checking that the token speaks this totpfob's protocol (OtherVersion if not)."""
        about = self.info()
        if about.get("protocol") != wire.PROTOCOL:
            board, protocol = about.get("board"), about.get("protocol")
            board = board if isinstance(board, str) and board.isprintable() and board else "BOARD"
            found = _("protocol %d") % protocol if isinstance(protocol, int) else _("protocol unknown")
            raise OtherVersion((_(_UPDATE) % found).replace("BOARD", board))
        return about

    def accounts(self) -> list[Account]:
        """Every account on the token, in its order, without secrets."""
        found: list[Account] = []
        while True:
            total, part = self._ask(wire.LIST, len(found))
            if len(found) >= total:
                return found
            try:
                found.append(Account.listed(part))
            except ValueError:  # account.Invalid: a record this totpfob cannot read
                raise OtherVersion(_(_UPDATE) % _("it lists an account in a form this totpfob cannot read")) from None

    def add(self, record: bytes, replace: bool = False) -> int:
        """Store an account's record (Account.record()); the number of accounts now on the token."""
        # A replace ends with the token erasing the old key from its flash (firmware/scrub.py): seconds, with a
        # WAIT about every second meanwhile, so a try waits only a little longer than usual for the first answer.
        (stored,) = self._ask(wire.ADD, wire.ADD_REPLACE if replace else 0, record, timeout=_ERASING if replace else None)
        return stored

    def rename(self, account: Account, new_label: str) -> None:
        self._ask(wire.RENAME, account.issuer, account.label, new_label)

    def delete(self, account: Account) -> None:
        self._ask(wire.DELETE, account.issuer, account.label, timeout=_ERASING)  # then it erases the key (WAITs)

    def wipe(self) -> None:
        self._ask(wire.WIPE, wire.WIPE_CONFIRM, timeout=_ERASING)  # then it erases every key (WAITs)

    def check(self, issuer: str, label: str, code: str) -> tuple:
        """(matches, step skew): does the token compute this code for the account now?"""
        match, skew = self._ask(wire.CHECK, issuer, label, code)
        return bool(match), skew

    def time(self, at_edge: bool = False, clock: Callable[[], float] = time.time) -> tuple:
        """(DeviceTime, host time by `clock` when the reply arrived); at_edge: just after the token's second
        began."""
        reply = self.link.request(wire.TIME_GET, wire.request(wire.TIME_GET, wire.TIME_EDGE if at_edge else 0),
                                  timeout=2.5)
        arrived = clock()  # before decoding: the offset is measured to milliseconds
        now, raw, lost, drift, last_sync = _read(wire.TIME_GET, reply)
        return DeviceTime(now, raw, bool(lost), drift, last_sync), arrived

    def set_time(self, unix: int, drift_ppb: int | None = None) -> None:
        """Make `unix` the second that begins as the request arrives; drift_ppb: the correction from now on
        (None keeps the token's). The token may wait up to half a second to meet its chip's second."""
        flags = wire.SET_DRIFT if drift_ppb is not None else 0
        self._ask(wire.TIME_SET, unix, flags, drift_ppb or 0, timeout=2.0)

    def set_language(self, language: str) -> None:
        """The language of the token's text screens from now on ("hu" or "en"); DeviceError E_UNKNOWN from a
        firmware older than the request."""
        self._ask(wire.LANGUAGE, language)

    def maintenance(self) -> None:
        """Ask for the REPL; returns once a person held A on the token (DeviceError E_DENIED if refused). The
        token answers WAIT while it asks, so no long timeout is needed here."""
        self._ask(wire.MAINTENANCE)
