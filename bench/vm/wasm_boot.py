"""On MicroPython's WebAssembly port (32-bit words, as an ESP32's): the heap the token keeps from boot to its first
code screen, step by step, and the most it held at once.

Imported (as .mpy, like the firmware) by a one-line script, it sets the stage; the host (bench/wasm.py through bench/wasm/run.mjs) then calls step(name) once per
step of main.py's boot, each as a call of its own: the port collects garbage only between such calls. step()
first reports what the previous step left (kept: heap after that collection; peak: heap just before it, garbage
included: inside a step nothing is freed here, so peak bounds from above what the step needed at once), then
runs its own step. The steps: "base" (nothing: the baseline), "import NAME" (each module main.py pulls in, its
own imports first, as the ESP32 would collect between them), "setup" (board.setup()), "App", "draw" (the first
screen; must be a code), "tick" (a second later: the countdown bar), "next" (the last seconds of the step:
the next code joins the screen), "end". Every screen drawn prints
{"screen": name}; mem_info() at the end prints "GC: total", which tells the host whether the port had to grow
its heap.

Stand-ins, made before anything is measured (the baseline, "base" in the reports): the emulated chips (an RTC
and an SSD1306 on an I2C bus object, simchips) and the `simhw.hardware` object the sim board file takes its bus
and keys from, as a real board file takes them from `machine`. For the port itself: (1) it has no SHA-1 (its
hashlib has SHA-256 only): hashlib is replaced by a module whose sha1 is the port's SHA-256, same block size,
12 bytes more of digest; (2) some modules an ESP32 has in C are frozen Python here (their functions and
globals on the heap): imported with the stand-ins; (3) the emulated SSD1306 takes a whole frame in one copy
(its byte-by-byte path leaves ~30 KiB of tuples per frame, the emulator's garbage, not the token's).
"""

import gc
import hashlib
import json
import sys

import micropython


class _Hashlib:
    """hashlib with sha1: the port's SHA-256 in its place (the heap is the question here, not the codes)."""

    sha1 = hashlib.sha256
    sha256 = hashlib.sha256


sys.modules["hashlib"] = _Hashlib
for _name in ("binascii", "io", "os", "time"):  # C on an ESP32, Python on this port
    __import__(_name)

import simhw  # noqa: E402  (the board's `machine`)
from simchips.ds3231 import DS3231  # noqa: E402
from simchips.i2c import Bus  # noqa: E402
from simchips.ssd1306 import SSD1306  # noqa: E402


class Panel(SSD1306):
    """The emulated SSD1306, a whole frame written in one copy (the firmware's show() sends the full window)."""

    def writev(self, parts):
        if len(parts) == 2 and len(parts[1]) == len(self.gddram):
            self.gddram[:] = parts[1]
            self.frames += 1
            return 1 + len(parts[1])
        return super().writev(parts)


# The world's time, as the emulated RTC counts it: fixed, so that every run draws the same screens. The first
# screen comes 10 s into a 30 s step; "tick" is a second later; "next" jumps to 5 s before the step's end, where
# the next code joins the screen (with its word, in the token's language: texts loaded then).
_WORLD = [1767225610.0]


class Hardware:
    """What boards/sim/board.py takes from simhw: the bus with the chips, keys, idle, shown; no settings."""

    config = {}

    def __init__(self):
        self.i2c = Bus()
        self.i2c.attach(0x68, DS3231(now=lambda: _WORLD[0]))
        self.i2c.attach(0x3C, Panel(128, 64))

    def button(self):
        return None

    def idle(self, ms):
        pass

    def pressed(self, name):
        return False

    def shown(self, info):
        print(json.dumps({"screen": info.get("screen")}))


simhw.hardware = Hardware()
_state = {"base": None, "last": "base", "peak": 0}
_token = {}


def _draw():
    _token["app"].draw()


def _later(seconds):
    def later():
        _WORLD[0] += seconds
        _token["app"].draw()

    return later


_STEPS = {
    "base": lambda: None,
    "setup": lambda: _token.update(token=sys.modules["board"].setup()),
    "App": lambda: _token.update(app=sys.modules["app"].App(_token["token"])),
    "draw": _draw,
    "tick": _later(1),
    "next": _later(14),
}


def step(name):
    """Report what the previous step left, then run step `name` (see the module doc)."""
    alloc = gc.mem_alloc()
    if _state["base"] is None:
        _state["base"] = alloc
        print(json.dumps({"base": alloc}))  # what the stand-ins and the port itself keep
    else:
        print(json.dumps({"step": _state["last"], "kept": alloc - _state["base"],
                          "peak": _state["peak"] - _state["base"]}))
    _state["last"] = name
    if name == "end":
        micropython.mem_info()
        return
    if name.startswith("import "):
        __import__(name[7:])
    else:
        _STEPS[name]()
    _state["peak"] = gc.mem_alloc()
    gc.collect()  # here it only asks for a collection: the port makes it when the next call from node begins


gc.collect()
