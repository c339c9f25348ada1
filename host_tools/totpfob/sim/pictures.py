"""Pictures of the virtual token's screens for the READMEs, in each language its screens speak:
`python -m totpfob.sim.pictures [FOLDER]` (default boards/sim/screens) writes LANG-code.png, LANG-empty.png,
LANG-status.png, LANG-confirm-delete.png and LANG-clock-lost.png for LANG = hu and en, each the PNG the
simulator's --snapshot keeps, taken as that screen shows. Rerun it after a change to what the token draws."""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..paths import BOARDS
from .harness import VirtualToken, totpfob

KEY = "JBSWY3DPEHPK3PXP"  # the RFC's example key, no one's account
ISSUER = "Ügyfélkapu+"
LABEL = "kovacs.jozsefne@ugyfelkapu.gov.hu"


def _keep(token: VirtualToken, folder: Path, name: str, predicate, after: float) -> None:
    """Wait for the screen `predicate` picks (drawn after `after`) and save the picture of it as `name`."""
    screen = token.wait_screen(predicate, timeout=20, after=after)
    shutil.copyfile(token.snapshot, folder / name)
    print("%s: %s" % (name, " / ".join(screen.get("lines", []))))


def pictures(language: str, folder: Path, workdir: Path) -> None:
    """Every picture of one language, from one virtual token."""
    token = VirtualToken(workdir).start()
    try:
        start = time.time()
        token.cli("--lang", language, "language", language, check=True)
        _keep(token, folder, language + "-empty.png", lambda s: s["screen"] == "empty", start)

        token.cli("--lang", language, "add", "--secret", KEY, "--issuer", ISSUER, "--label", LABEL, check=True)
        token.cli("--lang", language, "time", "sync", check=True)  # the status then says when, not "never"
        # A code with time left: the picture shows one code, not the next one joining it at the end of a step.
        _keep(token, folder, language + "-code.png",
              lambda s: s["screen"] == "code" and 10 <= s["remaining"] <= 25 and not s["next"], time.time())

        pressed = time.time()
        token.press("B")
        _keep(token, folder, language + "-status.png", lambda s: s["screen"] == "status", pressed)
        token.wait_screen(lambda s: s["screen"] == "code", timeout=20, after=time.time())

        asked = time.time()
        delete = subprocess.Popen(totpfob() + ["--port", str(token.link), "--lang", language, "delete", "--yes",
                                               LABEL], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _keep(token, folder, language + "-confirm-delete.png", lambda s: s["screen"] == "confirm", asked)
            token.press("B")  # refused: the account stays
            delete.wait(30)
        finally:
            if delete.poll() is None:
                delete.kill()

        restarted = time.time()
        token.restart("--rtc-lost")  # the coin cell was out: the token knows its accounts but not the time
        _keep(token, folder, language + "-clock-lost.png", lambda s: s["screen"] == "clock-lost", restarted)
    finally:
        token.stop()


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else BOARDS / "sim" / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for language in ("hu", "en"):
            pictures(language, folder, Path(work) / language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
