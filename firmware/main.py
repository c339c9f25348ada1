# Runs at boot: build the board, then the token's loop. The loop returns only when a person allowed maintenance
# on the token itself; then the REPL opens. After a crash the board restarts rather than leave the REPL open.
import micropython

# First of all: a host command arriving while the modules load holds 0x03, which would otherwise be Ctrl-C,
# stop the import and leave the REPL open.
micropython.kbd_intr(-1)

import board  # noqa: E402, I001  (before the rest: some boards must latch their power on at once)
import app  # noqa: E402
import sys  # noqa: E402

try:
    token = board.setup()
except Exception:
    # A board that cannot even start (a chip not wired) is of no use as a token; its REPL shows why.
    micropython.kbd_intr(3)
    raise
try:
    app.run(token)
except Exception as exc:  # noqa: BLE001 - anything: restart, never sit in an open REPL
    sys.print_exception(exc)
    token.restart()
else:
    token.open_repl()
