"""The token's main loop: serial requests, buttons and the clock in; the screen out. It never returns in normal
operation: the REPL stays closed until a person allows maintenance with a button press.

The board object (see boards/) provides: name, display, rtc, port (read() -> bytes, write(bytes)),
button() -> None | "A" | "B" | "A long" | "B long", idle(ms); optionally battery() and shown(info).
"""

import time

import micropython
import otp
import ui
import vault as vaultmod
import wire
from clock import Clock
from service import Service

_QUIET_MS = 300  # a frame cut off for this long is given up (the host retries)
_MAINTENANCE_MS = 30000


class App:
    def __init__(self, board):
        self.board = board
        self.screen = ui.Screen(board.display)
        self.vault = vaultmod.Vault()
        self.clock = Clock(board.rtc)
        self.service = Service(board, self.vault, self.clock)
        self.index = 0
        self.drawn = None  # what is on the screen now, to redraw only on change
        self.shown = getattr(board, "shown", None)
        self.account = None  # (record, label, issuer, CodeGenerator) of the account on screen

    def draw(self):
        """Bring the screen up to date: the code of the current account, or why there is none."""
        vault = self.vault
        now = self.clock.now()
        if vault.error:
            key = ("damaged",)  # type: tuple
        elif now is None:
            key = ("clock-lost",)
        elif not len(vault):
            key = ("empty",)
        else:
            key = (self.index % len(vault), now, len(vault))
        if key == self.drawn:
            return
        self.drawn = key
        if len(key) == 1:
            self._message(key[0])
            return
        record = vault.records[key[0]]
        if self.account is None or self.account[0] is not record:
            # Decode and prepare the HMAC pads once per account shown, not once per second.
            algorithm, digits, period, issuer, label, secret = vaultmod.decode_account(record)
            self.account = (record, label, issuer, otp.CodeGenerator(secret, algorithm, digits, period))
        _, label, issuer, generator = self.account
        period = generator.period
        code = generator.code(now)
        remaining = period - now % period
        position = "%d/%d" % (key[0] + 1, len(vault)) if len(vault) > 1 else ""
        self.screen.code(label, code, remaining, period, position)
        if self.shown:
            self.shown({"screen": "code", "account": label, "issuer": issuer, "code": code,
                        "remaining": remaining})

    def _message(self, screen):
        if screen == "damaged":
            self.screen.message("Storage damaged", "Run on the PC:", "totpfob wipe")
        elif screen == "clock-lost":
            self.screen.message("Clock lost", "Connect USB and", "run on the PC:", "totpfob time sync")
        else:
            self.screen.message("No accounts", "Add one with", "totpfob add")
        if self.shown:
            self.shown({"screen": screen})

    def maintenance(self):
        """Ask the person holding the token; True if they allowed the REPL to open."""
        board = self.board
        self.screen.message("Maintenance?", "A: allow", "B: refuse")
        if self.shown:
            self.shown({"screen": "maintenance"})
        rid = self.service.maintenance_rid
        self.service.maintenance_rid = -1
        start = time.ticks_ms()
        while time.ticks_diff(time.ticks_ms(), start) < _MAINTENANCE_MS:
            button = board.button()
            if button == "A":
                board.port.write(wire.frame(wire.OK, rid))
                return True
            if button == "B":
                break
            board.port.read()  # the host is waiting; anything it sends now is noise
            board.idle(50)
        board.port.write(wire.frame(wire.ERROR, rid, bytes((wire.E_DENIED,))))
        self.drawn = None
        return False

    def run(self):
        board = self.board
        deframer = wire.Deframer()
        last_rx = time.ticks_ms()
        while True:
            data = board.port.read()
            if data:
                last_rx = time.ticks_ms()
                frames = deframer.feed(data)
            elif deframer.pending() and time.ticks_diff(time.ticks_ms(), last_rx) > _QUIET_MS:
                frames = deframer.drop_partial()
            else:
                frames = ()
            for kind, rid, payload in frames:
                reply = self.service.handle(kind, rid, payload)
                if reply:
                    board.port.write(reply)
            if self.service.maintenance_rid >= 0 and self.maintenance():
                return
            button = board.button()
            if button == "A":
                self.index += 1
            if self.service.changed:
                self.service.changed = False
                self.drawn = None
            self.draw()
            if not data:
                board.idle(100)


def run(board):
    """Run the token until maintenance is allowed; Ctrl-C and other bytes on the line are only noise."""
    micropython.kbd_intr(-1)
    try:
        App(board).run()
    finally:
        micropython.kbd_intr(3)
