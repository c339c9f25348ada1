# Runs at boot: build the board, then the token's loop. The loop returns only when a person allowed maintenance
# on the token itself (a 3 s hold of A); then the REPL opens. Anything that fails before the loop runs (an import,
# a corrupt module, a board whose chips do not answer) keeps the REPL closed: the token shows what went wrong
# where it can and stays shut; after a crash of the loop itself the board restarts.
import micropython

# First of all: a host command arriving while the modules load holds 0x03, which would otherwise be Ctrl-C,
# stop the import and leave the REPL open.
micropython.kbd_intr(-1)


def _stuck(exc, token=None):
    """Never return: an open REPL would hand the flash, keys included, to any program on the PC."""
    import sys
    import time

    sys.print_exception(exc)
    lines = ("Firmware error", "Reinstall it:", "totpfob deploy")
    try:
        import texts  # in the token's language, unless the words themselves are what fails to load

        lines = texts.lines(texts.load(), "error")
    except Exception:  # noqa: BLE001, S110 - then in English
        pass
    try:
        if token is not None:
            token.screen(token.display).message("error", *lines)
    except Exception:  # noqa: BLE001, S110 - the display may be what failed
        pass
    while True:
        time.sleep(1)


try:
    import board  # noqa: E402, I001  (before the rest: some boards must latch their power on at once)

    token = board.setup()
except Exception as exc:  # noqa: BLE001
    _stuck(exc)
try:
    import app  # noqa: E402
except Exception as exc:  # noqa: BLE001
    _stuck(exc, token)
try:
    app.run(token)
except Exception as exc:  # noqa: BLE001 - anything: restart, never sit in an open REPL
    import sys

    sys.print_exception(exc)
    token.restart()
else:
    token.open_repl()
