"""Reaching a token: which ports, one connection that turns every failure into one line, and finding an account
by the name the user gives."""

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..account import Account
from ..errors import UserError, describe
from ..i18n import _
from ..link import DeviceError, Link, LinkError, find_port
from ..token import Token

Note = Callable[[str], None]  # takes one line for the user, said while an operation runs


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
def connect(port: str, name_port: bool = False) -> Iterator[Token]:
    """A Token on port that speaks this totpfob's protocol. Every link failure and refusal inside the block
    becomes one UserError line (naming the port when name_port: several tokens are in play)."""
    with translated(port, name_port):
        with Link(port) as link:
            token = Token(link)
            token.hello()
            yield token


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
