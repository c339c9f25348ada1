"""The provisioning commands: add, list, rename, delete, wipe, info and time. Each opens the token's port,
does its work, prints a short human answer (or JSON), and raises UserError for anything the user can fix."""

import json
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from . import otpauth, qr, timesync
from .errors import UserError, describe
from .link import DeviceError, Link, LinkError, find_port, wire
from .paths import firmware_module
from .token import Entry, Token

otp = firmware_module("otp")


def _ports(args) -> list:
    try:
        return args.port or [find_port()]
    except LinkError as exc:
        raise UserError(str(exc)) from None


@contextmanager
def connect(port: str):
    """A Token on port, with link and device errors turned into one line for the user."""
    try:
        with Link(port) as link:
            yield Token(link)
    except LinkError as exc:
        raise UserError(str(exc)) from None
    except DeviceError as exc:
        raise UserError(describe(exc)) from None


def _one_port(args) -> str:
    ports = _ports(args)
    if len(ports) > 1:
        raise UserError("this command works on one token at a time; give a single --port")
    return ports[0]


def find_entry(token: Token, name: str) -> Entry:
    """The account the user means by LABEL or ISSUER:LABEL."""
    entries = token.accounts()
    exact = [e for e in entries if e.name == name or e.label == name]
    if len(exact) > 1:
        raise UserError("several accounts are called %r; name one as ISSUER:LABEL (%s)"
                        % (name, ", ".join(e.name for e in exact)))
    if not exact:
        raise UserError("no account %r on the token (see `totpfob list`)" % name)
    return exact[0]


def read_account(args) -> otpauth.Account:
    """The account from --qr, --uri or --secret, fully checked before any token is touched."""
    try:
        if args.qr:
            account = qr.decode_image(args.qr)
        elif args.uri:
            account = otpauth.parse_uri(args.uri)
        else:
            if not args.label:
                raise UserError("--secret needs --label (the account name, e.g. you@ugyfelkapu.gov.hu)")
            account = otpauth.from_secret(args.secret, args.label, args.issuer or "", args.algorithm or "sha1",
                                          6 if args.digits is None else args.digits,  # 0 is an error, not "unset"
                                          30 if args.period is None else args.period)
        if args.qr or args.uri:
            overrides = {k: getattr(args, k) for k in ("label", "issuer", "algorithm", "digits", "period")
                         if getattr(args, k) is not None}
            if overrides:
                account = otpauth.from_secret(_base32(account.secret), overrides.get("label", account.label),
                                              overrides.get("issuer", account.issuer),
                                              overrides.get("algorithm", account.algorithm),
                                              overrides.get("digits", account.digits),
                                              overrides.get("period", account.period))
        otpauth.device_secret(account)
    except otpauth.InputError as exc:
        raise UserError(str(exc)) from None
    return account


def _base32(secret: bytes) -> str:
    import base64

    return base64.b32encode(secret).decode()


def ensure_clock(token: Token) -> str:
    """Set the token's clock if it is lost or more than a second off; returns what was done, for the user."""
    if timesync.within(token, 1.0):
        return ""
    before = timesync.status(token)
    if not before.lost and abs(before.offset_s) <= 1.0:
        return ""
    _, after = timesync.sync(token, before=before)
    was = "was not set" if before.lost else "was %+.1f s off" % before.offset_s
    return "token clock %s; set to this computer's time (now %+.3f s)" % (was, after.offset_s)


def cmd_add(args) -> int:
    account = read_account(args)
    secret = otpauth.device_secret(account)
    for port in _ports(args):
        with connect(port) as token:
            if not args.replace and any(e.issuer == account.issuer and e.label == account.label
                                        for e in token.accounts()):
                raise UserError("the token on %s already has %s; to pair it again (a new key) add --replace"
                                % (port, _name(account)))
            note = ensure_clock(token)
            if note:
                print(note)
            try:
                stored = token.add(account.label, account.issuer, secret, account.algorithm, account.digits,
                                   account.period, replace=args.replace)
            except DeviceError as exc:
                raise UserError(describe(exc, port)) from None
            now = int(time.time())
            code = otp.totp(account.secret, now, account.period, account.digits, account.algorithm)
            try:
                match, _ = token.check(account.issuer, account.label, code)
            except DeviceError as exc:
                raise UserError(describe(exc, port)) from None
            if not match:
                raise UserError("the token on %s stored %s but computes a different code; run "
                                "`totpfob time sync` and check again" % (port, _name(account)))
            print("added %s to the token on %s (%d account%s on it); its code matches this computer's"
                  % (_name(account), port, stored, "" if stored == 1 else "s"))
    now = int(time.time())
    code = otp.totp(account.secret, now, account.period, account.digits, account.algorithm)
    remaining = account.period - now % account.period  # the same instant as the code printed
    print("code now: %s  (%d s left) - the token shows the same; type it into the pairing page"
          % (_grouped(code), remaining))
    print("tip: keep the service's deletion code (törlőkód / recovery code) safe: it revokes a lost token")
    return 0


def _grouped(code: str) -> str:
    half = (len(code) + 1) // 2
    return code[:half] + " " + code[half:]


def _name(account) -> str:
    return "%s:%s" % (account.issuer, account.label) if account.issuer else account.label


