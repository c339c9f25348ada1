"""Reaching a token: which ports, one connection that turns every failure into one line, and finding an account
by the name the user gives."""

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..account import Account
from ..errors import UserError, describe
from ..i18n import _
from ..link import DeviceError, Link, LinkError, PortBusy, find_port
from ..progress import Progress
from ..token import Token

Note = Callable[[str], None]  # takes one line for the user, said while an operation runs
PORT_WAIT_S = 600.0  # the longest another totpfob may keep the port (a wipe on the slowest flash takes minutes)


def quiet(text: str) -> None:
    """A note nobody reads."""


def pick_ports(given: Sequence[str] | None) -> list[str]:
    """The ports named, or the one token found on USB."""
    try:
        return list(given) if given else [find_port()]
    except LinkError as exc:
        raise UserError(str(exc)) from None


def pick_port(given: Sequence[str] | None) -> str:
    """The single port named or found; UserError when several are named."""
    found = pick_ports(given)
    if len(found) > 1:
        raise UserError(_("this command works on one token at a time; give a single --port"))
    return found[0]


@contextmanager
def translated(port: str, name_port: bool = False) -> Iterator[None]:
    """Every link failure and refusal inside the block becomes one UserError line (naming the port when
    name_port: several tokens are in play)."""
    try:
        yield
    except LinkError as exc:
        raise UserError(str(exc) + (" [%s]" % port if name_port and port not in str(exc) else "")) from None
    except DeviceError as exc:
        raise UserError(describe(exc, port if name_port else "")) from None


@contextmanager
def connect(port: str, name_port: bool = False, note: Note = quiet) -> Iterator[Token]:
    """A Token on port that speaks this totpfob's protocol. Every link failure and refusal inside the block
    becomes one UserError line (naming the port when name_port: several tokens are in play). note: hears what
    the token asks and how far a long request is (Token.confirm_note), from the first request on."""
    with translated(port, name_port):
        with open_link(port, note) as link:
            token = Token(link)
            token.confirm_note(note)
            token.hello()
            yield token


def open_link(port: str, note: Note = quiet) -> Link:
    """A Link to port. While another program (another totpfob) has the port open, wait for it to let go, up to
    PORT_WAIT_S, saying so once: two commands for one token run one after the other, neither fails for it."""
    since = time.monotonic()
    told = False
    while True:
        try:
            return Link(port)
        except PortBusy:
            if time.monotonic() - since > PORT_WAIT_S:
                raise
            if not told:
                told = True
                note(Progress(_("the token on %s is in use by another totpfob; waiting for it to finish…") % port))
            time.sleep(0.2)


def afresh(token: Token, port: str, ask: Callable[[Token], str], note: Note = quiet) -> str:
    """What ask() says of the token on port, asked on a new connection after a Ctrl-C (the old one let go
    first; a token still asking its person, or erasing, answers once it is done: note hears that it waits); a
    sentence saying it cannot be told when the token does not answer or a second Ctrl-C comes."""
    token.link.close()
    try:
        with Link(port) as link:
            again = Token(link)
            again.confirm_note(note)
            again.hello()
            return ask(again)
    except (LinkError, DeviceError, KeyboardInterrupt):
        return _("whether it was done is unknown: run `totpfob --port %s list`") % port


def distinct_ports(ports: Sequence[str]) -> list[str]:
    """The ports as given, after checking that no token is named twice (through a link or another spelling):
    a second write to the same token is no second token."""
    seen: dict[str, str] = {}
    for port in ports:
        real = os.path.normcase(os.path.realpath(port))
        if real in seen:
            if seen[real] == port:
                raise UserError(_("the port %s is named twice; name each token once") % port)
            raise UserError(_("%s and %s are the same port; name each token once") % (seen[real], port))
        seen[real] = port
    return list(ports)


def find_account(token: Token, name: str) -> Account:
    """The account the user means by LABEL or ISSUER:LABEL."""
    found = [a for a in token.accounts() if a.name == name or a.label == name]
    if len(found) > 1:
        raise UserError(_("several accounts are called %r; name one as ISSUER:LABEL (%s)")
                        % (name, ", ".join(a.name for a in found)))
    if not found:
        raise UserError(_("no account %r on the token (see `totpfob list`)") % name)
    return found[0]


def info(port: str) -> dict:
    """Board, firmware, protocol, accounts and room, clock and storage state, battery, and the language of its
    screens ("hu", "en", or None: never set, or a firmware older than the setting) (HELLO)."""
    with connect(port) as token:
        about = token.info()
    about.setdefault("language", None)
    return about
