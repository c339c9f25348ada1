"""The emulated ESP32 board behind emu's `machine` and `esp32`: GPIO pads with levels, chips wired by pin
numbers, analog inputs and a virtual clock. Tests wire it as the vendor's schematic does; the board file under
test must then find every part where the hardware has it.

A pad's level: an output drives it; else something outside (a pressed key) does; else a resistor on the
board; else the chip's own pull resistor (none on ESP32 GPIO34..39); else it floats, read here as 0.
Pad hold follows the ESP32 port's docs: while held, changes are kept back; hold=False applies them and
releases; hold=True applies them and holds again.
test-only: the real boards' hardware for their tests; the virtual token's chips are boards/sim/simchips.
"""

ENODEV = 19  # the ESP32 port's errno when nobody acknowledges an I2C address
TICKS_PERIOD = 1 << 30  # MicroPython's ticks wrap here
IRQ_RISING = 1
IRQ_FALLING = 2

_ESP32_PINS = set(range(0, 20)) | {21, 22, 23, 25, 26, 27} | set(range(32, 40))
_ESP32_RTC = {0, 2, 4, 12, 13, 14, 15, 25, 26, 27} | set(range(32, 40))
_ESP32_ADC = set(range(32, 40)) | {0, 2, 4, 12, 13, 14, 15, 25, 26, 27}
_S3_PINS = set(range(0, 22)) | set(range(26, 49))
CHIPS = {
    # pins, input-only pins, RTC pins (deep-sleep wake, hold without gpio_deep_sleep_hold), ADC pins
    "esp32": (_ESP32_PINS, set(range(34, 40)), _ESP32_RTC, _ESP32_ADC),
    "esp32s3": (_S3_PINS, set(), set(range(0, 22)), set(range(1, 21))),
}

current = None  # the Hardware that emu.install() made


class DeepSleep(Exception):
    """machine.deepsleep() was called. `wake` = (pin, level) armed by esp32.wake_on_ext0 or None; `levels`
    = {pin: level} the outputs keep while asleep (None: let go, floating); `wakes_at_once`: the wake pin
    already reads its wake level."""

    def __init__(self, wake, levels, wakes_at_once):
        super().__init__("deep sleep")
        self.wake = wake
        self.levels = levels
        self.wakes_at_once = wakes_at_once


class PowerCut(Exception):
    """The board switched its own supply off (running on battery)."""


class Reset(Exception):
    """machine.reset() was called."""


class Pad:
    def __init__(self, number):
        self.number = number
        self.mode = None  # "in", "out", "open_drain"; None until configured
        self.pull = None  # "up", "down" or None
        self.out = 0
        self.hold = False
        self.pending = None  # (mode, pull, out) asked for while held
        self.external = None  # a level driven from outside the chip, None when nothing drives it
        self.board_pull = None  # 1 or 0: a resistor on the board
        self.irq = None  # (handler, trigger, pin object)
        self.watchers = []  # called with the new level whenever it changes
        self.roles = set()  # what the board file used the pad for: "out", "i2c 22/21", "spi", "adc"...


class _I2CSlot:
    """A chip on an I2C bus that answers only while powered and out of reset."""

    def __init__(self, chip, ready):
        self.chip = chip
        self.ready = ready

    def write(self, data):
        if not self.ready():
            raise OSError(ENODEV)
        self.chip.write(data)

    def writev(self, parts):
        if not self.ready():
            raise OSError(ENODEV)
        if hasattr(self.chip, "writev"):
            return self.chip.writev(parts)
        data = b"".join(bytes(part) for part in parts)
        self.chip.write(data)
        return len(data)

    def read(self, n):
        if not self.ready():
            raise OSError(ENODEV)
        return self.chip.read(n)


class _SPISlot:
    """A chip on an SPI bus with its D/C, chip-select and reset lines."""

    def __init__(self, hw, model, dc, cs, rst):
        self.hw = hw
        self.model = model
        self.dc = dc
        self.cs = cs
        self.rst = rst
        self.sent = 0
        if rst is not None:
            hw.pad(rst).watchers.append(self._reset_line)

    def _reset_line(self, level):
        if level:  # the chip leaves reset on the rising edge
            self.model.reset()

    def write(self, data):
        hw = self.hw
        if self.cs is not None and hw.level(self.cs):
            return
        if self.rst is not None and not hw.level(self.rst):
            return
        self.sent += len(data)
        self.model.write(bytes(data), hw.level(self.dc))


