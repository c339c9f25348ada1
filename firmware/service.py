"""The token's side of the protocol: one request in, one reply out. No reply ever carries key material.

Each request kind has one handler (HANDLERS, at the end): it gets the request's fields as wire.LAYOUTS decodes
them and returns the OK reply's fields, or raises. Framing, error codes, the "changed" flag and the cached reply
of a retried write are all done in handle(), once.

A handler whose request destroys or moves something calls self._ask(question...): the first time that marks the
request as waiting for a person (`asking`) and handle() answers nothing; the app shows the question, sends
waiting() about every second, and calls answer() with what the person did. Allowed, the handler runs again and
this time _ask() lets it through; refused, the host gets E_DENIED and nothing changed. Either answer is cached
under the request id, so a retried request never raises a second prompt.

The app loads this module only once a byte arrives from USB; a token that only shows codes never needs it.
"""

import gc
import json
import struct
import time

import account
import checklimit
import frames
import otp
import settings
import vault as vaultmod
import wire
from micropython import const

FIRMWARE_VERSION = "0.4.0"
_QUIET_MS = const(300)  # a frame cut off for this long is given up (the host retries)
_EDGE_WAIT_MS = const(1100)  # a chip second turns over within this
_JUMP_S = const(300)  # a TIME_SET moving a valid clock further than this needs the person's consent


class _Busy(Exception):
    """The request is refused for now; the detail says why."""


class _ClockLost(Exception):
    """The request needs the time, and the token does not know it."""


class _Ask(Exception):
    """The request needs the consent of the person holding the token; args: the question's lines."""


def _jump(seconds):
    """The question about a clock jump of this many seconds, rounded in the unit that keeps its line short."""
    if -5970 < seconds < 5970:  # under 99.5 min
        return "clock-min", (seconds + 30) // 60
    if -171000 < seconds < 171000:  # under 47.5 h
        return "clock-h", (seconds + 1800) // 3600
    return "clock-d", (seconds + 43200) // 86400


def _error(rid, code, detail=""):
    return frames.frame(wire.ERROR, rid, bytes((code,)) + detail.encode()[:60])


