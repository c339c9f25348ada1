"""The token's side of the protocol: one request in, one reply out. No reply ever carries key material.

The app loads this module only once a byte arrives from USB; a token that only shows codes never needs it.
"""

import gc
import json
import time

import frames
import otp
import vault as vaultmod
import wire

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):  # type: ignore[misc]
        return value

FIRMWARE_VERSION = "0.2.0"
# Requests that change the vault or the clock: a retried request id gets the cached reply, not a second run.
_WRITES = (wire.ADD, wire.RENAME, wire.DELETE, wire.WIPE, wire.TIME_SET)
_QUIET_MS = const(300)  # a frame cut off for this long is given up (the host retries)
# Wrong codes the pairing check takes per minute: plenty for typos, far too few to guess a code with.
_CHECK_MISSES = const(5)
_CHECK_WINDOW_MS = const(60000)


class _Busy(Exception):
    """The request is refused for now; the detail says why."""


def _error(rid, code, detail=""):
    return frames.frame(wire.ERROR, rid, bytes((code,)) + detail.encode()[:60])


class Service:
    """Answers host requests against the vault and the clock."""

    def __init__(self, board, vault, clock):
        self.board = board
        self.vault = vault
        self.clock = clock
        self.changed = False  # set when accounts changed, so the app redraws
        self.maintenance_rid = -1  # a maintenance request waiting for a button press
        self._last = None  # (kind, rid, reply) of the last write
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
        last = self._last
        if last and kind in _WRITES and last[0] == kind and last[1] == rid:
            return last[2]
        try:
            reply = self._dispatch(kind, rid, payload)
        except ValueError:
            reply = _error(rid, wire.E_MALFORMED, "malformed request")
        except vaultmod.Exists:
            reply = _error(rid, wire.E_EXISTS)
        except vaultmod.NotFound:
            reply = _error(rid, wire.E_NOT_FOUND)
        except vaultmod.Full:
            reply = _error(rid, wire.E_FULL)
        except _Busy as exc:
            reply = _error(rid, wire.E_BUSY, str(exc))
        except vaultmod.VaultError as exc:
            reply = _error(rid, wire.E_STORAGE, str(exc))
        except OSError as exc:
            reply = _error(rid, wire.E_STORAGE, "flash write failed (%s)" % exc.args[0])
        if kind in _WRITES:
            self._last = (kind, rid, reply)
        return reply

    def _dispatch(self, kind, rid, payload):
        if kind == wire.HELLO:
            self._last = None
            return frames.frame(wire.OK, rid, json.dumps(self.info()).encode())
        if kind == wire.LIST:
            (index,) = wire.unpack("H", payload)
            reply = wire.pack("H", len(self.vault))
            if index < len(self.vault):
                algorithm, digits, period, issuer, label, _ = vaultmod.decode_account(self.vault.records[index])
                reply += wire.pack(wire.META, wire.ALGORITHMS.index(algorithm), digits, period, issuer, label)
            return frames.frame(wire.OK, rid, reply)
        if kind == wire.ADD:
            flags = payload[0] if payload else 0
            algo, digits, period, issuer, label, secret = wire.unpack(wire.ACCOUNT, payload[1:])
            if algo >= len(wire.ALGORITHMS):
                raise ValueError("algorithm")
            record = vaultmod.encode_account(wire.ALGORITHMS[algo], digits, period, issuer, label, secret)
            self.vault.add(record, replace=bool(flags & wire.ADD_REPLACE))
            self.changed = True
            return frames.frame(wire.OK, rid, wire.pack("H", len(self.vault)))
        if kind == wire.RENAME:
            issuer, label, new_label = wire.unpack(wire.RENAME_FMT, payload)
            self.vault.rename(issuer, label, new_label)
        elif kind == wire.DELETE:
            issuer, label = wire.unpack(wire.NAME, payload)
            self.vault.delete(issuer, label)
        elif kind == wire.WIPE:
            if payload != wire.WIPE_CONFIRM:
                raise ValueError("wipe")
            self.vault.wipe()
        elif kind == wire.TIME_GET:
            return frames.frame(wire.OK, rid, self._time(bool(payload and payload[0] & wire.TIME_EDGE)))
        elif kind == wire.TIME_SET:
            unix, flags, drift = wire.unpack(wire.TIME_SET_FMT, payload)
            if unix < 0:
                raise ValueError("time")
            self.clock.set(unix, drift if flags & wire.SET_DRIFT else None)
        elif kind == wire.CHECK:
            return frames.frame(wire.OK, rid, self._check(payload))
        elif kind == wire.MAINTENANCE:
            self.maintenance_rid = rid
            return None
        else:
            return _error(rid, wire.E_UNKNOWN, "unknown request %d" % kind)
        self.changed = True
        return frames.frame(wire.OK, rid)

    def info(self):
        """What the host may know about this token: versions, board, room, clock state. No secrets."""
        count = len(self.vault)
        battery = getattr(self.board, "battery", None)
        gc.collect()
        return {
            "protocol": wire.PROTOCOL, "firmware": FIRMWARE_VERSION, "board": self.board.name,
            "capacity": vaultmod.CAPACITY, "accounts": count, "free": vaultmod.CAPACITY - count,
            "clock": "lost" if self.clock.now() is None else "ok",
            "vault": self.vault.error or "ok", "battery": battery() if battery else None,
            "heap_free": gc.mem_free(),
        }

    def _time(self, at_edge):
        raw = self.clock.raw()
        if at_edge and raw is not None:
            # Answer right after the chip's next second begins, so the host can measure the offset finely.
            start = time.ticks_ms()
            while time.ticks_diff(time.ticks_ms(), start) < 1100:
                now = self.clock.raw()
                if now != raw:
                    raw = now
                    break
                time.sleep_ms(1)
        now = self.clock.now() if raw is not None else None
        return wire.pack(wire.TIME, now or 0, raw or 0, now is None, self.clock.drift_ppb, self.clock.last_sync)

    def _check(self, payload):
        """Does the host's code match this account's, now or one step either side? Reveals nothing else."""
        issuer, label, code = wire.unpack(wire.CHECK_FMT, payload)
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
            return wire.pack("Bb", 0, 0)
        algorithm, digits, period, _, _, secret = vaultmod.decode_account(self.vault.records[at])
        for skew in (0, -1, 1):
            if otp.totp(secret, now + skew * period, period, digits, algorithm) == code:
                return wire.pack("Bb", 1, skew)
        self._misses += 1
        return wire.pack("Bb", 0, 0)
