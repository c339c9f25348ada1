"""`totpfob import SOURCE…`: accounts from phone apps' exports, previewed, chosen, then written all or nothing;
and the `--backup FILE` option `add` and `import` share (an encrypted Aegis vault on this computer)."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable

from . import backup as backups
from . import ops
from .account import Account
from .errors import Interrupted, UserError
from .i18n import N_, _, ngettext
from .importers import Entry, sources
from .otpauth import InputError, printable
from .progress import Printer

YES = ("y", "yes", "i", "igen")  # the answers that agree, in English and in Hungarian
UNCHANGED = N_("interrupted; nothing was changed")  # translated where raised: _(UNCHANGED)
ADD, REPLACE, EXISTS, SKIP = ops.imports.ADD, ops.imports.REPLACE, ops.imports.EXISTS, ops.imports.SKIP
_SHOWN = {ADD: N_("add"), REPLACE: N_("replace"), EXISTS: N_("already on the token"), SKIP: N_("skip")}


def _password_reader(args) -> Callable[[str], str]:
    """password(question) -> the password: the first line of --password-file, else typed on the terminal."""
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8-sig") as file:
                given = file.readline().rstrip("\r\n")
        except OSError as exc:
            raise UserError(_("the password file %s cannot be read (%s)")
                            % (args.password_file, exc.strerror or _("error"))) from None
        except UnicodeDecodeError:
            raise UserError(_("the password file %s is not UTF-8 text; save it as UTF-8 (or type the password)")
                            % args.password_file) from None
        return lambda question: given

    def typed(question: str) -> str:
        if not sys.stdin.isatty():
            raise UserError(_("%s; give the password with --password-file FILE (no terminal to ask on)") % question)
        try:
            return getpass.getpass(question + ": ")
        except EOFError:
            print(file=sys.stderr)
            raise UserError(_("no password was typed; nothing was changed")) from None
        except KeyboardInterrupt:
            print(file=sys.stderr)
            raise Interrupted(_(UNCHANGED)) from None

    return typed


def agreed(question: str, without_terminal: str) -> bool:
    """Ask the person at the terminal a y/N question: True when they agree (y, yes, i, igen). With nobody there
    (a script, a pipe) UserError(without_terminal); Ctrl-D and Ctrl-C end with "nothing was changed"."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(without_terminal)
    try:
        answer = input(question)
    except EOFError:
        print()
        raise UserError(_("no answer was typed; nothing was changed")) from None
    except KeyboardInterrupt:
        print()
        raise Interrupted(_(UNCHANGED)) from None
    return answer.strip().lower() in YES


def open_backup(args) -> backups.Backup | None:
    """The backup --backup names, opened (or prepared) before anything is written to a token."""
    if not getattr(args, "backup", None):
        return None
    password = _password_reader(args)

    def ask(new: bool) -> str:
        if not new:
            return password(_("the password of the backup %s") % args.backup)
        first = password(_("a new password for the backup %s") % args.backup)
        if not args.password_file and first != password(_("the same password again")):
            raise UserError(_("the two passwords differ; nothing was written"))
        return first

    return backups.Backup.open(args.backup, ask)


def save_backup(opened: backups.Backup | None, accounts: list[Account], say: Callable[[str], None]) -> None:
    """Append the accounts just written to the opened backup, and tell the user what keeping it means."""
    if opened is None or not accounts:
        return
    try:
        opened.append(accounts)
    except UserError as exc:
        if len(accounts) == 1:
            raise UserError(_("the account was stored on the token; the backup was not written: %s") % exc) from None
        raise UserError(_("the %d accounts were stored on the token; the backup was not written: %s")
                        % (len(accounts), exc)) from None
    if opened.created:
        say(ngettext("created the encrypted backup %s with %d account; %s",
                     "created the encrypted backup %s with %d accounts; %s", len(accounts))
            % (opened.path, len(accounts), _(backups.WARNING)))
    else:
        say(ngettext("added %d account to the encrypted backup %s", "added %d accounts to the encrypted backup %s",
                     len(accounts)) % (len(accounts), opened.path))


def add_backup_options(parser) -> None:
    """--backup and --password-file, for `add` and `import`."""
    parser.add_argument("--backup", metavar="FILE",
                        help=_("also keep the accounts written in this encrypted Aegis-format backup file"))
    parser.add_argument("--password-file", metavar="FILE",
                        help=_("read the password (of encrypted exports and of the backup) from this file's first"
                               " line"))


