"""Writing many accounts at once (an import) to one or several tokens, all or nothing.

Every token is read first: the accounts already on it and its room. Nothing is written unless every token can
take every account; then each token gets its clock set if need be, each account, and the pairing check that it
computes this computer's code. Should a write fail half-way, the error says what each token holds.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..account import Account
from ..errors import Interrupted, UserError
from ..i18n import _, ngettext
from ..importers import Entry
from ..progress import Progress
from .accounts import code, holds
from .clock import ensure_clock
from .session import Note, connect, distinct_ports, quiet
from .settings import adopt_host_language


@dataclass(frozen=True)
class OnToken:
    """What one token holds before an import: the names (issuer, label) on it, and room for how many more."""

    port: str
    names: frozenset
    free: int


@dataclass
class Imported:
    """What an import did: the accounts written to each token, and those left alone there (already on it)."""

    written: dict[str, list[Account]] = field(default_factory=dict)
    left: dict[str, list[Account]] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)  # port -> accounts on that token now


# What an import does with each entry found (preview): write it, write it in place of the one there, leave it
# alone as it is on every token already, or skip it (the reason says why).
ADD, REPLACE, EXISTS, SKIP = "add", "replace", "exists", "skip"


def _key(account: Account) -> tuple:
    return account.issuer, account.label


def survey(ports: Sequence[str]) -> list[OnToken]:
    """Each token's names and room, read without changing anything."""
    found = []
    for port in ports:
        with connect(port, name_port=len(ports) > 1) as token:
            about = token.info()
            names = frozenset(_key(account) for account in token.accounts())
        free = about.get("free")
        found.append(OnToken(port, names, free if isinstance(free, int) else 0))
    return found


def _selected(entry: Entry, only: Sequence[str], exclude: Sequence[str]) -> bool:
    name = entry.name.casefold()
    return (not only or any(text.casefold() in name for text in only)) and \
        not any(text.casefold() in name for text in exclude)


def preview(entries: Sequence[Entry], on_tokens: Sequence[OnToken], replace: bool, only: Sequence[str] = (),
            exclude: Sequence[str] = ()) -> list[tuple[Entry, str, str]]:
    """(entry, action, reason) for every entry found: add, replace, already on the token, or skip and why."""
    rows, seen = [], set()
    for entry in entries:
        key = (entry.issuer, entry.label)
        if entry.account is None:
            rows.append((entry, SKIP, entry.reason))
        elif not _selected(entry, only, exclude):
            rows.append((entry, SKIP, _("left out by --only/--exclude")))
        elif key in seen:
            rows.append((entry, SKIP, _("an account of this name comes earlier in this import")))
        else:
            seen.add(key)
            present = [token.port for token in on_tokens if key in token.names]
            if not present:
                rows.append((entry, ADD, ""))
            elif replace:
                rows.append((entry, REPLACE, _("a new key in place of the one on the token")))
            elif len(present) == len(on_tokens):
                rows.append((entry, EXISTS, _("left alone (--replace to pair it again)")))
            else:
                rows.append((entry, ADD, _("already on the token on %s") % ", ".join(present)))
    return rows


def plan(tokens: Sequence[OnToken], accounts: Sequence[Account], replace: bool) -> dict[str, list[Account]]:
    """The accounts to write to each token: those not on it, or all with replace. UserError, before anything is
    written, when a token has no room for them."""
    todo = {}
    for token in tokens:
        todo[token.port] = [a for a in accounts if replace or _key(a) not in token.names]
        new = sum(1 for a in todo[token.port] if _key(a) not in token.names)
        if new > token.free:
            raise UserError(_("the token on %s has room for %d more account(s) and this import would add %d;"
                              " nothing was written: choose fewer with --only or --exclude, or delete some first")
                            % (token.port, token.free, new))
    return todo


def import_accounts(ports: Sequence[str], accounts: Sequence[Account], replace: bool = False,
                    note: Note = quiet) -> Imported:
    """Write accounts to every token, all or nothing: accounts already on a token are left alone there unless
    replace (the person holding the token allows each replaced key); every token's room is checked before the
    first write; each written account is checked. A stop midway says what each token holds; running the same
    import again then adds the rest, as what is on a token is left alone."""
    for account in accounts:
        try:
            account.record()
        except ValueError as exc:  # account.Invalid: one a caller built without otpauth's checks
            raise UserError(_("the token cannot hold %s: %s") % (account.name, exc)) from None
    try:
        tokens = survey(distinct_ports(ports))
    except KeyboardInterrupt:
        raise Interrupted(_("interrupted; nothing was changed")) from None
    todo = plan(tokens, accounts, replace)
    done = Imported()
    sending: tuple | None = None  # (token, port, account, existed) while an ADD's fate is open
    try:
        for token_state in tokens:
            port = token_state.port
            done.written[port] = []
            done.left[port] = [a for a in accounts if a not in todo[port]]
            if not todo[port]:
                continue
            # A replaced key, a clock jump: allowed on the token (note says so, and how far a long write is).
            with connect(port, name_port=True, note=note) as token:
                set_clock = ensure_clock(token, note)
                if set_clock:
                    note(set_clock)
                for number, account in enumerate(todo[port], 1):
                    note(Progress(_("writing account %d of %d to the token on %s…") % (number, len(todo[port]), port)))
                    existed = _key(account) in token_state.names
                    sending = (token, port, account, existed)
                    done.stored[port] = token.add(account.record(), replace=existed)
                    sending = None
                    done.written[port].append(account)
                    match, _skew = token.check(account.issuer, account.label, code(account, int(time.time())))
                    if not match:
                        raise UserError(_("the token on %s stored %s but computes a different code; run "
                                          "`totpfob time sync` and import again") % (port, account.name))
                adopt_host_language(token, port, note)  # a new token's screens: this computer's language
            note(ngettext("wrote %d account to the token on %s (%d on it now); its code matches this computer's",
                          "wrote %d accounts to the token on %s (%d on it now); each one's code matches this"
                          " computer's", len(todo[port]))
                 % (len(todo[port]), port, done.stored[port]))
    except UserError as exc:
        raise UserError("%s; %s" % (exc, _so_far(tokens, todo, done, sending))) from None
    except KeyboardInterrupt:
        raise Interrupted(_("interrupted; %s") % _so_far(tokens, todo, done, sending)) from None
    return done


def _so_far(tokens: Sequence[OnToken], todo: dict, done: Imported, sending: tuple | None) -> str:
    """What the import had written when it stopped, in one sentence; an account whose ADD was sent but not
    answered is asked about afresh (accounts.holds)."""
    unknown = ""
    if sending is not None:
        token, port, account, existed = sending
        fate = holds(token, port, account, existed)
        if fate:
            done.written[port].append(account)
        elif fate is None:
            unknown = _("whether the token on %s stored %s is unknown: run `totpfob --port %s list`") % (
                port, account.name, port)
    written = [_("%d of %d on %s") % (len(done.written[t.port]), len(todo[t.port]), t.port)
               for t in tokens if done.written.get(t.port)]
    if not written:
        return unknown or _("nothing was written")
    said = _("written before it stopped: %s (run the same import again to add the rest)") % ", ".join(written)
    return "%s; %s" % (unknown, said) if unknown else said
