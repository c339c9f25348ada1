"""The token's side of the protocol: one request in, one reply out. No reply ever carries key material.

Each request kind has one handler (HANDLERS, at the end): it gets the request's fields as wire.LAYOUTS decodes
them and returns the OK reply's fields, or raises. Framing, error codes, the "changed" flag and the cached reply
of a retried write are all done in handle(), once.

The app loads this module only once a byte arrives from USB; a token that only shows codes never needs it.
"""

import gc
import json
import time

import account
import frames
import otp
import vault as vaultmod
import wire
from micropython import const

FIRMWARE_VERSION = "0.2.0"
_QUIET_MS = const(300)  # a frame cut off for this long is given up (the host retries)
# Wrong codes the pairing check takes per minute: plenty for typos, far too few to guess a code with.
_CHECK_MISSES = const(5)
_CHECK_WINDOW_MS = const(60000)
_EDGE_WAIT_MS = const(1100)  # a chip second turns over within this


class _Busy(Exception):
    """The request is refused for now; the detail says why."""


class _ClockLost(Exception):
    """The request needs the time, and the token does not know it."""


def _error(rid, code, detail=""):
    return frames.frame(wire.ERROR, rid, bytes((code,)) + detail.encode()[:60])


class Service:
    """Answers host requests against the vault and the clock."""

    def __init__(self, board, vault, clock):
        self.board = board
        self.vault = vault
        self.clock = clock
        self.changed = False  # set when accounts or the clock changed, so the app redraws
        self.maintenance_rid = -1  # a maintenance request waiting for a button press
        self._last = None  # (kind, rid, reply) of the last request that changes the token
        self._deframer = frames.Deframer()
        self._heard = time.ticks_ms()  # when the last byte came
        self._misses = 0  # wrong codes the check was given since _missed_at
        self._missed_at = time.ticks_ms()

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
            reply = self.handle(kind, rid, payload)
            if reply:
                self.board.port.write(reply)
        return len(requests)

    def answer_maintenance(self, allowed):
        """Answer the request waiting for a person (maintenance_rid): allowed on the token, or not."""
        rid = self.maintenance_rid
        self.maintenance_rid = -1
        self.board.port.write(frames.frame(wire.OK, rid) if allowed else _error(rid, wire.E_DENIED))

    def handle(self, kind, rid, payload):
        """Reply frame for one request, or None while it waits for a person (maintenance)."""
        handler = HANDLERS.get(kind)
        if handler is None:
            return _error(rid, wire.E_UNKNOWN, "unknown request %d" % kind)
        changes = wire.LAYOUTS[kind][2]
        last = self._last
        if changes and last and last[0] == kind and last[1] == rid:
            return last[2]  # a retry of a write already done: its answer again, never a second run
        try:
            fields = handler(self, *wire.read_request(kind, payload))
            if fields is None:
                self.maintenance_rid = rid
                return None
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
            "capacity": vaultmod.CAPACITY, "accounts": count, "free": vaultmod.CAPACITY - count,
            "clock": "lost" if self.clock.now() is None else "ok",
            "vault": self.vault.error or "ok", "battery": battery,
            "heap_free": gc.mem_free(),
        }

    # The handlers: request fields in, reply fields out (None: wait for a person).

    def hello(self):
        self._last = None  # a new session: a request id seen before is a new request
        return (json.dumps(self.info()).encode(),)

    def list(self, index):
        records = self.vault.records
        return len(records), account.public(records[index]) if index < len(records) else b""

    def add(self, flags, record):
        account.decode(record)  # Invalid, with the reason, for an account the token cannot hold
        self.vault.add(record, replace=bool(flags & wire.ADD_REPLACE))
        return (len(self.vault),)

    def rename(self, issuer, label, new_label):
        self.vault.rename(issuer, label, new_label)
        return ()

    def delete(self, issuer, label):
        self.vault.delete(issuer, label)
        return ()

    def wipe(self, confirm):
        if confirm != wire.WIPE_CONFIRM:
            raise ValueError("wipe")
        self.vault.wipe()
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
        self.clock.set(unix, drift if flags & wire.SET_DRIFT else None)
        return ()

    def check(self, issuer, label, code):
        """Does the host's code match this account's, now or one step either side? Reveals nothing else."""
        if time.ticks_diff(time.ticks_ms(), self._missed_at) > _CHECK_WINDOW_MS:
            self._misses = 0
            self._missed_at = time.ticks_ms()
        if self._misses >= _CHECK_MISSES:
            raise _Busy("too many wrong codes; wait a minute")
        at = self.vault.find(issuer, label)
        if at < 0:
            raise vaultmod.NotFound(label)
        now = self.clock.now()
        if now is None:
            raise _ClockLost()
        algorithm, digits, period, _, _, secret = account.decode(self.vault.records[at])
        for skew in (0, -1, 1):
            if otp.totp(secret, now + skew * period, period, digits, algorithm) == code:
                return 1, skew
        self._misses += 1
        return 0, 0

    def maintenance(self):
        return None  # answered by answer_maintenance(), once a person pressed a key


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
}