def cmd_list(args) -> int:
    with connect(_one_port(args)) as token:
        entries = token.accounts()
    if args.json:
        print(json.dumps([e.as_dict() for e in entries]))
    elif not entries:
        print("no accounts on the token (add one with `totpfob add --qr SCREENSHOT.png`)")
    else:
        for e in entries:
            print("%-40s %s, %d digits, %d s" % (e.name, e.algorithm.upper(), e.digits, e.period))
    return 0


def cmd_rename(args) -> int:
    with connect(_one_port(args)) as token:
        entry = find_entry(token, args.old)
        token.rename(entry, args.new)
    print("renamed %s to %s" % (entry.name, args.new))
    return 0


def cmd_delete(args) -> int:
    with connect(_one_port(args)) as token:
        entry = find_entry(token, args.label)
        token.delete(entry)
    print("deleted %s from the token" % entry.name)
    return 0


def cmd_wipe(args) -> int:
    if not args.yes:
        raise UserError("wipe removes every account from the token; run it again with --yes to confirm")
    with connect(_one_port(args)) as token:
        token.wipe()
    print("the token holds no accounts now")
    return 0


def cmd_info(args) -> int:
    with connect(_one_port(args)) as token:
        info = token.info()
    if args.json:
        print(json.dumps(info))
        return 0
    print("board %s, firmware %s (protocol %d)" % (info["board"], info["firmware"], info["protocol"]))
    print("accounts %d of %d (%d free)" % (info["accounts"], info["capacity"], info["free"]))
    print("clock %s" % ("lost: run `totpfob time sync`" if info["clock"] == "lost" else "ok"))
    if info.get("vault") != "ok":
        print("storage damaged (%s): `totpfob wipe --yes` starts afresh" % info["vault"])
    if info.get("battery") is not None:
        print("battery %d%%" % info["battery"])
    return 0


def _warn_host_clock() -> None:
    if timesync.host_clock_unsynchronised():
        print("warning: this computer's clock says it is not synchronised (NTP); the token copies it")


def cmd_time_sync(args) -> int:
    _warn_host_clock()
    for port in _ports(args):
        with connect(port) as token:
            before, after = timesync.sync(token)
        was = "had lost its time" if before.lost else "was %+.3f s off" % before.offset_s
        print("token on %s %s; now %+.3f s from this computer, drift correction %+.2f ppm"
              % (port, was, after.offset_s, after.drift_ppm))
    return 0


def cmd_time_status(args) -> int:
    with connect(_one_port(args)) as token:
        status = timesync.status(token)
    if args.json:
        print(json.dumps(status.as_dict()))
        return 0
    if status.lost:
        print("clock lost (the coin cell ran out or was removed): run `totpfob time sync`")
        return 0
    synced = ("%s (%.1f days ago)" % (datetime.fromtimestamp(status.last_sync, timezone.utc)
                                       .strftime("%Y-%m-%d %H:%M UTC"), status.since_sync_s / 86400)
              if status.since_sync_s is not None else "never")
    print("offset %+.3f s (token minus this computer), drift correction %+.2f ppm, last sync %s"
          % (status.offset_s, status.drift_ppm, synced))
    if status.advisable:
        print("a `totpfob time sync` is advisable")
    _warn_host_clock()
    return 0


def add_parsers(commands) -> None:
    p = commands.add_parser("add", help="add an account from a QR screenshot, an otpauth URI or a key")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--qr", metavar="IMAGE", help="screenshot or photo of the pairing QR code (PNG/JPEG)")
    source.add_argument("--uri", metavar="URI", help="otpauth://totp/... URI")
    source.add_argument("--secret", metavar="KEY", help="the base32 key shown under the QR code")
    p.add_argument("--label", help="account name (e.g. you@ugyfelkapu.gov.hu)")
    p.add_argument("--issuer", help="service name (e.g. Ügyfélkapu+)")
    p.add_argument("--algorithm", metavar="|".join(wire.ALGORITHMS))  # checked by otpauth: a one-line error
    p.add_argument("--digits", type=int)
    p.add_argument("--period", type=int, metavar="SECONDS")
    p.add_argument("--replace", action="store_true", help="replace an account of the same name (re-pairing)")
    p.set_defaults(run=cmd_add)
    p = commands.add_parser("list", help="list the accounts (names and settings, never keys)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)
    p = commands.add_parser("rename", help="rename an account")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.set_defaults(run=cmd_rename)
    p = commands.add_parser("delete", help="delete an account")
    p.add_argument("label", metavar="LABEL")
    p.set_defaults(run=cmd_delete)
    p = commands.add_parser("wipe", help="delete every account")
    p.add_argument("--yes", action="store_true", help="confirm")
    p.set_defaults(run=cmd_wipe)
    p = commands.add_parser("info", help="board, firmware, room and clock state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_info)
    p = commands.add_parser("time", help="the token's clock: `time sync` or `time status`")
    sub = p.add_subparsers(dest="time_command", metavar="sync|status", required=True)
    s = sub.add_parser("sync", help="set the token's clock from this computer's")
    s.set_defaults(run=cmd_time_sync)
    s = sub.add_parser("status", help="offset, drift and last sync")
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=cmd_time_status)
