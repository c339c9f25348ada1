"""The token's side of the protocol, one request at a time, as the app hands them over: Service.handle() on a
vault at argv[1] and a clock the cases set. Runs on CPython and MicroPython; one JSON line per case.

Cases (bytes as hex):
  {"op": "request", "kind": k, "rid": r, "payload": hex} -> {"reply": [kind, rid, payload hex] | None,
                                                             "changed": bool, "waiting": maintenance rid}
  {"op": "clock", "now": unix | None}                    -> {}   (None: the clock is lost)
  {"op": "answer", "allowed": bool}                      -> {"reply": ..., "changed": bool, "waiting": -1}
                                                            (the person answered the waiting request)
  {"op": "wait", "left": seconds}                        -> {"reply": the WAIT frame, ...}
  {"op": "restart"}                                      -> {}   (a new Service on the same files: a reboot)
"waiting" is the request id of the request waiting for the person's consent, -1 when none; "waits" the request
ids of the WAIT frames the case sent before its reply (the host's cue to wait on).
Each request's "changed" is the service's flag, read and cleared as the app does.
"""

import gc
import sys
import time
from binascii import hexlify, unhexlify

if not hasattr(time, "ticks_ms"):  # CPython: MicroPython's millisecond ticks, from the host's clock
    time.ticks_ms = lambda: int(time.monotonic() * 1000)
    time.ticks_diff = lambda a, b: a - b
    time.sleep_ms = lambda ms: time.sleep(ms / 1000)
    gc.mem_free = lambda: 0

import frames  # noqa: E402
import service  # noqa: E402
import vault  # noqa: E402
import wire  # noqa: E402
from boardbase import Board  # noqa: E402
from vmcase import cases, emit  # noqa: E402


class Port:
    def __init__(self):
        self.sent = []

    def write(self, data):
        self.sent.append(data)

    def read(self):
        return b""  # the host sends nothing while a request runs


class PCF8563:
    """Only its name matters here: HELLO names the RTC chip, which bounds the drift the host may learn."""


class Clock:
    """The clock as the service uses it: now() and raw() None while lost."""

    def __init__(self):
        self.rtc = PCF8563()
        self.unix = None
        self.drift_ppb = 0
        self.last_sync = 0

    def now(self):
        return self.unix

    def raw(self):
        return self.unix

    def set(self, unix, drift_ppb=None):
        self.unix = self.last_sync = unix
        if drift_ppb is not None:
            self.drift_ppb = drift_ppb


class TestBoard(Board):
    name = "test"

    def battery(self):
        return 42


def main():
    clock = Clock()
    port = Port()

    def start():
        return service.Service(TestBoard(None, None, port), vault.Vault(sys.argv[1]), clock,
                               misses_file=sys.argv[1] + ".checks")

    token = start()
    for case in cases():
        before = len(port.sent)
        if case["op"] == "clock":
            clock.unix = case["now"]
            emit("clock")
            continue
        if case["op"] == "restart":
            token = start()
            emit("restart")
            continue
        if case["op"] == "answer":
            token.answer(case["allowed"])
            reply = port.sent[-1]
        elif case["op"] == "wait":
            token.waiting(case["left"])
            reply = port.sent[-1]
        else:
            reply = token.handle(case["kind"], case["rid"], unhexlify(case["payload"]))
        found = frames.Deframer().feed(reply) if reply else []
        sent = frames.Deframer().feed(b"".join(port.sent[before:]))
        waits = [r for k, r, _ in sent if k == wire.WAIT and case["op"] != "wait"]
        emit("request", reply=[[k, r, hexlify(p).decode()] for k, r, p in found][0] if found else None,
             changed=token.changed, waiting=token.asking[1] if token.asking else -1, waits=waits)
        token.changed = False


main()
