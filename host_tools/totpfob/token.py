"""What the host can ask of a token, as Python calls over a Link. Nothing here can read a secret back."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from .link import Link, wire


@dataclass(frozen=True)
class Entry:
    """An account as the token lists it: everything but the secret."""

    label: str
    issuer: str
    algorithm: str
    digits: int
    period: int

    def as_dict(self) -> dict:
        return {"label": self.label, "issuer": self.issuer, "algorithm": self.algorithm,
                "digits": self.digits, "period": self.period}

    @property
    def name(self) -> str:
        return "%s:%s" % (self.issuer, self.label) if self.issuer else self.label


@dataclass(frozen=True)
class DeviceTime:
    """The token's clock as it answers TIME_GET."""

    now: int  # corrected unix seconds, as its codes use them (0 when lost)
    raw: int  # the RTC chip's own reading
    lost: bool
    drift_ppb: int  # correction in force: surplus seconds per 10^9 of the chip's own (positive = fast)
    last_sync: int  # unix time the chip was last set, 0 if never


class Token:
    def __init__(self, link: Link):
        self.link = link

    def info(self) -> dict:
        return json.loads(self.link.request(wire.HELLO))

    def accounts(self) -> list:
        entries = []
        index = 0
        while True:
            reply = self.link.request(wire.LIST, wire.pack("H", index))
            total = wire.unpack("H", reply[:2])[0]
            if index >= total:
                return entries
            algo, digits, period, issuer, label = wire.unpack(wire.META, reply[2:])
            entries.append(Entry(label, issuer, wire.ALGORITHMS[algo], digits, period))
            index += 1

    def add(self, label: str, issuer: str, secret: bytes, algorithm: str, digits: int, period: int,
            replace: bool = False) -> int:
        payload = bytes((wire.ADD_REPLACE if replace else 0,)) + wire.pack(
            wire.ACCOUNT, wire.ALGORITHMS.index(algorithm), digits, period, issuer, label, secret)
        return wire.unpack("H", self.link.request(wire.ADD, payload))[0]

    def rename(self, entry: Entry, new_label: str) -> None:
        self.link.request(wire.RENAME, wire.pack(wire.RENAME_FMT, entry.issuer, entry.label, new_label))

    def delete(self, entry: Entry) -> None:
        self.link.request(wire.DELETE, wire.pack(wire.NAME, entry.issuer, entry.label))

    def wipe(self) -> None:
        self.link.request(wire.WIPE, wire.WIPE_CONFIRM)

    def check(self, entry_issuer: str, label: str, code: str) -> tuple:
        """(matches, step skew): does the token compute this code for the account now?"""
        match, skew = wire.unpack("Bb", self.link.request(wire.CHECK, wire.pack(wire.CHECK_FMT, entry_issuer,
                                                                                   label, code)))
        return bool(match), skew

    def time(self, at_edge: bool = False, clock: Callable[[], float] = time.time) -> tuple:
        """(DeviceTime, host time by `clock` when the reply arrived); at_edge: just after the token's second
        began."""
        reply = self.link.request(wire.TIME_GET, bytes((wire.TIME_EDGE if at_edge else 0,)), timeout=2.5)
        arrived = clock()
        now, raw, lost, drift, last_sync = wire.unpack(wire.TIME, reply)
        return DeviceTime(now, raw, bool(lost), drift, last_sync), arrived

    def set_time(self, unix: int, drift_ppb: int | None = None) -> None:
        """Make `unix` the second that begins as the request arrives; drift_ppb: the correction from now on
        (None keeps the token's). The token may wait up to half a second to meet its chip's second."""
        flags = wire.SET_DRIFT if drift_ppb is not None else 0
        self.link.request(wire.TIME_SET, wire.pack(wire.TIME_SET_FMT, unix, flags, drift_ppb or 0), timeout=2.0)

    def maintenance(self, wait: float = 35.0) -> None:
        """Ask for the REPL; returns once a person pressed A on the token (DeviceError E_DENIED if refused)."""
        self.link.request(wire.MAINTENANCE, timeout=wait)