class Service:
    """Answers host requests against the vault and the clock."""

    def __init__(self, board, vault, clock, misses_file="checks.bin"):
        self.board = board
        self.vault = vault
        self.clock = clock
        self.changed = False  # set when accounts or the clock changed, so the app redraws
        self.asking = None  # type: tuple | None  # (kind, rid, payload, question) of a request waiting for the person's consent
        self.open_repl = False  # a MAINTENANCE request was allowed: the app opens the REPL
        self._allowed = False  # set while a request the person allowed runs again
        self._asked_at = time.ticks_ms()  # when the waiting request came
        self._last = None  # (kind, rid, reply) of the last request that changes the token or needed a person
        self._rid = 0  # the id of the request being handled
        self._deframer = frames.Deframer()
        self._heard = time.ticks_ms()  # when the last byte came
        self._misses = checklimit.Misses(misses_file)  # the latest wrong codes of CHECK, across restarts

    def serve(self, data):
        """Take what came from USB (b"" if nothing did) and answer each request it completes on the board's
        port; the number of requests taken."""
        deframer = self._deframer
        if data:
            self._heard = time.ticks_ms()
            requests = deframer.feed(data)
        elif deframer.pending() and time.ticks_diff(time.ticks_ms(), self._heard) > _QUIET_MS:
            requests = deframer.drop_partial()
        else:
            return 0
        for kind, rid, payload in requests:
            if self.asking is not None:  # one question at a time: another request is answered "send it again"
                self._again(rid)
                continue
            reply = self.handle(kind, rid, payload)
            if reply:
                self.board.port.write(reply)
        return len(requests)

    def waiting(self, seconds_left):
        """Tell the host its request still waits for the person holding the token (wire.WAIT)."""
        rid = self.asking[1] if self.asking else 0
        self.board.port.write(frames.frame(wire.WAIT, rid, bytes((min(255, max(0, seconds_left)),))))

    def _working(self, job, done, total):
        """Tell the host the request being handled is still going (a write, an erase: seconds on a slow flash):
        WAIT, nobody asked, with how far it is; and answer any other request that came meanwhile (refuse)."""
        wait = struct.pack("<BBHH", 0, job, min(done, 0xFFFF), min(total, 0xFFFF))
        self.board.port.write(frames.frame(wire.WAIT, self._rid, wait))
        self.refuse(self.board.port.read())

    def finish_erase(self):
        """Finish the erase a power cut interrupted (vault.erase_due), seconds long: WAIT meanwhile, and E_AGAIN
        to every request that comes (the host asks again until it is done), never silence."""
        self.vault.finish_erase(self._working)

    def refuse(self, data):
        """Take what came from USB while a request runs or waits for the person: each other request gets
        E_AGAIN (the host sends it again later), never silence; a repeat of the one going on gets nothing (its
        answer comes when it is done)."""
        if data:
            self._heard = time.ticks_ms()
            for _, rid, _ in self._deframer.feed(data):
                self._again(rid)

    def _again(self, rid):
        if rid != (self.asking[1] if self.asking else self._rid):
            self.board.port.write(_error(rid, wire.E_AGAIN, "busy"))

    def answer(self, allowed):
        """The person answered the waiting request (asking): run it if they allowed it; reply to the host."""
        kind, rid, payload, _ = self.asking  # type: ignore[misc]  # only called while a request waits
        self.asking = None
        if allowed:
            self._allowed = True
            try:
                reply = self.handle(kind, rid, payload)
            finally:
                self._allowed = False
        else:
            reply = _error(rid, wire.E_DENIED, "refused on the token")
        self._last = (kind, rid, reply)
        self.board.port.write(reply)

    def _ask(self, *question):
        """Go on only if the person holding the token allowed this request; else mark it waiting (_Ask).
        question: its name in texts.py and what fills it in (a label, a number): the app words it in the
        token's language."""
        if not self._allowed:
            raise _Ask(*question)

    def handle(self, kind, rid, payload):
        """Reply frame for one request, or None while it waits for the person's consent (see asking)."""
        handler = HANDLERS.get(kind)
        if handler is None:
            return _error(rid, wire.E_UNKNOWN, "unknown request %d" % kind)
        changes = wire.LAYOUTS[kind][2]
        last = self._last
        if last and last[1] == rid and last[0] == kind:
            return last[2]  # a retry of a write done or of a question answered: that answer, never a second run
        self._rid = rid
        try:
            fields = handler(self, *wire.read_request(kind, payload))
            reply = frames.frame(wire.OK, rid, wire.reply(kind, *fields))
            self.changed = self.changed or changes
        except account.Invalid as exc:  # before ValueError, which it is
            reply = _error(rid, wire.E_INVALID, str(exc))
        except ValueError:
            reply = _error(rid, wire.E_MALFORMED, "malformed request")
        except vaultmod.Exists:
            reply = _error(rid, wire.E_EXISTS)
        except vaultmod.NotFound:
            reply = _error(rid, wire.E_NOT_FOUND)
        except vaultmod.Full:
            reply = _error(rid, wire.E_FULL)
        except _ClockLost:
            reply = _error(rid, wire.E_CLOCK_LOST)
        except _Busy as exc:
            reply = _error(rid, wire.E_BUSY, str(exc))
        except _Ask as exc:
            self.asking = (kind, rid, bytes(payload), exc.args)
            self._asked_at = time.ticks_ms()
            return None
        except vaultmod.VaultError as exc:
            reply = _error(rid, wire.E_STORAGE, str(exc))
        except OSError as exc:
            reply = _error(rid, wire.E_STORAGE, "flash write failed (%s)" % exc.args[0])
        if changes:
            self._last = (kind, rid, reply)
        return reply

    def info(self):
        """What the host may know about this token: versions, board, room, clock state. No secrets."""
        count = len(self.vault)
        battery = self.board.battery()
        gc.collect()
        return {
            "protocol": wire.PROTOCOL, "firmware": FIRMWARE_VERSION, "board": self.board.name,
            "rtc": type(self.clock.rtc).__name__,  # the chip bounds the drift the host may learn
            "capacity": vaultmod.CAPACITY, "accounts": count, "free": vaultmod.CAPACITY - count,
            "clock": "lost" if self.clock.now() is None else "ok",
            "vault": self.vault.error or "ok", "battery": battery,
            "language": settings.language(),  # None: never set (the screens speak English)
            "heap_free": gc.mem_free(),
        }

    # The handlers: request fields in, reply fields out.

    def hello(self):
        self._last = None  # a new session: a request id seen before is a new request
        return (json.dumps(self.info()).encode(),)

    def list(self, index):
        records = self.vault.records
        return len(records), account.public(records[index]) if index < len(records) else b""

    def add(self, flags, record):
        _, _, _, issuer, label, _ = account.decode(record)  # Invalid, with the reason, for one it cannot hold
        replace = bool(flags & wire.ADD_REPLACE)
        if replace and self.vault.find(issuer, label) >= 0:
            self._ask("replace", label)
        self.vault.add(record, replace, self._working)
        return (len(self.vault),)

    def rename(self, issuer, label, new_label):
        algorithm, digits, period, _, _, secret = account.decode(self.vault.records[self._found(issuer, label)])
        account.check(algorithm, digits, period, issuer, new_label, secret)  # Invalid before anyone is asked
        if self.vault.find(issuer, new_label) >= 0:
            raise vaultmod.Exists(new_label)
        self._ask("rename", label, new_label)
        self.vault.rename(issuer, label, new_label, self._working)
        return ()

    def delete(self, issuer, label):
        self._found(issuer, label)
        self._ask("delete", label)
        self.vault.delete(issuer, label, self._working)
        return ()

    def wipe(self, confirm):
        if confirm != wire.WIPE_CONFIRM:
            raise ValueError("wipe")
        self._ask("wipe", len(self.vault))
        self.vault.wipe(self._working)
        return ()

    def time_get(self, flags):
        raw = self.clock.raw()
        if flags & wire.TIME_EDGE and raw is not None:
            # Answer right after the chip's next second begins, so the host can measure the offset finely.
            start = time.ticks_ms()
            while time.ticks_diff(time.ticks_ms(), start) < _EDGE_WAIT_MS:
                now = self.clock.raw()
                if now != raw:
                    raw = now
                    break
                time.sleep_ms(1)
        now = self.clock.now() if raw is not None else None
        return now or 0, raw or 0, now is None, self.clock.drift_ppb, self.clock.last_sync

    def time_set(self, unix, flags, drift):
        if unix < 0:
            raise ValueError("time")
        now = self.clock.now()
        if now is not None and abs(unix - now) > _JUMP_S:
            self._ask(*_jump(unix - now))
            # `unix` was the second that began as the request came; the person took a while to allow it.
            unix += (time.ticks_diff(time.ticks_ms(), self._asked_at) + 500) // 1000
        self.clock.set(unix, drift if flags & wire.SET_DRIFT else None)
        return ()

    def check(self, issuer, label, code):
        """Does the host's code match this account's, now or one step either side? Reveals nothing else."""
        at = self._found(issuer, label)
        now = self.clock.now()
        if now is None:
            raise _ClockLost()
        if self._misses.full(now):
            raise _Busy("too many wrong codes; wait a minute")
        algorithm, digits, period, _, _, secret = account.decode(self.vault.records[at])
        for skew in (0, -1, 1):
            if otp.totp(secret, now + skew * period, period, digits, algorithm) == code:
                return 1, skew
        self._misses.add(now)  # there was room for this one
        return 0, 0

    def _found(self, issuer, label):
        """The account's index; NotFound before anyone is asked about an account that is not there."""
        at = self.vault.find(issuer, label)
        if at < 0:
            raise vaultmod.NotFound(label)
        return at

    def language(self, code):
        """The language of the token's screens from now on. Set without asking the person holding the token:
        it reveals nothing and risks nothing (every screen stays readable in either language, the codes have no
        words), and the host sets it unasked at the first add."""
        settings.set_language(code)  # ValueError (malformed) for a language this firmware does not speak
        return ()

    def maintenance(self):
        self._ask("maintenance")
        self.open_repl = True
        return ()


HANDLERS = {  # type: dict
    wire.HELLO: Service.hello,
    wire.LIST: Service.list,
    wire.ADD: Service.add,
    wire.RENAME: Service.rename,
    wire.DELETE: Service.delete,
    wire.WIPE: Service.wipe,
    wire.TIME_GET: Service.time_get,
    wire.TIME_SET: Service.time_set,
    wire.CHECK: Service.check,
    wire.MAINTENANCE: Service.maintenance,
    wire.LANGUAGE: Service.language,
}
