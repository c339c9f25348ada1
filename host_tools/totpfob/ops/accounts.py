"""The accounts on tokens: add (to one or several tokens), list, rename, delete, wipe."""

import dataclasses
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from ..account import Account
from ..errors import Interrupted, UserError, describe
from ..i18n import _, ngettext
from ..link import DeviceError, Link, LinkError
from ..paths import firmware_module
from ..token import Token
from .clock import ensure_clock
from .session import Note, afresh, connect, distinct_ports, find_account, open_link, quiet, translated
from .settings import adopt_host_language

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
    """Write the account to every token, all or nothing: each token is reached and checked (protocol, room, an
    account of that name only when replacing, no port named twice) before the first is written; then each in
    turn gets its clock set if need be, the key, and a check that it computes this computer's code. A failure
    or Ctrl-C midway says which tokens hold the account (asking the token when a write's fate is open)."""
    try:
        record = account.record()
    except ValueError as exc:  # account.Invalid: one a caller built without otpauth's checks
        raise UserError(_("the token cannot hold this account: %s") % exc) from None
    ports = distinct_ports(ports)
    several = len(ports) > 1
    stored: dict[str, int] = {}
    with ExitStack() as links:
        try:
            tokens, existed = _checked(links, ports, account, replace, several, note)
        except KeyboardInterrupt:
            raise Interrupted(_("interrupted; nothing was changed")) from None
        except UserError as exc:
            if several:
                raise UserError(_("%s; nothing was written to any token") % exc) from None
            raise
        written: list[str] = []
        for port in ports:
            token, sent = tokens[port], False
            try:
                token.confirm_note(note)  # a clock jump, a replaced key: allowed on the token
                set_clock = ensure_clock(token, note)
                if set_clock:
                    note(set_clock + (" [%s]" % port if several else ""))
                sent = True
                stored[port] = token.add(record, replace=replace)
                written.append(port)
                match, _skew = token.check(account.issuer, account.label, code(account, int(time.time())))
            except KeyboardInterrupt:
                raise Interrupted(_("interrupted; %s") % _fates(account, ports, written, port, sent, token,
                                                           existed[port])) from None
            except (DeviceError, LinkError, UserError) as exc:
                refused = isinstance(exc, DeviceError) and port not in written  # this token did not take it
                why = describe(exc, port if several else "") if isinstance(exc, DeviceError) else str(exc)
                if isinstance(exc, LinkError) and several and port not in why:
                    why += " [%s]" % port
                if not written and (not sent or refused):
                    raise UserError(_("%s; nothing was written to any token") % why if several else why) from None
                raise UserError("%s; %s" % (why, _fates(account, ports, written, port, sent and not refused,
                                                        token, existed[port]))) from None
            if not match:
                raise UserError(_("the token on %s stored %s but computes a different code; run "
                                  "`totpfob time sync` and check again") % (port, account.name))
            if existed[port]:
                note(ngettext("replaced %s on the token on %s (%d account on it); its code matches this computer's",
                              "replaced %s on the token on %s (%d accounts on it); its code matches this"
                              " computer's", stored[port]) % (account.name, port, stored[port]))
            else:
                note(ngettext("added %s to the token on %s (%d account on it); its code matches this computer's",
                              "added %s to the token on %s (%d accounts on it); its code matches this computer's",
                              stored[port]) % (account.name, port, stored[port]))
            adopt_host_language(token, port, note)  # a new token's screens: this computer's language
    now = int(time.time())
    return Added(account, stored, code(account, now), now)


def _checked(links: ExitStack, ports: list[str], account: Account, replace: bool, several: bool,
             note: Note = quiet) -> tuple:
    """Open every port and check every token before anything is written: ({port: Token}, {port: whether it
    already holds the account}); UserError naming the token that would fail."""
    tokens, existed = {}, {}
    for port in ports:
        with translated(port, several):
            token = Token(links.enter_context(open_link(port, note)))
            token.confirm_note(note)  # a token busy with another request (Ctrl-C'd): waited for, saying so
            about = token.hello()
            there = any(a.issuer == account.issuer and a.label == account.label for a in token.accounts())
        if there and not replace:
            raise UserError(_("the token on %s already has %s; to pair it again (a new key) add --replace")
                            % (port, account.name))
        if not there and isinstance(about.get("free"), int) and about["free"] <= 0:
            raise UserError(_("the token on %s is full: delete an account first (`totpfob delete LABEL`)") % port)
        tokens[port], existed[port] = token, there
    return tokens, existed


