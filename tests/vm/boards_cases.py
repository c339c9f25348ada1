"""A real board file, built on emulated ESP32 hardware: prints one JSON line per case.

Usage: boards_cases.py BOARD, with boards/BOARD (its board.py) and boards/sim (the chip emulators) on the
path. WIRING is the hardware as its makers document it, plus the parts this project adds by hand wired as
the README says: the board file must find every part there. Keys are pressed on the emulated pads and the
virtual clock moves on as the token's loop would, looking at the keys every 100 ms.
"""

import sys
from binascii import hexlify

import emu
from simchips.ds3231 import DS3231
from simchips.pcf8563 import PCF8563
from simchips.ssd1306 import SSD1306
from simchips.st7789 import ST7789Model
from vmcase import emit

CHIP_TIME = 1770000000 + 13 * 3600 + 7 * 60 + 9  # what the RTC chips hold: a fixed instant
BATTERY_MV = [4200, 4150, 3900, 3725, 3400, 3300, 3100, 4700, None]  # None: no cell; 4700: USB, no cell


def chip_clock():
    return CHIP_TIME


def divider(hw, cell, pin, ratio, enable):
    """A cell behind a resistor divider on an ADC pad, optionally switched by enable = (pad, level)."""
    def millivolts():
        if cell["mv"] is None or (enable is not None and hw.level(enable[0]) != enable[1]):
            return 0
        return cell["mv"] / ratio
    hw.analog_input(pin, millivolts)
    return {"pin": pin, "ratio": ratio, "enable": enable}


def esp32_devkit(hw, cell):
    hw.i2c_device(22, 21, 0x68, DS3231(now=chip_clock))
    oled = SSD1306(128, 64)
    hw.i2c_device(22, 21, 0x3C, oled)
    hw.pull_up(0)  # the DevKit's BOOT key resistor; key B (GPIO32) is a bare button to GND
    return {"panel": oled, "keys": {"A": 0, "B": 32}, "battery": None}


