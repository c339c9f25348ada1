"""The virtual token's I2C bus: the machine.I2C calls a driver makes, delivered to emulated chips.

A chip model is any object with `write(data)` (the bytes of one write transaction after the address)
and `read(n) -> bytes` (one read transaction, continuing at the chip's register pointer).
"""

# The ESP32 port raises OSError(ENODEV) when no device acknowledges its address.
_ENODEV = 19


class Bus:
    """Stands in for machine.I2C; every call becomes whole transactions on the addressed chip."""

    def __init__(self):
        self._chips = {}

    def attach(self, addr, chip):
        """Put `chip` on the bus at 7-bit address `addr`."""
        self._chips[addr] = chip

    def detach(self, addr):
        """Unplug the chip at `addr`: later transactions to it fail as a NACK would."""
        self._chips.pop(addr, None)

    def _chip(self, addr):
        chip = self._chips.get(addr)
        if chip is None:
            raise OSError(_ENODEV)
        return chip

    def scan(self):
        """Addresses that answer, ascending (as machine.I2C.scan)."""
        return sorted(self._chips)

    def writeto(self, addr, buf, stop=True):
        """One write transaction; returns the number of bytes acknowledged."""
        self._chip(addr).write(bytes(buf))
        return len(buf)

    def writevto(self, addr, vector, stop=True):
        """One write transaction made of several buffers (no gap between them on the wire)."""
        chip = self._chip(addr)
        if hasattr(chip, "writev"):  # the chip takes the pieces as they are: no copy of a whole frame
            return chip.writev(vector)
        data = b"".join(bytes(part) for part in vector)
        chip.write(data)
        return len(data)

    def readfrom(self, addr, nbytes, stop=True):
        """One read transaction of `nbytes`."""
        return bytes(self._chip(addr).read(nbytes))

    def readfrom_into(self, addr, buf, stop=True):
        """One read transaction filling `buf`."""
        buf[:] = self._chip(addr).read(len(buf))

    def readfrom_mem(self, addr, memaddr, nbytes, addrsize=8):
        """Write the register address, then read `nbytes` from there (repeated start)."""
        chip = self._chip(addr)
        chip.write(_mem_address(memaddr, addrsize))
        return bytes(chip.read(nbytes))

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        """Write the register address, then fill `buf` from there (repeated start)."""
        chip = self._chip(addr)
        chip.write(_mem_address(memaddr, addrsize))
        buf[:] = chip.read(len(buf))

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        """One write transaction: the register address followed by `buf`."""
        self._chip(addr).write(_mem_address(memaddr, addrsize) + bytes(buf))


def _mem_address(memaddr, addrsize):
    # Register addresses go out most significant byte first, as machine.I2C sends them.
    size = addrsize // 8
    return bytes((memaddr >> (8 * (size - 1 - i))) & 0xFF for i in range(size))


class RegisterFile:
    """A chip whose first written byte sets a register pointer that auto-increments and wraps.

    Subclasses refine `_begin_write`, `_store`, `_end_write` and `_load` for registers with side effects.
    """

    def __init__(self, size):
        self.regs = bytearray(size)
        self.pointer = 0

    def write(self, data):
        """One write transaction: register address, then values for consecutive registers."""
        if not data:
            return
        size = len(self.regs)
        self.pointer = data[0] % size
        if len(data) == 1:
            return
        self._begin_write()
        for value in data[1:]:
            self._store(self.pointer, value)
            self.pointer = (self.pointer + 1) % size
        self._end_write()

    def read(self, nbytes):
        """One read transaction of `nbytes`, from the register pointer on."""
        self._begin_read()
        size = len(self.regs)
        out = bytearray(nbytes)
        for i in range(nbytes):
            out[i] = self._load(self.pointer)
            self.pointer = (self.pointer + 1) % size
        return bytes(out)

    def _begin_read(self):
        pass

    def _begin_write(self):
        pass

    def _end_write(self):
        pass

    def _load(self, reg):
        return self.regs[reg]

    def _store(self, reg, value):
        self.regs[reg] = value
