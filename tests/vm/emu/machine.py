"""`machine` as the ESP32 port offers it to a board file (the parts the boards use), on emu's Hardware.
test-only: the virtual token has its own machine stand-in (boards/sim/simhw.py); this one runs the real boards'
files in the tests. Its I2C is the chip models' bus (boards/sim/simchips/i2c.py) over the chips wired to its pads.

Defaults follow the ESP32 port's quick reference: I2C(0) on SCL 18 / SDA 19 and I2C(1) on 25 / 26 when no
pins are given; SPI(1) = HSPI (SCK 14, MOSI 13, MISO 12), SPI(2) = VSPI (18, 23, 19). A pin left out may be
taken with its default, so an SPI bus without `miso` is counted as using the default MISO pad too.
"""

from simchips.i2c import Bus

from emu import hardware

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5

_I2C_DEFAULTS = {"esp32": {0: (18, 19), 1: (25, 26)}, "esp32s3": {0: (9, 8)}}
_SPI_DEFAULTS = {"esp32": {1: (14, 13, 12), 2: (18, 23, 19)}, "esp32s3": {}}
_MODES = {1: "in", 3: "out", 7: "open_drain"}
_PULLS = {None: None, 1: "down", 2: "up"}


def _hw():
    return hardware.current


def _number(pin):
    return pin if isinstance(pin, int) else pin.id


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_DOWN = 1
    PULL_UP = 2
    IRQ_RISING = hardware.IRQ_RISING
    IRQ_FALLING = hardware.IRQ_FALLING
    WAKE_LOW = 4
    WAKE_HIGH = 5
    DRIVE_0 = 0
    DRIVE_1 = 1
    DRIVE_2 = 2
    DRIVE_3 = 3

    def __init__(self, id, mode=-1, pull=-1, *, value=None, drive=None, hold=None):
        _hw().check_pin(id)
        self.id = id
        self._pad = _hw().pad(id)
        self.init(mode, pull, value=value, drive=drive, hold=hold)

    def init(self, mode=-1, pull=-1, *, value=None, drive=None, hold=None):
        if mode != -1 and mode not in _MODES:
            raise ValueError("invalid pin mode")
        if mode == self.IN:
            self._pad.roles.add("in")
        _hw().configure(self._pad, _MODES.get(mode), _PULLS[pull] if pull != -1 else -1, value, hold)

    def value(self, x=None):
        if x is None:
            return _hw().level(self._pad)
        _hw().configure(self._pad, out=x)
        return None

    def __call__(self, x=None):
        return self.value(x)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, *, hard=False, wake=None):
        self._pad.irq = (handler, trigger, self) if handler is not None else None
        return handler


class Signal:
    def __init__(self, pin, *args, invert=False):
        self._pin = pin if isinstance(pin, Pin) else Pin(pin, *args)
        self._invert = 1 if invert else 0

    def value(self, x=None):
        if x is None:
            return self._pin.value() ^ self._invert
        self._pin.value((1 if x else 0) ^ self._invert)
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class I2C(Bus):
    """Hardware I2C: whole transactions delivered to the chips wired on these SCL/SDA pads (each answers only
    while powered and out of reset: see hardware.Hardware.i2c_device)."""

    def __init__(self, id=0, *, scl=None, sda=None, freq=400000, timeout=50000):
        Bus.__init__(self)
        hw = _hw()
        default = _I2C_DEFAULTS[hw.chip].get(id, (None, None))
        self.scl = _number(scl) if scl is not None else default[0]
        self.sda = _number(sda) if sda is not None else default[1]
        if self.scl is None or self.sda is None:
            raise ValueError("I2C(%r): no default pins on %s" % (id, hw.chip))
        self.freq = freq
        for number in (self.scl, self.sda):
            hw.check_pin(number, output=True)
            hw.claim(number, "i2c %d/%d" % (self.scl, self.sda))
        self._chips = hw.i2c_buses.get((self.scl, self.sda), {})

    def scan(self):
        return sorted(a for a in self._chips if self._chips[a].ready())


class SoftI2C(I2C):
    def __init__(self, scl, sda, *, freq=400000, timeout=50000):
        I2C.__init__(self, -1, scl=scl, sda=sda, freq=freq)


class SPI:
    """Hardware SPI: bytes written reach the controller wired on these SCK/MOSI pads."""

    def __init__(self, id, baudrate=500000, *, polarity=0, phase=0, bits=8, firstbit=0, sck=None,
                 mosi=None, miso=None):
        hw = _hw()
        default = _SPI_DEFAULTS[hw.chip].get(id, (None, None, None))
        self.sck = _number(sck) if sck is not None else default[0]
        self.mosi = _number(mosi) if mosi is not None else default[1]
        self.miso = _number(miso) if miso is not None else default[2]
        self.baudrate = baudrate
        for number, role in ((self.sck, "spi sck"), (self.mosi, "spi mosi"), (self.miso, "spi miso")):
            if number is not None:
                hw.check_pin(number, output=role != "spi miso")
                hw.claim(number, role)
        self._slot = hw.spi_buses.get((self.sck, self.mosi))

    def write(self, buf):
        if self._slot is not None:
            self._slot.write(buf)

    def read(self, nbytes, write=0):
        self.write(bytes((write,)) * nbytes)
        return bytes(nbytes)

    def write_readinto(self, out, into):
        self.write(out)
        for i in range(len(into)):
            into[i] = 0


class SoftSPI(SPI):
    def __init__(self, baudrate=500000, *, polarity=0, phase=0, bits=8, firstbit=0, sck=None, mosi=None,
                 miso=None):
        SPI.__init__(self, -1, baudrate, sck=sck, mosi=mosi, miso=miso)


class ADC:
    """An ADC channel; read_uv() is the calibrated reading: it bottoms out ~0.1 V above ground and
    saturates at the top of the attenuation's range (ESP32 quick reference)."""

    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_12BIT = 12
    _RANGE_MV = ((100, 950), (100, 1250), (150, 1750), (150, 2450))

    def __init__(self, pin, *, atten=ATTN_0DB):
        number = _number(pin)
        if not _hw().adc_capable(number):
            raise ValueError("pin %d has no ADC on %s" % (number, _hw().chip))
        _hw().claim(number, "adc")
        self.number = number
        self._atten = atten

    def init(self, *, atten=None):
        if atten is not None:
            self._atten = atten

    def atten(self, atten):
        self._atten = atten

    def read_uv(self):
        source = _hw().analog.get(self.number)
        mv = source() if source is not None else 0
        low, high = self._RANGE_MV[self._atten]
        return int(min(max(mv, low), high)) * 1000

    def read_u16(self):
        return self.read_uv() * 65535 // (self._RANGE_MV[self._atten][1] * 1000)

    def read(self):
        return self.read_u16() >> 4


def deepsleep(time_ms=None):
    _hw().deepsleep()


def lightsleep(time_ms=None):
    _hw().advance(time_ms or 0)


def reset():
    raise hardware.Reset()


def soft_reset():
    raise hardware.Reset()


def reset_cause():
    return _hw().reset_cause


def idle():
    pass


def freq(hz=None):
    return 160000000 if hz is None else None


def unique_id():
    return b"\x24\x0a\xc4\x00\x00\x01"


def disable_irq():
    return 0


def enable_irq(state=0):
    pass
