"""Errors the user sees: one line each, never a traceback."""

from .link import DeviceError, wire


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class Interrupted(UserError):
    """Ctrl-C stopped an operation; the message says what the token holds now. Exit status 130."""


_MESSAGES = {
    wire.E_MALFORMED: "the token did not understand the request (firmware and totpfob versions differ?)",
    wire.E_UNKNOWN: "the token's firmware does not know this command (update it with `totpfob deploy`)",
    wire.E_INVALID: "the token cannot hold this account",
    wire.E_EXISTS: "an account of that name is already on the token",
    wire.E_NOT_FOUND: "no such account on the token",
    wire.E_FULL: "the token is full: delete an account first (`totpfob delete LABEL`)",
    wire.E_CLOCK_LOST: "the token's clock is lost: run `totpfob time sync`",
    wire.E_STORAGE: "the token could not use its storage",
    wire.E_DENIED: "refused on the token (a short press, or nobody held A for 3 s in time): nothing was changed",
    wire.E_BUSY: "the token refuses this for now",
}


def describe(exc: DeviceError, port: str = "") -> str:
    """One sentence for a refusal from the token."""
    text = _MESSAGES.get(exc.code, "the token refused the request (error %d)" % exc.code)
    detail = "".join(char for char in exc.detail if char.isprintable())[:80]  # one line, whatever the token sent
    if exc.code == wire.E_INVALID and detail:
        text += ": " + detail  # account.Invalid's words: which field, and why
    elif exc.code in (wire.E_STORAGE, wire.E_BUSY) and detail:
        text += " (%s)" % detail
    return text + (" [%s]" % port if port else "")
