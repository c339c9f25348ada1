"""What the simulator does with each screen the firmware draws: a line in the screen dump, the PNG snapshot and
the picture in this terminal, each only when asked for."""

import json
import shutil
import sys

from . import render


class Display:
    """The outputs of one simulator run; `where` names its serial port on the status line."""

    def __init__(self, config, where: str):
        self.config = config
        self.where = where

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
            picture = picture or render.picture(panel)
            narrow = shutil.get_terminal_size().columns < 2 + len(picture[0])
            sys.stdout.write("\x1b[H" + render.halfblocks(picture, narrow) + "\n" + self.status(info) + "\x1b[J")
            sys.stdout.flush()

    def status(self, info: dict) -> str:
        return "port %s   keys: a/b press, A/B long press, q quit   [%s]" % (self.where, info.get("screen", ""))
