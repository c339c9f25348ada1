"""CPython's stand-in for MicroPython's built-in `micropython` module, so firmware modules import unchanged on
the host and in the tests. Never deployed: a board has the real module built in.

Only what the firmware uses: const() (on a board folded in at compile time) and the code emitters, which change
nothing here.
"""


def const(value):
    return value


def native(function):
    return function


viper = native


def kbd_intr(char):
    """On a board: which byte raises KeyboardInterrupt. CPython's terminal decides that itself."""
