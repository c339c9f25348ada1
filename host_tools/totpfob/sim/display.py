"""What the simulator does with each screen the firmware draws: a line in the screen dump, the PNG snapshot and
the picture in this terminal, each only when asked for. The terminal picture is sized to the terminal
(render.screen) and drawn again when the terminal is resized."""

import json
import sys
from typing import Optional

from . import render

KEYS = "keys: a/b press, A/B long press, h hold A, q quit"


def describe(info: dict) -> str:
    """One line of what the token shows: the account, its position, the code and the seconds it has left."""
    if info.get("screen") != "code":
        return "the token shows: %s" % " / ".join([info.get("screen", "")] + info.get("lines", []))
    name = "%s: %s" % (info["issuer"], info["account"]) if info.get("issuer") else info.get("account", "")
    if info.get("position"):
        return "%s  (%s)   code %s   %d s left" % (name, info["position"], info["code"], info["remaining"])
    return "%s   code %s   %d s left" % (name, info["code"], info["remaining"])


class Display:
    """The outputs of one simulator run; `where` names its serial port on the status line."""

    def __init__(self, config, where: str):
        self.config = config
        self.where = where
        self.last: Optional[tuple] = None  # (info, picture) of the screen on display, for a redraw after a resize
        self.size: Optional[tuple] = None  # the terminal size it was drawn for

    def show(self, info: dict, panel) -> None:
        """A screen was drawn: `info` is what the firmware reported, `panel` the display model as it stood."""
        config = self.config
        picture = None
        if config.snapshot:  # the picture first: a reader who sees the dump line finds its picture
            picture = render.picture(panel)
            render.write_png(picture, config.snapshot)
        if config.screen_dump:
            with open(config.screen_dump, "a") as dump:
                dump.write(json.dumps(info) + "\n")
        if not config.headless:
            self.last = (info, picture or render.picture(panel))
            self.redraw()

    def redraw(self) -> None:
        """Draw the last screen again, sized to the terminal as it is now (cleared first if its size changed)."""
        if self.last is None:
            return
        info, picture = self.last
        size = render.terminal_size(sys.stdout)
        text = [describe(info), "serial port: %s (use it as --port)" % self.where, KEYS]
        lines = render.screen(picture, size, text, self.too_small)
        sys.stdout.write(render.paint(lines, size, clear=size != self.size))
        sys.stdout.flush()
        self.size = size

    def too_small(self, columns: int, lines: int) -> str:
        """The line shown instead of a drawing: how to see the display."""
        if self.config.snapshot:
            return "Make this terminal at least %dx%d to see the display, or open %s." % (
                columns, lines, self.config.snapshot)
        return "Make this terminal at least %dx%d to see the display, or start with --snapshot FILE.png." % (
            columns, lines)
