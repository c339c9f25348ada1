"""The language of the token's screens: the settings record (settings.py) and the words each screen draws
(texts.py, text_*.py, app's status lines), filled with the largest values a screen can show. Runs on CPython and
MicroPython; argv[1]: a directory to keep settings files in. One JSON line per case."""

import os
import sys

import app
import service
import settings
import texts
import ui
from vmcase import emit

folder = sys.argv[1]


def stored(path):
    return settings.language(path)


def refused(call):
    try:
        call()
    except ValueError:
        return True
    return False


# The record: never set, set, set again, a refused language, a damaged file, a cut before the rename.
path = folder + "/settings.bin"
seen = [stored(path)]
settings.set_language("hu", path)
seen.append(stored(path))
settings.set_language("en", path)
seen.append(stored(path))
seen.append(refused(lambda: settings.set_language("de", path)))
seen.append(stored(path))
with open(path + ".tmp", "wb") as f:  # a power cut while the new record was written: the rename never came
    f.write(b"h")
seen.append(stored(path))
settings.set_language("hu", path)  # and the next change goes through over that leftover
seen.append(stored(path))
with open(path, "r+b") as f:  # a bit flipped on the flash
    f.seek(1)
    f.write(b"x")
seen.append(stored(path))
with open(path, "wb") as f:  # a record of a language this firmware does not speak, with a right checksum
    f.write(b"de" + bytes(4))
seen.append(stored(path))
emit("record", seen=seen)

# Which words the screens load: the one set, else English.
os.chdir(folder)
try:
    os.remove("settings.bin")
except OSError:
    pass
unset = texts.lines(texts.load(), "empty")
settings.set_language("hu")
emit("load", unset=list(unset), hu=list(texts.lines(texts.load(), "empty")),
     en=list(texts.lines(texts.load("en"), "empty")))

# Every text of each language, filled with the largest values it is ever shown with.
LABEL = "kovacs.jozsefne@ugyfelkapu.gov.hu"  # questions shorten it on the panel (ui.shorten), like the code screen
for language in ("en", "hu"):
    words = texts.load(language)
    filled = {}
    for name in ("empty", "clock-lost", "damaged", "error", "erasing", "maintenance"):
        filled[name] = texts.lines(words, name)
    filled["date"] = [words["date"] % (2199, 12, 31)]
    filled["time"] = [words["time"] % (23, 59, 59)]
    filled["synced"] = [line for ago in (30, 5999, 172799, 9999 * 86400) for line in
                        texts.lines(words, "synced", app._ago(words, ago))]
    filled["never"] = texts.lines(words, "synced", words["never"])
    filled["drift"] = [words["drift"] % app._ppm(words, ppb) for ppb in (-99949, 99949, -1000000, 1000000, 1500)]
    filled["battery"] = [words["battery"] % 100]
    filled["stored"] = [words["stored"] % (100, 100)]
    filled["replace"] = texts.lines(words, "replace", LABEL)
    filled["rename"] = texts.lines(words, "rename", LABEL, LABEL)
    filled["delete"] = texts.lines(words, "delete", LABEL)
    filled["wipe"] = texts.lines(words, "wipe", 100)
    filled["clock"] = [line for seconds in (-5969, 5969, -170999, 170999, -(2 ** 33), 2 ** 33)
                       for line in texts.lines(words, *service._jump(seconds))]  # a valid clock: to 2199
    filled["hold"] = [words["hold"] % 3]
    filled["next"] = [words["next"] + " 1234 5678"]  # with a next code of 8 digits (of 10: the code alone)
    filled["left"] = [words["left"] % 30]
    emit("words", language=language, names=sorted(words), filled={k: list(v) for k, v in filled.items()})


class Recorder:
    """A display that keeps the text ui.Screen draws (and ignores the rest)."""

    fg = 1
    bg = 0

    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.texts = []

    def text(self, s, x, y, c, scale=1):
        self.texts.append(s)

    def fill(self, c):
        pass

    def fill_rect(self, x, y, w, h, c):
        pass

    def show(self):
        pass


# The code screen's one word, before the next code in the last seconds of a step: in the token's language, and
# left out where it would not leave room for the whole code.
drawn = {}
for size in ((128, 64), (240, 135)):
    for language in ("en", "hu"):
        for next_code in ("654321", "1234567890"):
            display = Recorder(*size)
            screen = ui.Screen(display)
            screen.next_word = texts.load(language)["next"]
            screen.code("alice", "0" * len(next_code), 3, 30, "", next_code, None, "Mail")
            drawn["%dx%d %s %s" % (size[0], size[1], language, next_code)] = display.texts[-1]
emit("next", drawn=drawn)
