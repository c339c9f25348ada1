"""The virtual token's hardware, as the MicroPython VM sees it: an I2C bus, two buttons fed from a FIFO, and the
USB serial line (the VM's stdin/stdout, a pseudo-terminal).

It plays the part of the ESP32's built-in `machine` module: boards/sim/board.py builds the board from it exactly
as a real board file builds one from pins. It is loaded from the host before the flash is mounted.

The chips on the bus (the RTC, the OLED) are not in here: the simulator emulates them outside the VM
(host_tools/totpfob/simbus.py), as on a board they are silicon outside the ESP32, so this heap holds only what a
board's does and the chips live on across a reset. Each transaction goes to the simulator over a pipe and waits
for its answer: it takes effect in order, and a chip that is not there raises OSError as machine.I2C does.

The simulator loads this file too, for the numbers below: one definition of the bus protocol.
"""

import json
import select
import sys
import time

from micropython import const  # on CPython (the simulator, reading the protocol): firmware/cpython's

# A request: a HEADER-byte header (op, 7-bit address, register, length as 16 bits little-endian), then the
# `length` bytes for ops that write. An answer: one status byte (0: acknowledged; else the errno machine.I2C
# raises), then for reads the `length` bytes read.
HEADER = const(5)
WRITE = const(1)  # writeto, writevto
WRITE_MEM = const(2)  # writeto_mem: the register, then the bytes, in one transaction
READ_MEM = const(3)  # readfrom_mem_into: write the register, repeated start, read
SCAN = const(4)  # answer: the number of chips in place of a status, then their addresses
SHOWN = const(5)  # not I2C: a screen was drawn, its JSON follows; no answer
_EIO = const(5)


class I2C:
    """Stands in for machine.I2C: the calls the drivers and board.py make, no more (each method is heap the
    token needs). Nothing is allocated per transaction: the header and status live in two buffers, and data
    goes straight from and into the caller's buffers."""

    def __init__(self, requests, answers):
        self._out = open(requests, "wb")  # unbuffered in MicroPython: every write is on its way at once
        self._in = open(answers, "rb")
        self._head = bytearray(HEADER)
        self._status = bytearray(1)

    def _request(self, op, addr, register, length):
        head = self._head
        head[0] = op
        head[1] = addr
        head[2] = register
        head[3] = length & 0xFF
        head[4] = length >> 8
        self._out.write(head)

    def _answer(self):
        status = self._status
        if self._in.readinto(status) != 1:  # the simulator went away: no chip answers any more
            raise OSError(_EIO)
        if status[0]:
            raise OSError(status[0])

    def _read(self, buf):
        if self._in.readinto(buf) != len(buf):
            raise OSError(_EIO)

    def scan(self):
        """Addresses that answer, ascending."""
        self._request(SCAN, 0, 0, 0)
        count = self._status
        if self._in.readinto(count) != 1:
            raise OSError(_EIO)
        found = bytearray(count[0])
        self._read(found)
        return list(found)

    def writeto(self, addr, buf, stop=True):
        """One write transaction; returns the number of bytes acknowledged."""
        self._request(WRITE, addr, 0, len(buf))
        self._out.write(buf)
        self._answer()
        return len(buf)

    def writevto(self, addr, vector, stop=True):
        """One write transaction made of several buffers (a frame goes out without being joined)."""
        total = 0
        for part in vector:  # a for loop over a list keeps its iterator off the heap
            total += len(part)
        self._request(WRITE, addr, 0, total)
        for part in vector:
            self._out.write(part)
        self._answer()
        return total

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        """Write the register address (8 bits: all these chips have), then fill `buf` from there."""
        self._request(READ_MEM, addr, memaddr, len(buf))
        self._answer()
        self._read(buf)

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        """One write transaction: the register address (8 bits) followed by `buf`."""
        self._request(WRITE_MEM, addr, memaddr, len(buf))
        self._out.write(buf)
        self._answer()

    def report(self, data):
        """Not machine.I2C: tell the simulator a screen was drawn (`data`: JSON bytes). It goes down the same
        pipe as the bus traffic, so the pixels the simulator reads back from its OLED are this screen's."""
        self._request(SHOWN, 0, 0, len(data))
        self._out.write(data)


class Hardware:
    """What board.py takes: the bus, buttons, idle() and shown(), and the simulator's settings for the board."""

    def __init__(self, config):
        requests, answers = config["bus"]
        self.i2c = I2C(requests, answers)
        # Only what the board reads: the rest of the settings (the install list) must not stay on the heap.
        self.config = {"display_off_s": config.get("display_off_s", 0), "sleep_s": config.get("sleep_s", 0),
                       "fail_setup": config.get("fail_setup", False)}
        self._control = open(config["control"], "rb")
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._poll.register(self._control, select.POLLIN)
        self._control_poll = select.poll()
        self._control_poll.register(self._control, select.POLLIN)
        self._pending = []
        self._held_until = None  # ticks_ms until which A is held down ("A hold S")
        self._next_hold = 0  # ms of a hold that begins once A was seen up (it was down when the line came)

    def _take(self):
        """Read the control lines that came: "A hold S" holds A down for S seconds (a press long enough to be
        "A long" on a board, reported so at once), "A long" holds it for a second; any other line is a button
        event."""
        while self._control_poll.poll(0):
            line = self._control.readline().strip().decode()
            if line.startswith("A hold ") or line == "A long":
                try:
                    held_ms = int(float(line[7:]) * 1000) if line != "A long" else 1000
                except ValueError:
                    continue  # a mistyped line must not stop the token
                if self._held_until is None:
                    self._held_until = time.ticks_add(time.ticks_ms(), held_ms)
                else:  # a finger lets go before it presses again
                    self._held_until = None
                    self._next_hold = held_ms
                self._pending.append("A long")
            elif line:
                self._pending.append(line)

    def button(self):
        """The next button event from the control FIFO: "A", "B", "A long" or "B long"; None if none."""
        self._take()
        return self._pending.pop(0) if self._pending else None

    def pressed(self, name):
        """True while key `name` is down: only A, during an "A hold S"."""
        self._take()
        until = self._held_until
        if name != "A":
            return False
        if until is None:
            if self._next_hold:  # seen up once: the next hold begins
                self._held_until = time.ticks_add(time.ticks_ms(), self._next_hold)
                self._next_hold = 0
            return False
        if time.ticks_diff(until, time.ticks_ms()) > 0:
            return True
        self._held_until = None
        return False

    def idle(self, ms):
        """Light sleep: until a byte on the USB line, a button, or ms pass."""
        if not self._pending:
            self._poll.poll(ms)

    def shown(self, info):
        """Report a drawn screen to the simulator: what it means, stamped with the host time. The simulator adds
        the pixels as its OLED lights them (remap, scan direction, inversion and power all count)."""
        info["t"] = time.time()
        self.i2c.report(json.dumps(info).encode())


hardware = None


def start(config):
    global hardware
    hardware = Hardware(config)
    return hardware
