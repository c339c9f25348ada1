"""Reaching a token: which ports, one connection that turns every failure into one line, and finding an account
by the name the user gives."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..account import Account
from ..errors import UserError, describe
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
        raise UserError("this command works on one token at a time; give a single --port")
    return found[0]


@contextmanager
def connect(port: str, name_port: bool = False) -> Iterator[Token]:
    """A Token on port that speaks this totpfob's protocol. Every link failure and refusal inside the block
    becomes one UserError line (naming the port when name_port: several tokens are in play)."""
    try:
        with Link(port) as link:
            token = Token(link)
            token.hello()
            yield token
    except LinkError as exc:
        raise UserError(str(exc)) from None
    except DeviceError as exc:
        raise UserError(describe(exc, port if name_port else "")) from None


def find_account(token: Token, name: str) -> Account:
    """The account the user means by LABEL or ISSUER:LABEL."""
    found = [a for a in token.accounts() if a.name == name or a.label == name]
    if len(found) > 1:
        raise UserError("several accounts are called %r; name one as ISSUER:LABEL (%s)"
                        % (name, ", ".join(a.name for a in found)))
    if not found:
        raise UserError("no account %r on the token (see `totpfob list`)" % name)
    return found[0]


def info(port: str) -> dict:
    """Board, firmware, protocol, accounts and room, clock and storage state, battery (HELLO)."""
    with connect(port) as token:
        return token.info()
