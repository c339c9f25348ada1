"""totpfob — provision and talk to the offline hardware TOTP token."""

import os
import signal
import sys

__version__ = "0.4.0"


def _interrupted_while_loading(signum, frame):
    """Ctrl-C while Python loads the tool, before any command began: one true line, not an import traceback."""
    os.write(2, b"totpfob: interrupted; nothing was changed\n")
    os._exit(130)


if os.path.basename(sys.argv[0]).split(".")[0] == "totpfob":  # the console script; cli.main() takes over
    signal.signal(signal.SIGINT, _interrupted_while_loading)