def m5stickc_plus2(hw, cell):
    hw.power_latch(4)
    hw.i2c_device(22, 21, 0x51, PCF8563(now=chip_clock))
    panel = ST7789Model(135, 240, 52, 40, clock=lambda: hw.now_us // 1000)
    hw.spi_device(13, 15, panel, dc=14, cs=5, rst=12)
    hw.pull_up(37, 39, 35)
    return {"panel": panel, "keys": {"A": 37, "B": 39}, "power_key": 35, "hold": 4, "backlight": 27,
            "battery": divider(hw, cell, 38, 2.0, None)}


def lilygo_tdisplay(hw, cell):
    panel = ST7789Model(135, 240, 52, 40, clock=lambda: hw.now_us // 1000)
    hw.spi_device(18, 19, panel, dc=16, cs=5, rst=23)
    hw.i2c_device(22, 21, 0x68, DS3231(now=chip_clock))
    hw.pull_up(0, 35)
    return {"panel": panel, "keys": {"A": 35, "B": 0}, "backlight": 4,
            "battery": divider(hw, cell, 34, 2.0, (14, 1))}


def heltec_wifi_kit32_v3(hw, cell):
    oled = SSD1306(128, 64)
    # The OLED and its bus pull-ups are fed from Vext (GPIO36 low = on); it needs a reset pulse on GPIO21.
    hw.i2c_device(18, 17, 0x3C, oled, power=(36, 0), reset=21, on_reset=lambda: oled.__init__(128, 64))
    hw.i2c_device(42, 41, 0x68, DS3231(now=chip_clock))
    hw.pull_up(0)
    return {"panel": oled, "keys": {"A": 0}, "vext": 36, "battery": divider(hw, cell, 1, 4.9, (37, 0))}


WIRING = {"esp32_devkit": ("esp32", esp32_devkit), "m5stickc_plus2": ("esp32", m5stickc_plus2),
          "lilygo_tdisplay": ("esp32", lilygo_tdisplay), "heltec_wifi_kit32_v3": ("esp32s3", heltec_wifi_kit32_v3)}


def rows_hex(width, height, lit):
    """The picture as one hex string per row, 1 bit a pixel, leftmost pixel in the top bit."""
    rows = []
    row = bytearray((width + 7) // 8)
    for y in range(height):
        for i in range(len(row)):
            row[i] = 0
        for x in range(width):
            if lit(x, y):
                row[x >> 3] |= 0x80 >> (x & 7)
        rows.append(hexlify(row).decode())
    return rows


def panel_rows(panel):
    return rows_hex(panel.width, panel.height, lambda x, y: panel.pixel(x, y) != 0)


def panel_on(panel):
    """The controller is lighting the panel (SSD1306: display on with its charge pump; ST7789: awake, on)."""
    if hasattr(panel, "is_on"):
        return panel.is_on
    return panel.on and not panel.asleep


def dark(panel):
    return all(panel.pixel(x, y) == 0 for y in range(0, panel.height, 3) for x in range(panel.width))


class Reference:
    """A plain FrameBuffer as the display: what ui draws, pixel for pixel, to compare the panel with.
    Scaled text is framebuf's own 8x8 rendering, each pixel grown to a scale x scale square."""

    fg = 1
    bg = 0

    def __init__(self, width, height):
        import framebuf

        self.width = width
        self.height = height
        self.fb = framebuf.FrameBuffer(bytearray(width * ((height + 7) // 8)), width, height, framebuf.MONO_VLSB)
        self.fill = self.fb.fill
        self.fill_rect = self.fb.fill_rect
        self._cell = framebuf.FrameBuffer(bytearray(8), 8, 8, framebuf.MONO_VLSB)

    def text(self, s, x, y, c, scale=1):
        for ch in s:
            self._cell.fill(0)
            self._cell.text(ch, 0, 0, 1)
            for row in range(8):
                for column in range(8):
                    if self._cell.pixel(column, row):
                        self.fb.fill_rect(x + column * scale, y + row * scale, scale, scale, c)
            x += 8 * scale

    def show(self):
        pass


def looks(hw, token, ms, step=100):
    """Let `ms` pass as the token's loop does: a look at the keys every `step` ms."""
    events = []
    for _ in range(ms // step):
        hw.advance(step)
        event = token.button()
        if event is not None:
            events.append(event)
    return events


def key_cases(hw, token, name, pad):
    out = {"key": name}
    hw.press(pad)
    out["tap"] = looks(hw, token, 200)
    hw.release(pad)
    out["tap"] += looks(hw, token, 300)
    hw.until_wrap(500)  # the ticks wrap round during this press: they must be compared with ticks_diff
    hw.press(pad)
    out["hold"] = looks(hw, token, 1500)
    hw.release(pad)
    out["hold"] += looks(hw, token, 300)
    hw.advance(20)  # between two looks: down for 50 ms, up again before the next look
    hw.press(pad)
    hw.advance(50)
    hw.release(pad)
    out["between"] = looks(hw, token, 300)
    hw.press(pad)  # a 2 ms spike (ESD, the ESP32's GPIO36/39 erratum): not a press
    hw.advance(2)
    hw.release(pad)
    out["glitch"] = looks(hw, token, 300)
    hw.bounce(pad, True)
    out["bouncy"] = looks(hw, token, 200)
    hw.bounce(pad, False)
    out["bouncy"] += looks(hw, token, 300)
    emit("key", **out)


def main():
    name = sys.argv[1]
    chip, wire = WIRING[name]
    hw = emu.install(chip)
    cell = {"mv": 3900}
    parts = wire(hw, cell)
    panel = parts["panel"]

    import board
    import ui

    hold_at_import = hw.level(parts["hold"]) if "hold" in parts else None
    started = hw.now_us
    token = board.setup()
    setup_ms = (hw.now_us - started) // 1000
    token.idle(0)
    token.display.show()  # as the first screen ends: a TFT lights then, with that screen on it
    emit("setup", name=token.name, setup_ms=setup_ms, conflicts=hw.conflicts(), hold_at_import=hold_at_import,
         hold=hw.level(parts["hold"]) if "hold" in parts else None,
         hold_latched=hw.pad(parts["hold"]).hold if "hold" in parts else None,
         backlight=hw.level(parts["backlight"]) if "backlight" in parts else None,
         violations=getattr(panel, "violations", []))
    import boardbase

    emit("contract", board=isinstance(token, boardbase.Board), display_off_s=token.display_off_s,
         sleep_s=token.sleep_s, first_tick_s=token.rtc.FIRST_TICK_S, colours=[token.display.fg, token.display.bg],
         screen=type(token.screen(token.display)) is ui.Screen)

    emit("rtc", chip_time=CHIP_TIME, datetime=list(token.rtc.datetime()), time_lost=token.rtc.time_lost())

    display = token.display
    reference = Reference(display.width, display.height)
    for target in (display, reference):
        ui.Screen(target).code("GitHub", "123456", 20, 30)
    emit("screen", width=display.width, height=display.height, panel_width=panel.width,
         panel_height=panel.height, panel=panel_rows(panel),
         reference=rows_hex(reference.width, reference.height, lambda x, y: reference.fb.pixel(x, y)),
         violations=getattr(panel, "violations", []))

    screen = ui.Screen(display)  # the app darkens the display when idle, lights it on a press
    backlight = parts.get("backlight")
    screen.off()
    off = [dark(panel), panel_on(panel), hw.level(backlight) if backlight else None]
    screen.on()
    emit("dim", off=off, on=[panel_on(panel), hw.level(backlight) if backlight else None])

    for key, pad in sorted(parts["keys"].items()):
        key_cases(hw, token, key, pad)
    keys = sorted(parts["keys"].items())
    for _, pad in keys:  # every key tapped between the same two looks: all are reported, one a look
        hw.press(pad)
    hw.advance(50)
    for _, pad in keys:
        hw.release(pad)
    emit("together", events=looks(hw, token, 500))

    readings = []
    for mv in BATTERY_MV:
        cell["mv"] = mv
        readings.append([mv, token.battery()])
    battery = parts["battery"]
    enable = battery and battery["enable"]
    emit("battery", battery=battery, readings=readings,
         enable_after=hw.level(enable[0]) if enable else None)

    if "power_key" in parts:
        token = power_cases(hw, token, parts)

    wake_key = parts["keys"]["A"]
    hw.press(wake_key)  # held when sleep is asked for: the board must wait for the release
    asked = hw.now_us
    hw.after(300, lambda: hw.release(wake_key))
    try:
        token.sleep()
        sleep = None
    except emu.DeepSleep as exc:
        sleep = exc
    emit("sleep", wake=list(sleep.wake) if sleep and sleep.wake else None,
         levels=sleep.levels if sleep else None, at_once=sleep.wakes_at_once if sleep else None,
         waited_ms=(hw.now_us - asked) // 1000, dark=dark(panel), panel_on=panel_on(panel),
         deep_sleep_hold=hw.deep_sleep_hold)

    # Waking boots main.py again: the board is set up anew, with the key that woke it still down.
    hw.press(wake_key)
    started = hw.now_us
    token = board.setup()
    setup_ms = (hw.now_us - started) // 1000
    after = {}
    for role in ("hold", "backlight", "vext"):
        if role in parts:
            after[role] = [hw.level(parts[role]), hw.pad(parts[role]).hold]
    held = looks(hw, token, 300)
    hw.release(wake_key)
    held += looks(hw, token, 300)
    ui.Screen(token.display).code("GitHub", "123456", 20, 30)  # the app's first screen after a wake
    emit("woken", after=after, held_at_start=held, panel_on=panel_on(panel), setup_ms=setup_ms,
         violations=getattr(panel, "violations", []),
         backlight_with_screen=hw.level(parts["backlight"]) if "backlight" in parts else None)


def power_cases(hw, token, parts):
    import board

    pad = parts["power_key"]
    outcome = {}
    for usb in (False, True):
        hw.usb_power = usb
        hw.press(pad)
        events = looks(hw, token, 200)
        hw.release(pad)
        try:
            events += looks(hw, token, 300)
            result = "running"
        except emu.PowerCut:
            result = "power cut"
        except emu.DeepSleep as exc:
            result = "deep sleep, wake %r" % (list(exc.wake),)
        outcome["usb" if usb else "battery"] = [result, events, hw.level(parts["hold"])]
        hw.usb_power = True
        token = board.setup()  # switched on again
    emit("power", **outcome)
    return token


main()