def _table(rows: list[tuple[Entry, str, str]]) -> None:
    print("%-24s %-28s %-16s %s" % (_("ISSUER"), _("ACCOUNT"), _("SETTINGS"), _("ACTION")))
    for entry, action, reason in rows:
        settings = "%s/%d/%ds" % (entry.algorithm.upper(), entry.digits, entry.period)
        shown = _(_SHOWN[action]) + (": " + reason if reason and action != EXISTS else "")
        print("%-24s %-28s %-16s %s" % (printable(entry.issuer)[:24], printable(entry.label)[:28], settings,
                                          printable(shown)))


def _confirm(count: int, ports: list[str]) -> None:
    question = (ngettext("write %d account to the token? [y/N] ", "write %d accounts to the token? [y/N] ", count)
                % count if len(ports) == 1 else
                ngettext("write %d account to %d tokens? [y/N] ", "write %d accounts to %d tokens? [y/N] ", count)
                % (count, len(ports)))
    if not agreed(question, _("nothing was written: add --yes to write without asking (there is no terminal to"
                              " ask on)")):
        raise UserError(_("nothing was written"))


def cmd_import(args) -> int:
    if not args.sources and not args.screen and not args.clipboard:
        raise UserError(_("name what to import: an export file, a QR picture, an otpauth URI, --screen or"
                          " --clipboard"))
    say: Callable[[str], None] = Printer(out=sys.stderr) if args.json else Printer()
    try:  # nothing is written before import_accounts: a Ctrl-C up to there changed nothing
        ready = _prepared(args, say)
    except KeyboardInterrupt:
        raise Interrupted(_(UNCHANGED)) from None
    if ready is None:
        return 0
    ports, chosen, opened = ready
    done = ops.import_accounts(ports, chosen, args.replace, note=say)
    written = {id(a): a for port in ports for a in done.written.get(port, [])}
    save_backup(opened, list(written.values()), say)
    return 0


def _prepared(args, say: Callable[[str], None]) -> tuple | None:
    """Everything before the first write: the entries read, previewed, agreed to, the backup opened; (ports,
    accounts to write, backup) or None when there is nothing to write."""
    password = _password_reader(args)
    try:
        entries = sources.load(args.sources, lambda source, kind: password(
            _("the password of %s (%s)") % (_("the URI") if "://" in source else source, kind)), _grabbed(args))
    except InputError as exc:
        raise UserError(str(exc)) from None
    ports = ops.pick_ports(args.port)
    rows = ops.imports.preview(entries, ops.imports.survey(ports), args.replace, args.only or [], args.exclude or [])
    chosen = [entry.account for entry, action, _reason in rows if action in (ADD, REPLACE) and entry.account]
    if args.json:
        print(json.dumps([dict(entry.public(), action=action, reason=reason) for entry, action, reason in rows]))
    else:
        _table(rows)
    if args.dry_run:
        return None
    if not chosen:
        say(_("nothing to write: every entry is skipped or already on the token"))
        return None
    if not args.yes:
        _confirm(len(chosen), ports)
    return ports, chosen, open_backup(args)


def _grabbed(args) -> list[tuple[str, bytes]]:
    """What --screen and --clipboard hold, as sources: the QR codes' texts, or the clipboard's text."""
    if not args.screen and not args.clipboard:
        return []
    from . import grab  # Pillow's ImageGrab: loaded only when asked for

    taken = []
    if args.screen:
        taken.append((_("the screen"), sources.in_pictures(grab.screens(), _("the screen"))))
    if args.clipboard:
        content = grab.clipboard()
        if isinstance(content, str):
            taken.append((_("the clipboard"), content.encode("utf-8")))
        else:
            taken.append((_("the clipboard"), sources.in_pictures([content], _("the picture in the clipboard"))))
    return taken


def add_parser(commands, shared: dict) -> None:
    """`import`, with the shared --port and --json options (cli._shared)."""
    p = commands.add_parser("import", parents=[shared["port"], shared["json"]],
                            help=_("import accounts from phone apps' exports (Google Authenticator, Aegis, 2FAS,"
                                   " ...)"))
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help=_("an export file, a QR picture (several for a big Google Authenticator export) or a URI"))
    p.add_argument("--screen", action="store_true",
                   help=_("read the QR codes on the screen (show Google Authenticator's export, then run this)"))
    p.add_argument("--clipboard", action="store_true", help=_("read the picture or the text in the clipboard"))
    p.add_argument("--only", action="append", metavar="TEXT",
                   help=_("import only entries whose ISSUER:LABEL has TEXT"))
    p.add_argument("--exclude", action="append", metavar="TEXT",
                   help=_("leave out entries whose ISSUER:LABEL has TEXT"))
    p.add_argument("--yes", action="store_true", help=_("write without asking"))
    p.add_argument("--dry-run", action="store_true", help=_("only show what would be done"))
    p.add_argument("--replace", action="store_true", help=_("replace accounts already on the token (re-pairing)"))
    add_backup_options(p)
    p.set_defaults(run=cmd_import)
