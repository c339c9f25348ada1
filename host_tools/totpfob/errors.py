"""Errors the user sees: one line each, never a traceback."""

import re

from .i18n import N_, _
from .link import DeviceError, wire


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class Interrupted(UserError):
    """Ctrl-C stopped an operation; the message says what the token holds now. Exit status 130."""


_MESSAGES = {
    wire.E_MALFORMED: N_("the token did not understand the request (firmware and totpfob versions differ?)"),
    wire.E_UNKNOWN: N_("the token's firmware does not know this command (update it with `totpfob deploy`)"),
    wire.E_INVALID: N_("the token cannot hold this account"),
    wire.E_EXISTS: N_("an account of that name is already on the token"),
    wire.E_NOT_FOUND: N_("no such account on the token"),
    wire.E_FULL: N_("the token is full: delete an account first (`totpfob delete LABEL`)"),
    wire.E_CLOCK_LOST: N_("the token's clock is lost: run `totpfob time sync`"),
    wire.E_STORAGE: N_("the token could not use its storage"),
    wire.E_DENIED: N_("refused on the token (a short press, or nobody held A for 3 s in time): nothing was changed"),
    wire.E_BUSY: N_("the token refuses this for now"),
    wire.E_AGAIN: N_("the token stayed busy with another request (another totpfob?); try again"),
}


# The details the firmware sends in English (firmware/account.py's Invalid, service.py's busy and storage replies,
# vault.py's VaultError), in the language in use: matched whole, numbers carried over; other text passes through.
_DETAILS = (
    N_("algorithm must be sha1, sha256 or sha512"),
    N_("digits must be %d to %d"),
    N_("period must be 1 s or more"),
    N_("label is empty"),
    N_("label and issuer take at most %d bytes"),
    N_("secret must be 1 to %d bytes"),
    N_("record too short"),
    N_("record length mismatch"),
    N_("label and issuer must be UTF-8"),
    N_("too many wrong codes; wait a minute"),
    N_("flash write failed (%s)"),
    N_("not a vault file"),
    N_("vault checksum mismatch"),
    N_("vault version %d was written by newer firmware; update the firmware"),
    N_("vault length mismatch"),
    N_("vault version %d cannot be upgraded by this firmware"),
)
_PLACEHOLDER = re.compile(r"%([ds])")


def _pattern(msgid: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(msgid)  # text, kind, text, kind, ..., text
    return re.compile("".join(re.escape(part) if i % 2 == 0 else ("(-?\\d+)" if part == "d" else "(.*)")
                              for i, part in enumerate(parts)))


def translated_detail(detail: str) -> str:
    """A detail from the token in the language in use when it is one of the known phrases, else as it came."""
    for msgid in _DETAILS:
        found = _pattern(msgid).fullmatch(detail)
        if found:
            kinds = _PLACEHOLDER.findall(msgid)
            return _(msgid) % tuple(int(v) if k == "d" else v for k, v in zip(kinds, found.groups()))
    return detail


def describe(exc: DeviceError, port: str = "") -> str:
    """One sentence for a refusal from the token."""
    text = _(_MESSAGES[exc.code]) if exc.code in _MESSAGES else _("the token refused the request (error %d)") % exc.code
    detail = "".join(char for char in exc.detail if char.isprintable())[:80]  # one line, whatever the token sent
    detail = translated_detail(detail)
    if exc.code == wire.E_INVALID and detail:
        text += ": " + detail  # account.Invalid's words: which field, and why
    elif exc.code in (wire.E_STORAGE, wire.E_BUSY) and detail:
        text += " (%s)" % detail
    return text + (" [%s]" % port if port else "")
