"""The token commands on the command line: add, list, rename, delete, wipe, info and time. Each reads its
arguments, calls one operation (ops) and prints a short human answer or JSON; the work is done in ops."""

import json
import sys
from datetime import datetime, timezone

from . import importcmd, languagecmd, ops, otpauth, qr
from .account import ALGORITHMS, Account
from .errors import Interrupted, UserError
from .i18n import _
from .otpauth import printable
from .progress import Printer

_SETTINGS = ("label", "issuer", "algorithm", "digits", "period")
NEXT_CODE_WITHIN_S = 10  # `add` prints the next code too when the current one has less time left than this


def read_account(args) -> Account:
    """The account from --qr, --uri or --secret (with any settings given beside a QR code or URI in place of
    its own), fully checked before any token is touched."""
    given = {name: getattr(args, name) for name in _SETTINGS if getattr(args, name) is not None}
    try:
        if args.qr:
            return qr.decode_image(args.qr, **given)
        if args.screen or args.clipboard:
            from . import grab  # Pillow's ImageGrab: loaded only when asked for

            if args.screen:
                return qr.decode_pictures(grab.screens(), qr.SCREEN, **given)
            return qr.decode_clipboard(grab.clipboard(), **given)
        if args.uri:
            return otpauth.parse_uri(args.uri, **given)
        if not args.label:
            raise UserError(_("--secret needs --label (the account name, e.g. you@ugyfelkapu.gov.hu)"))
        return otpauth.from_secret(args.secret, **given)  # unset settings take from_secret's defaults
    except otpauth.InputError as exc:
        raise UserError(str(exc)) from None


def cmd_add(args) -> int:
    try:  # before the token is touched: a wrong backup password or a Ctrl-C changes nothing
        account = read_account(args)
        kept = importcmd.open_backup(args)
    except KeyboardInterrupt:
        raise Interrupted(_(importcmd.UNCHANGED)) from None
    added = ops.add(ops.pick_ports(args.port), account, args.replace, note=Printer())
    importcmd.save_backup(kept, [added.account], print)
    print(_("code now: %s  (%d s left) - the token shows the same; type it into the pairing page")
          % (_grouped(added.code), added.remaining))
    if added.remaining < NEXT_CODE_WITHIN_S:  # too little time to type it: the next one too, as the token shows
        starts = added.at + added.remaining
        print(_("next code: %s  from %s (in %d s) - type this one if the first runs out")
              % (_grouped(ops.code(added.account, starts)), datetime.fromtimestamp(starts).strftime("%H:%M:%S"),
                 added.remaining))
    print(_("tip: keep the service's deletion code (törlőkód / recovery code) safe: it revokes a lost token"))
    return 0


def _grouped(code: str) -> str:
    half = (len(code) + 1) // 2
    return code[:half] + " " + code[half:]


def cmd_list(args) -> int:
    port = ops.pick_port(args.port)
    found = ops.accounts(port, note=Printer(out=sys.stderr))  # stdout is the list alone
    if args.json:
        print(json.dumps([account.public() for account in found]))
    elif not found:
        print(_("no accounts on the token (add one with `totpfob add --qr SCREENSHOT.png`)"))
    else:
        for a in found:
            print(_("%-40s %s, %d digits, %d s") % (printable(a.name), a.algorithm.upper(), a.digits, a.period))
    if not args.json:  # what the person holding it reads there, beside what it holds
        print(_("the token's screens are in %s") % ops.settings.said(ops.info(port)["language"]))
    return 0


def cmd_rename(args) -> int:
    try:
        new = otpauth.settings(args.new)["label"]  # the same checks as a new account's name (bidi marks...)
    except otpauth.InputError as exc:
        raise UserError(str(exc)) from None
    renamed = ops.rename(ops.pick_port(args.port), args.old, new, note=Printer())
    print(_("renamed %s to %s") % (printable(renamed.name), printable(new)))
    return 0


def cmd_delete(args) -> int:
    if not args.yes and not importcmd.agreed(
            _("Delete %s from the token for good? [y/N] ") % printable(args.label),
            _("this deletes an account for good; to confirm without a question add --yes")):
        print(_("nothing was deleted"))
        return 1
    deleted = ops.delete(ops.pick_port(args.port), args.label, note=Printer())
    print(_("deleted %s from the token") % printable(deleted.name))
    return 0


def cmd_wipe(args) -> int:
    if not args.yes:
        raise UserError(_("wipe removes every account from the token; run it again with --yes to confirm"))
    ops.wipe(ops.pick_port(args.port), note=Printer())
    print(_("the token holds no accounts now"))
    return 0


