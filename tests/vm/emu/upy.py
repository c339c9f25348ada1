"""`micropython` for CPython runs of the board files: only what they and the firmware call."""


def const(expr):
    return expr


def kbd_intr(char):
    pass


def schedule(function, argument):
    function(argument)


def alloc_emergency_exception_buf(size):
    pass


def native(function):
    """The code emitters only change how fast the firmware runs, not what it does: CPython runs it as is."""
    return function


viper = native
