# Runs at boot: build the board, then the token's loop. The loop returns only when a person allowed maintenance
# on the token itself; then the REPL opens. After a crash the board restarts rather than leave the REPL open.
import sys

import app
import board

token = board.setup()
try:
    app.run(token)
except Exception as exc:  # noqa: BLE001 - anything: restart, never sit in an open REPL
    sys.print_exception(exc)
    token.restart()
else:
    getattr(token, "open_repl", lambda: None)()