def cmd_info(args) -> int:
    info = ops.info(ops.pick_port(args.port))
    if args.json:
        print(json.dumps(info))
        return 0
    shown = {name: _said(info.get(name)) for name in ("board", "firmware", "protocol", "accounts", "capacity",
                                                       "free", "vault", "battery")}
    print(_("board %(board)s, firmware %(firmware)s (protocol %(protocol)s)") % shown)
    print(_("accounts %(accounts)s of %(capacity)s (%(free)s free)") % shown)
    clock = info.get("clock")
    print(_("clock lost: run `totpfob time sync`") if clock == "lost" else _("clock ok") if clock == "ok" else
          _("clock state unknown (%s)") % _said(clock))
    if info.get("vault") not in ("ok", None):
        print(_("storage damaged (%(vault)s): `totpfob wipe --yes` starts afresh") % shown)
    if info.get("battery") is not None:
        print(_("battery %(battery)s%%") % shown)
    print(_("the token's screens are in %s") % ops.settings.said(info.get("language")))
    return 0


def _said(value: object) -> str:
    """A HELLO field as `info` shows it: '?' when the token did not say, never a control character."""
    if value is None:
        return "?"
    return printable(str(value))[:40]


def cmd_time_sync(args) -> int:
    ops.time_sync(ops.pick_ports(args.port), note=Printer())
    return 0


def cmd_time_status(args) -> int:
    status = ops.time_status(ops.pick_port(args.port))
    if args.json:
        print(json.dumps(status.as_dict()))
        return 0
    if status.lost:
        print(_("clock lost (the coin cell ran out or was removed): run `totpfob time sync`"))
        return 0
    synced = (_("%s (%.1f days ago)") % (datetime.fromtimestamp(status.last_sync, timezone.utc)
                                       .strftime("%Y-%m-%d %H:%M UTC"), status.since_sync_s / 86400)
              if status.since_sync_s is not None else _("never"))
    print(_("offset %+.3f s (token minus this computer), drift correction %+.2f ppm, last sync %s")
          % (status.offset_s, status.drift_ppm, synced))
    if status.advisable:
        print(_("a `totpfob time sync` is advisable"))
    warning = ops.host_clock_warning()
    if warning:
        print(warning)
    return 0


def add_parsers(commands, shared: dict) -> None:
    """The token commands, with the shared --port and --json options (cli._shared)."""
    port, as_json = [shared["port"]], [shared["port"], shared["json"]]
    p = commands.add_parser("add", parents=port,
                            help=_("add an account from a QR screenshot, an otpauth URI or a key"))
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--qr", metavar="IMAGE", help=_("screenshot or photo of the pairing QR code (PNG/JPEG)"))
    source.add_argument("--uri", metavar="URI", help=_("otpauth://totp/... URI"))
    source.add_argument("--secret", metavar="KEY", help=_("the base32 key shown under the QR code"))
    source.add_argument("--screen", action="store_true",
                        help=_("take the QR code from the screen (every monitor): show the pairing page, then run"
                               " this"))
    source.add_argument("--clipboard", action="store_true",
                        help=_("take the QR code picture, or the otpauth:// URI, from the clipboard"))
    p.add_argument("--label", help=_("account name (e.g. you@ugyfelkapu.gov.hu)"))
    p.add_argument("--issuer", help=_("service name (e.g. Ügyfélkapu+)"))
    p.add_argument("--algorithm", metavar="|".join(ALGORITHMS))  # checked by otpauth: a one-line error
    p.add_argument("--digits", type=int)
    p.add_argument("--period", type=int, metavar="SECONDS")
    p.add_argument("--replace", action="store_true", help=_("replace an account of the same name (re-pairing)"))
    importcmd.add_backup_options(p)
    p.set_defaults(run=cmd_add)
    p = commands.add_parser("list", parents=as_json, help=_("list the accounts (names and settings, never keys)"))
    p.set_defaults(run=cmd_list)
    p = commands.add_parser("rename", parents=port, help=_("rename an account"))
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.set_defaults(run=cmd_rename)
    p = commands.add_parser("delete", parents=port, help=_("delete an account"))
    p.add_argument("label", metavar="LABEL")
    p.add_argument("--yes", action="store_true", help=_("do not ask on the terminal (the token still asks)"))
    p.set_defaults(run=cmd_delete)
    p = commands.add_parser("wipe", parents=port, help=_("delete every account"))
    p.add_argument("--yes", action="store_true", help=_("confirm"))
    p.set_defaults(run=cmd_wipe)
    p = commands.add_parser("info", parents=as_json, help=_("board, firmware, room and clock state"))
    p.set_defaults(run=cmd_info)
    languagecmd.add_parser(commands, shared)
    p = commands.add_parser("time", help=_("the token's clock: `time sync` or `time status`"))
    sub = p.add_subparsers(dest="time_command", metavar="sync|status", required=True)
    s = sub.add_parser("sync", parents=port, help=_("set the token's clock from this computer's"))
    s.set_defaults(run=cmd_time_sync)
    s = sub.add_parser("status", parents=as_json, help=_("offset, drift and last sync"))
    s.set_defaults(run=cmd_time_status)