def holds(token: Token, port: str, account: Account, existed: bool) -> bool | None:
    """Whether the token on port holds this account (with this key, when it had one of that name before), asked
    afresh on a new connection (HELLO, LIST, and CHECK of this computer's code); None when it cannot be told:
    it does not answer, or a second Ctrl-C."""
    token.link.close()  # the port is opened exclusively: let go of it before opening it again
    try:
        with Link(port) as link:
            again = Token(link)
            again.hello()
            if not any(a.issuer == account.issuer and a.label == account.label for a in again.accounts()):
                return False
            if not existed:
                return True
            match, _skew = again.check(account.issuer, account.label, code(account, int(time.time())))
            return bool(match)
    except (LinkError, DeviceError, KeyboardInterrupt):
        return None


def _fates(account: Account, ports: list[str], written: list[str], port: str, sent: bool, token: Token,
           existed: bool) -> str:
    """What each token holds after a stop at `port` (its ADD sent or not), in whole sentences."""
    said = []
    fate: bool | None = False
    if port not in written and sent:
        fate = holds(token, port, account, existed)
        if fate:
            written = written + [port]
        elif fate is None:
            said.append(_("whether the token on %s stored %s is unknown: run `totpfob --port %s list`")
                        % (port, account.name, port))
    if written:
        said.append(_("%s was stored on %s") % (account.name, ", ".join(written)) if len(ports) > 1 else
                    _("the account %s was stored") % account.name)
    left = [p for p in ports if p not in written and not (p == port and fate is None)]
    if left and not written and not said:
        said.append(_("nothing was changed") if len(ports) == 1 else _("nothing was written to any token"))
    elif left:
        said.append(_("it was not stored on %s") % ", ".join(left))
    return "; ".join(said)


def accounts(port: str, note: Note = quiet) -> list[Account]:
    """The accounts on the token, without secrets (note: hears a wait for a token in use or busy)."""
    with connect(port, note=note) as token:
        return token.accounts()


def rename(port: str, old: str, new_label: str, note: Note = quiet) -> Account:
    """Give the account named old (LABEL or ISSUER:LABEL) a new label; the account as it was. The person
    holding the token allows it there (note says so)."""
    with connect(port, note=note) as token:
        account = find_account(token, old)
        try:
            token.rename(account, new_label)
        except KeyboardInterrupt:
            renamed = dataclasses.replace(account, label=new_label)
            raise Interrupted(_("interrupted; %s") % afresh(token, port, lambda again: (
                _("%s was renamed to %s") % (account.name, renamed.name) if _holds(again, renamed)
                else _("nothing was changed (%s is still called so)") % account.name), note)) from None
    return account


def delete(port: str, name: str, note: Note = quiet) -> Account:
    """Delete the account named LABEL or ISSUER:LABEL, once allowed on the token; the account deleted."""
    with connect(port, note=note) as token:
        account = find_account(token, name)
        try:
            token.delete(account)
        except KeyboardInterrupt:
            if token.erasing:
                raise Interrupted(_("interrupted; %s was deleted (the token goes on erasing its key from its flash)")
                                  % account.name) from None
            raise Interrupted(_("interrupted; %s") % afresh(token, port, lambda again: (
                _("nothing was changed (%s is still on the token)") % account.name if _holds(again, account)
                else _("%s was deleted") % account.name), note)) from None
    return account


def wipe(port: str, note: Note = quiet) -> None:
    """Delete every account on the token, once allowed on the token."""
    with connect(port, note=note) as token:
        try:
            token.wipe()
        except KeyboardInterrupt:
            if token.erasing:
                raise Interrupted(_("interrupted; every account was deleted (the token goes on erasing the keys from"
                                    " its flash)")) from None
            raise Interrupted(_("interrupted; %s") % afresh(token, port, lambda again: (
                _("every account was deleted") if not again.accounts()
                else _("nothing was changed (the accounts are still on the token)")), note)) from None


def _holds(token: Token, account: Account) -> bool:
    return any(a.issuer == account.issuer and a.label == account.label for a in token.accounts())
