"""The accounts on tokens: add (to one or several tokens), list, rename, delete, wipe."""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..account import Account
from ..errors import UserError
from ..paths import firmware_module
from .clock import ensure_clock
from .session import Note, connect, find_account, quiet

otp = firmware_module("otp")


@dataclass(frozen=True)
class Added:
    """An account written to tokens: how many accounts each now holds, and the code the user types in."""

    account: Account
    stored: dict[str, int]  # port -> accounts on that token now
    code: str  # the account's code at unix time `at`; the tokens show the same
    at: int

    @property
    def remaining(self) -> int:
        """Seconds the code stays valid, counted from `at`."""
        return self.account.period - self.at % self.account.period


def code(account: Account, unix: int) -> str:
    """The account's code at a unix time, as the token computes it."""
    return otp.totp(account.secret, unix, account.period, account.digits, account.algorithm)


def add(ports: Sequence[str], account: Account, replace: bool = False, note: Note = quiet) -> Added:
    """Write the account to each token in turn: its clock set first if need be, then the key, then a check that
    it computes this computer's code. An existing account of the same name is replaced only when asked."""
    try:
        record = account.record()
    except ValueError as exc:  # account.Invalid: one a caller built without otpauth's checks
        raise UserError("the token cannot hold this account: %s" % exc) from None
    stored = {}
    for port in ports:
        with connect(port, name_port=True) as token:
            if not replace and any(a.issuer == account.issuer and a.label == account.label
                                   for a in token.accounts()):
                raise UserError("the token on %s already has %s; to pair it again (a new key) add --replace"
                                % (port, account.name))
            set_clock = ensure_clock(token)
            if set_clock:
                note(set_clock)
            stored[port] = token.add(record, replace=replace)
            match, _ = token.check(account.issuer, account.label, code(account, int(time.time())))
            if not match:
                raise UserError("the token on %s stored %s but computes a different code; run "
                                "`totpfob time sync` and check again" % (port, account.name))
            note("added %s to the token on %s (%d account%s on it); its code matches this computer's"
                 % (account.name, port, stored[port], "" if stored[port] == 1 else "s"))
    now = int(time.time())
    return Added(account, stored, code(account, now), now)


def accounts(port: str) -> list[Account]:
    """The accounts on the token, without secrets."""
    with connect(port) as token:
        return token.accounts()


def rename(port: str, old: str, new_label: str) -> Account:
    """Give the account named old (LABEL or ISSUER:LABEL) a new label; the account as it was."""
    with connect(port) as token:
        account = find_account(token, old)
        token.rename(account, new_label)
    return account


def delete(port: str, name: str) -> Account:
    """Delete the account named LABEL or ISSUER:LABEL; the account that was deleted."""
    with connect(port) as token:
        account = find_account(token, name)
        token.delete(account)
    return account


def wipe(port: str) -> None:
    """Delete every account on the token."""
    with connect(port) as token:
        token.wipe()
