"""Push buttons as the token's loop sees them: "A", "B" (a short press, on release) or "A long", "B long"
(once, while still held). No pin numbers here: the board file hands over ready input pins.

The loop looks about every 100 ms, so a pin interrupt notes when the level changes in between: a quick tap
that came and went between two looks still counts. The handler only stores tick counts (no allocation:
it may run as a hard interrupt); debouncing and deciding happen in event(). A press already in progress
when the buttons are set up (the press that woke the board, the power button held to switch it on) is
not reported.
"""

from time import sleep_ms, ticks_diff, ticks_ms

from micropython import const

_DEBOUNCE_MS = const(30)  # contacts bounce for a few ms; a level this old is settled
_RELEASE_WAIT_MS = const(10000)


class Buttons:
    """Buttons by name, e.g. Buttons({"A": key_a, "B": key_b}) with machine.Pin inputs the board set up
    (pulled to the released level); `long_ms` is how long a press must be held to be a long one."""

    def __init__(self, pins, active_low=True, long_ms=800):
        self._names = tuple(pins)
        self._long_names = tuple(name + " long" for name in self._names)  # built once, not per event
        self._pins = tuple(pins[name] for name in self._names)
        self._active = 0 if active_low else 1
        self._long_ms = long_ms
        count = len(self._pins)
        # Written by the interrupt handler: edges since the last look, the first and the latest one's tick.
        self._edges = [0] * count
        self._first = [0] * count  # type: list  # ticks (the stubs give them a type of their own)
        self._last = [0] * count  # type: list
        # The loop's own view: a press in progress, since when, and whether it was reported already.
        self._held = [False] * count
        self._since = [0] * count  # type: list
        self._reported = [False] * count
        for i in range(count):
            pin = self._pins[i]
            if pin.value() == self._active:
                self._held[i] = True
                self._reported[i] = True
                self._since[i] = ticks_ms()
            pin.irq(handler=self._handler(i), trigger=pin.IRQ_FALLING | pin.IRQ_RISING)

    def _handler(self, i):
        edges = self._edges
        first = self._first
        last = self._last

        def edge(pin):
            now = ticks_ms()
            if not edges[i]:
                first[i] = now
            last[i] = now
            edges[i] += 1

        return edge

    def event(self):
        """The next button event: None, "A", "B", "A long", "B long" (for buttons named A and B)."""
        now = ticks_ms()
        for i in range(len(self._pins)):
            found = self._look(i, now)
            if found is not None:
                return found
        return None

    def held(self, name):
        """True while the button called `name` is pressed (read now, not debounced)."""
        return self._pins[self._names.index(name)].value() == self._active

    def wait_release(self, name, timeout_ms=_RELEASE_WAIT_MS):
        """Wait (up to timeout_ms) until the button called `name` is up and has stopped bouncing: a board
        about to sleep until that button is pressed would otherwise wake at once."""
        start = ticks_ms()
        while self.held(name) and ticks_diff(ticks_ms(), start) < timeout_ms:
            sleep_ms(10)
        sleep_ms(_DEBOUNCE_MS)

    def _look(self, i, now):
        edges = self._edges[i]
        if edges and ticks_diff(now, self._last[i]) < _DEBOUNCE_MS:
            return None  # still bouncing: decide at the next look
        self._edges[i] = 0
        down = self._pins[i].value() == self._active
        if self._held[i]:
            if not down:
                self._held[i] = False
                return None if self._reported[i] else self._names[i]
            if not self._reported[i] and ticks_diff(now, self._since[i]) >= self._long_ms:
                self._reported[i] = True
                return self._long_names[i]
            return None
        if down:
            self._held[i] = True
            self._reported[i] = False
            self._since[i] = self._first[i] if edges else now
            return None
        # Up now and up at the last look: a whole press in between counts if it outlasted the bounce.
        if edges >= 2:
            length = ticks_diff(self._last[i], self._first[i])
            if length >= self._long_ms:
                return self._long_names[i]
            if length >= _DEBOUNCE_MS:
                return self._names[i]
        return None