class Hardware:
    """One emulated board. Its clock starts just before the ticks wrap, so code that subtracts ticks fails."""

    def __init__(self, chip="esp32"):
        self.chip = chip
        self._pins, self._input_only, self._rtc, self._adc = CHIPS[chip]
        self.now_us = (TICKS_PERIOD - 3000) * 1000
        self.pads = {}
        self.i2c_buses = {}  # (scl, sda) -> {address: _I2CSlot}
        self.spi_buses = {}  # (sck, mosi) -> _SPISlot
        self.analog = {}  # pin -> function returning the millivolts on it
        self._timers = []  # [due_us, action]
        self.wake = None
        self.reset_cause = 1  # machine.PWRON_RESET; a deep sleep makes the next boot a DEEPSLEEP_RESET
        self.deep_sleep_hold = False
        self.usb_power = True
        self._power_latch = None

    # -- the clock -----------------------------------------------------------------------------------------
    def ticks_ms(self):
        return (self.now_us // 1000) % TICKS_PERIOD

    def ticks_us(self):
        return self.now_us % TICKS_PERIOD

    def advance(self, ms):
        """Let `ms` pass, running whatever was scheduled for that time, in order."""
        end = self.now_us + int(ms * 1000)
        while True:
            due = [t for t in self._timers if t[0] <= end]
            if not due:
                break
            first = min(due, key=lambda t: t[0])
            self._timers.remove(first)
            self.now_us = max(self.now_us, first[0])
            first[1]()
        self.now_us = end

    def until_wrap(self, ms):
        """Let time pass until the ticks are `ms` short of wrapping round to 0."""
        self.advance((TICKS_PERIOD - ms - self.ticks_ms()) % TICKS_PERIOD)

    def after(self, ms, action):
        """Run `action()` once `ms` have passed on the virtual clock."""
        self._timers.append([self.now_us + int(ms * 1000), action])

    # -- pads ----------------------------------------------------------------------------------------------
    def check_pin(self, number, output=False):
        if number not in self._pins:
            raise ValueError("invalid pin %r on %s" % (number, self.chip))
        if output and number in self._input_only:
            raise ValueError("pin %d is input-only on %s" % (number, self.chip))

    def pad(self, number):
        pad = self.pads.get(number)
        if pad is None:
            pad = self.pads[number] = Pad(number)
        return pad

    def level(self, number_or_pad):
        pad = number_or_pad if isinstance(number_or_pad, Pad) else self.pad(number_or_pad)
        if pad.mode == "out" or (pad.mode == "open_drain" and not pad.out):
            return pad.out
        if pad.external is not None:
            return pad.external
        if pad.board_pull is not None:
            return pad.board_pull
        if pad.pull is not None and pad.number not in self._input_only:
            return 1 if pad.pull == "up" else 0
        return 0

    def configure(self, pad, mode=None, pull=-1, out=None, hold=None):
        """Pin()/Pin.init()/Pin.value() on `pad` (None / -1: leave as it is)."""
        mode_, pull_, out_ = pad.pending or (pad.mode, pad.pull, pad.out)
        if mode is not None:
            mode_ = mode
        if pull != -1:
            pull_ = pull
        if out is not None:
            out_ = 1 if out else 0
        if mode_ in ("out", "open_drain"):
            self.check_pin(pad.number, output=True)
            pad.roles.add("out")
        before = self.level(pad)
        if pad.hold and hold is None:
            pad.pending = (mode_, pull_, out_)
        else:
            pad.mode, pad.pull, pad.out = mode_, pull_, out_
            pad.pending = None
        if hold is not None:
            pad.hold = bool(hold)
        self._changed(pad, before)

    def _changed(self, pad, before):
        after = self.level(pad)
        if after == before:
            return
        for watcher in list(pad.watchers):
            watcher(after)
        if pad.irq is not None:
            handler, trigger, pin = pad.irq
            if trigger & (IRQ_RISING if after else IRQ_FALLING):
                handler(pin)

    def drive(self, number, level):
        """Drive the pad from outside (None: stop driving it)."""
        pad = self.pad(number)
        before = self.level(pad)
        pad.external = level
        self._changed(pad, before)

    def press(self, number):
        """A key between the pad and ground closes."""
        self.drive(number, 0)

    def release(self, number):
        self.drive(number, None)

    def bounce(self, number, pressed, flips=5):
        """The contacts chatter for a few ms (1 ms apart), then settle pressed or released."""
        for i in range(flips):
            self.drive(number, (0 if i % 2 == 0 else None) if pressed else (None if i % 2 == 0 else 0))
            self.advance(1)
        self.drive(number, 0 if pressed else None)

    def pull_up(self, *numbers):
        """Pull-up resistors on the board (needed on ESP32 GPIO34..39, which have none inside)."""
        for number in numbers:
            pad = self.pad(number)
            before = self.level(pad)
            pad.board_pull = 1
            self._changed(pad, before)

    def claim(self, number, role):
        self.pad(number).roles.add(role)

    def conflicts(self):
        """Pads the board file gave two jobs (an output and a bus line, two buses...)."""
        found = []
        for number in sorted(self.pads):
            roles = self.pads[number].roles - {"in"}
            if len(roles) > 1:
                found.append([number, sorted(roles)])
        return found

    # -- chips ---------------------------------------------------------------------------------------------
    def i2c_device(self, scl, sda, address, chip, power=None, reset=None, on_reset=None):
        """Put `chip` at `address` on the I2C lines (scl, sda). power=(pin, level): its supply is switched
        by that pad; reset=pin: it answers only after a low pulse there while powered (on_reset() then)."""
        state = {"pulsed": reset is None}

        def powered():
            return power is None or self.level(power[0]) == power[1]

        def ready():
            return powered() and state["pulsed"] and (reset is None or self.level(reset) == 1)

        if power is not None:
            def supply(level):
                if level != power[1]:
                    state["pulsed"] = reset is None
                    if on_reset is not None:
                        on_reset()
            self.pad(power[0]).watchers.append(supply)
        if reset is not None:
            def reset_line(level):
                if not level and on_reset is not None:
                    on_reset()
                if level and powered():
                    state["pulsed"] = True
            self.pad(reset).watchers.append(reset_line)
        self.i2c_buses.setdefault((scl, sda), {})[address] = _I2CSlot(chip, ready)

    def spi_device(self, sck, mosi, model, dc, cs=None, rst=None):
        """Put a display controller on the SPI lines (sck, mosi) with its D/C, CS and reset pads."""
        slot = _SPISlot(self, model, dc, cs, rst)
        self.spi_buses[(sck, mosi)] = slot
        return slot

    def analog_input(self, number, millivolts):
        """The voltage on an ADC pad: millivolts() is asked at each conversion."""
        self.analog[number] = millivolts

    def adc_capable(self, number):
        return number in self._adc

    def power_latch(self, number):
        """The board stays powered (on battery) only while this pad is high (M5StickC Plus2 HOLD)."""
        self._power_latch = number

        def latch(level):
            if not level and not self.usb_power:
                raise PowerCut()

        self.pad(number).watchers.append(latch)

    # -- sleep ---------------------------------------------------------------------------------------------
    def arm_ext0(self, number, level):
        if number not in self._rtc:
            raise ValueError("pin %d cannot wake the %s (not an RTC pin)" % (number, self.chip))
        self.wake = (number, 1 if level else 0)

    def deepsleep(self):
        levels = {}
        for number in sorted(self.pads):
            pad = self.pads[number]
            if pad.mode not in ("out", "open_drain"):
                continue
            kept = pad.hold and (number in self._rtc or self.deep_sleep_hold)
            levels[number] = self.level(pad) if kept else None
        at_once = self.wake is not None and self.level(self.wake[0]) == self.wake[1]
        self.reset_cause = 4  # machine.DEEPSLEEP_RESET: what the board reads when the wake boots it
        raise DeepSleep(self.wake, levels, at_once)
